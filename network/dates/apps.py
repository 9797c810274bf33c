from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatesConfig(AppConfig):
    name = "network.dates"
    label = "dates"
    verbose_name = _("Termine")

    def ready(self) -> None:
        from network.dates.personal_data import classify_models

        classify_models()
        from network.dates import sections
        from network.dates.demo import seed_dates
        from workspace.demo import register_seeder
        from workspace.hooks import register_section

        register_section(
            "home", template="dates/_home_dates.html", context=sections.home_dates, order=30
        )
        register_section(
            "municipality_detail",
            template="dates/_municipality_impulses.html",
            context=sections.municipality_impulses,
            order=40,
        )
        register_seeder(seed_dates, order=50)
        from network.dates.search import register as register_search  # SEARCH

        register_search()  # SEARCH
        from network.dates.api import register as register_api

        register_api()
