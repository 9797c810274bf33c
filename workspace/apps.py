from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
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
        from workspace.mail import classify_models as classify_outbox

        classify_outbox()

        post_migrate.connect(ensure_network_office_group, dispatch_uid="network-office-group")

        from workspace.validators import texts_guard

        # Every save of a person's text passes the documented limits, whichever way it came.
        pre_save.connect(texts_guard, dispatch_uid="text-limits")
