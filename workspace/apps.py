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
        from workspace.api.setup import connect as connect_api

        connect_api()
        import workspace.clients  # noqa: F401 – registers the deploy check on TRUSTED_PROXIES

        post_migrate.connect(ensure_network_office_group, dispatch_uid="network-office-group")

        from django.db.backends.signals import connection_created

        from workspace.metrics import instrument_connection

        connection_created.connect(instrument_connection, dispatch_uid="query-metrics")

        from workspace import pagecache

        # Every write retires the cached pages (workspace/pagecache.py).
        connection_created.connect(pagecache.instrument_connection, dispatch_uid="page-writes")

        from workspace import csrf_strings

        # CSRF secrets and masks from one read of os.urandom instead of 64 (csrf_strings.py).
        csrf_strings.install()

        from django.contrib.admin.options import BaseModelAdmin

        from workspace.forms import GuardedModelForm
        from workspace.validators import texts_guard

        # Every admin page without a form of its own checks texts like every other form;
        # the pre_save guard below would otherwise refuse them with a server error.
        BaseModelAdmin.form = GuardedModelForm

        # Every save of a person's text passes the documented limits, whichever way it came.
        pre_save.connect(texts_guard, dispatch_uid="text-limits")
