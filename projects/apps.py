from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Leitprojekte")

    def ready(self) -> None:
        from projects import offboarding
        from projects.personal_data import classify_models
        from workspace.hooks import register_offboarding

        classify_models()
        register_offboarding(preview=offboarding.preview, apply=offboarding.apply, order=10)
        from projects.coedit.results import register as register_coedit

        register_coedit()  # results are edited together (projects.coedit.kinds)
        from projects import sections
        from projects.demo import seed_projects, seed_results, seed_reuse
        from workspace.demo import register_seeder
        from workspace.hooks import register_section

        register_section(
            "municipality_detail",
            template="projects/_municipality_projects.html",
            context=sections.municipality_projects,
            order=10,
        )
        register_section(
            "home",
            template="projects/_home_projects.html",
            context=sections.home_projects,
            order=10,
        )
        register_section(
            "account",
            template="projects/_account_roles.html",
            context=sections.account_roles,
            order=10,
        )
        register_seeder(seed_projects, order=10)
        register_seeder(seed_results, order=20)
        register_seeder(seed_reuse, order=30)
        from projects.notifications import register as register_notifications  # NOTIFY

        register_notifications()  # NOTIFY
        from projects.search import register as register_search  # SEARCH

        register_search()  # SEARCH
        from projects.api import register as register_api

        register_api()
        from projects.documents import image_resolver
        from projects.models import Result
        from workspace.markdown import register_image_source

        # A result's text shows its own attachments as images (and nothing from elsewhere).
        register_image_source(Result, image_resolver)
        from projects import fragments

        fragments.connect()
