from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "workspace.identity"
    label = "identity"
    verbose_name = _("Anmeldung")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workspace.demo import register_seeder
        from workspace.identity import receivers  # noqa: F401 – connects the login receivers
        from workspace.identity.demo import seed_identity
        from workspace.identity.personal_data import classify_models

        classify_models()
        register_seeder(seed_identity, order=900)

        from workspace.hooks import register_section
        from workspace.identity.selectors import account_security

        register_section(
            "account",
            template="identity/_account_security.html",
            context=account_security,
            order=5,
        )
