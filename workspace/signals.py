"""Keep the network office group in step with the models after every migration."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from workspace.events import recheck_user_on_commit


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


# --- Open sockets follow the account --------------------------------------------------------
#
# Whatever ends a person's right to read must reach their open sockets (workspace.events).
# These changes can come from many places (services, the administration, Django's own views
# for password change and reset, ``manage.py changepassword``), so they are caught where every
# one of them passes: the model's save and Django's auth signals. Connected on import
# (``WorkspaceConfig.ready`` imports this module).


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="recheck-account-sockets")
def recheck_sockets_of_changed_account(sender, instance, created, update_fields, **kwargs):
    """Deactivation and a new password: a session with the old password hash, or of an
    inactive account, is read as logged out by every socket's re-check."""
    if created:
        return
    fields = set(update_fields) if update_fields is not None else None
    # ``set_password`` keeps the raw password in ``_password`` until the save is done.
    password_changed = getattr(instance, "_password", None) is not None or (
        fields is not None and "password" in fields
    )
    deactivated = not instance.is_active and (fields is None or "is_active" in fields)
    if password_changed or deactivated:
        recheck_user_on_commit(instance.pk)


@receiver(user_logged_out, dispatch_uid="recheck-sockets-on-logout")
def recheck_sockets_after_logout(sender, request, user, **kwargs):
    """Only the sockets of the session that logged out close; the person's other sessions
    keep theirs (their sessions are still valid)."""
    if user is None:
        return
    if request is not None and hasattr(request, "session"):
        # Django flushes the session right after this signal; done here first, so a socket
        # that checks itself at once cannot still find the session valid.
        request.session.flush()
    recheck_user_on_commit(user.pk)


@receiver(post_save, sender="workspace.Membership", dispatch_uid="recheck-membership")
@receiver(post_delete, sender="workspace.Membership", dispatch_uid="recheck-membership-gone")
def recheck_sockets_of_membership(sender, instance, **kwargs):
    """A membership that starts or ends changes network visibility (and names)."""
    recheck_user_on_commit(instance.user_id)


@receiver(m2m_changed, sender="workspace.User_groups", dispatch_uid="recheck-groups")
def recheck_sockets_of_group_change(sender, instance, action, reverse, pk_set, **kwargs):
    """Joining or leaving the network office changes what the person may see."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        recheck_user_on_commit(instance.pk)
    else:
        for user_id in pk_set or ():
            recheck_user_on_commit(user_id)


@receiver(post_save, sender="workspace.Municipality", dispatch_uid="recheck-municipality")
def recheck_sockets_of_municipality_staff(sender, instance, created, **kwargs):
    """A municipality leaving the network takes network visibility from all of its staff."""
    from workspace.models import Membership

    if created:
        return
    for user_id in set(
        Membership.objects.filter(municipality=instance).values_list("user_id", flat=True)
    ):
        recheck_user_on_commit(user_id)
