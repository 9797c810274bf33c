"""Keep the network office group in step with the models after every migration."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission


def ensure_network_office_group(**kwargs) -> None:
    """Create the network office group and give it every permission of the network's apps.

    Runs after ``migrate`` (when Django has created the permissions of new models), so each
    app that arrives later is covered without a data migration of its own. Idempotent.
    """
    from workspace.permissions import NETWORK_OFFICE_GROUP

    group, _ = Group.objects.get_or_create(name=NETWORK_OFFICE_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=settings.NETWORK_OFFICE_PERMISSION_APPS
    )
    missing = wanted.exclude(pk__in=group.permissions.values("pk"))
    if missing.exists():
        group.permissions.add(*missing)
