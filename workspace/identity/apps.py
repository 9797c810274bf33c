from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "workspace.identity"
    label = "identity"
    verbose_name = _("Anmeldung")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workspace.identity import receivers  # noqa: F401 – connects the login receivers
        from workspace.identity.personal_data import classify_models

        classify_models()
