from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "network.newsletter"
    label = "newsletter"
    verbose_name = _("Schülerzeitung")

    def ready(self) -> None:
        from network.newsletter.personal_data import classify_models

        classify_models()
        from network.newsletter import sections
        from network.newsletter.demo import seed_newsletter
        from workspace.demo import register_seeder
        from workspace.hooks import register_section

        register_section(
            "home", template="newsletter/_home_latest.html", context=sections.latest, order=60
        )
        # After the projects, the committee and the joining: the news tell of all of them.
        register_seeder(seed_newsletter, order=60)
        from network.newsletter.search import register as register_search  # SEARCH

        register_search()  # SEARCH
        from network.newsletter.api import register as register_api

        register_api()
