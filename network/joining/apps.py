from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoiningConfig(AppConfig):
    name = "network.joining"
    label = "joining"
    verbose_name = _("Beitritt und Klassen")

    def ready(self) -> None:
        from network.joining import sections
        from network.joining.demo import seed_joining
        from network.joining.personal_data import classify_models
        from workspace.demo import register_seeder
        from workspace.hooks import register_section

        register_section(
            "municipality_detail",
            template="joining/_municipality_invite.html",
            context=sections.municipality_invite,
            order=90,
        )
        register_section(
            "home", template="joining/_home_join.html", context=sections.home_join, order=90
        )
        register_seeder(seed_joining, order=35)
        classify_models()
