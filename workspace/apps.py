from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = _("Netzwerk")

    def ready(self) -> None:
        from workspace.personal_data import classify_core
        from workspace.signals import ensure_network_office_group

        classify_core()
        from workspace.notifications import classify_models as classify_notifications  # NOTIFY

        classify_notifications()  # NOTIFY

        post_migrate.connect(ensure_network_office_group, dispatch_uid="network-office-group")
