from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "workspace.audit"
    label = "audit"
    verbose_name = _("Sicherheitsprotokoll")

    def ready(self) -> None:
        from workspace.audit import signals
        from workspace.audit.personal_data import classify_models

        signals.connect()
        classify_models()
