from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    name = "network.guides"
    label = "guides"
    verbose_name = _("Leitfäden und Vokabelheft")

    def ready(self) -> None:
        from network.guides.personal_data import classify_models

        classify_models()
        from network.guides.coedit import register as register_coedit

        register_coedit()  # guides are edited together like results (projects.coedit.kinds)
        from django.db.models.signals import post_delete, post_save

        from network.guides import sections
        from network.guides.demo import seed_guides
        from network.guides.glossary import forget_glossary, link_terms
        from network.guides.models import Term
        from workspace.demo import register_seeder
        from workspace.hooks import register_section
        from workspace.markdown import register_post_processor

        register_post_processor(link_terms, order=50)
        # Every way a term changes (services, admin, shell) drops the cached term list.
        post_save.connect(forget_glossary, sender=Term, dispatch_uid="guides-term-saved")
        post_delete.connect(forget_glossary, sender=Term, dispatch_uid="guides-term-deleted")
        register_section(
            "home", template="guides/_home_guides.html", context=sections.home_guides, order=40
        )
        register_seeder(seed_guides, order=40)
        from network.guides.documents import image_resolver
        from network.guides.models import Guide
        from workspace.markdown import register_image_source

        # A guide's text shows its own attachments as images (and nothing from elsewhere).
        register_image_source(Guide, image_resolver)
        from network.guides.search import register as register_search  # SEARCH

        register_search()  # SEARCH
        from network.guides.api import register as register_api

        register_api()
