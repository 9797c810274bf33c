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

        from workspace.hooks import register_section
        from workspace.permissions import is_network_office

        register_section(
            "account",
            template="audit/_account_security_log.html",
            context=lambda request, user: {"is_office": is_network_office(user)},
            order=80,
        )
