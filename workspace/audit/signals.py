"""Events the security log hears without anybody calling it: logins and failed logins, the
network office's group, the OpenID providers (workspace.identity), and whatever the apps
connect in their own ``security_events`` module (found like admin modules, so the core names
no app: projects' team roles, steering's committee seats)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.module_loading import autodiscover_modules

from workspace.audit.models import SecurityEvent
from workspace.audit.services import current_actor, security_log

Kind = SecurityEvent.Kind

# allauth keeps the ways a person authenticated in this session under this key; a login
# through an OpenID provider names the provider there.
_ALLAUTH_METHODS = "account_authentication_methods"


def _provider_of(request) -> str:
    if request is None:
        return ""
    session = getattr(request, "session", None)
    methods = session.get(_ALLAUTH_METHODS, []) if session is not None else []
    for method in reversed(methods):
        if isinstance(method, dict) and method.get("method") == "socialaccount":
            return str(method.get("provider", ""))
    return ""


def on_login(sender, request=None, user=None, **kwargs) -> None:
    security_log(
        kind=Kind.LOGIN, account=user, by=user, provider=_provider_of(request), request=request
    )


def on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # The typed name is never stored: an entry points at an account or at nobody.
    username = (credentials or {}).get("username") or ""
    account = None
    if username:
        model = get_user_model()
        account = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
    security_log(
        kind=Kind.LOGIN_FAILED, account=account, provider=_provider_of(request), request=request
    )


# --- the network office ---------------------------------------------------------------------


def on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    from django.contrib.auth.models import Group

    from workspace.permissions import NETWORK_OFFICE_GROUP

    model = get_user_model()
    if action == "pre_clear":  # which groups are about to go: clear() names none afterwards
        instance._audit_cleared = set(
            instance.user_set.values_list("pk", flat=True)
            if reverse
            else instance.groups.values_list("pk", flat=True)
        )
        return
    if action == "post_clear":
        action, pk_set = "post_remove", getattr(instance, "_audit_cleared", set())
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    kind = Kind.ROLE_GRANTED if action == "post_add" else Kind.ROLE_REVOKED
    if reverse:  # group.user_set.add(...)
        pairs = [(person, instance) for person in model._default_manager.filter(pk__in=pk_set)]
    else:
        pairs = [(instance, group) for group in Group.objects.filter(pk__in=pk_set)]
    for person, group in pairs:
        if group.name == NETWORK_OFFICE_GROUP:
            security_log(
                kind=kind, account=person, by=current_actor(), detail={"role": "network_office"}
            )


# --- OpenID providers -----------------------------------------------------------------------

# What a change of a provider is worth logging for; the secret's value is never copied.
_PROVIDER_FIELDS_SKIPPED = ("id",)


def _provider_fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in _PROVIDER_FIELDS_SKIPPED
    }


def on_provider_before(sender, instance, **kwargs) -> None:
    before = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = _provider_fields(before) if before is not None else None


def on_provider_saved(sender, instance, created, **kwargs) -> None:
    slug = getattr(instance, "slug", str(instance.pk))
    if created:
        security_log(kind=Kind.PROVIDER_ADDED, by=current_actor(), detail={"provider": slug})
        return
    before = getattr(instance, "_audit_before", None) or {}
    after = _provider_fields(instance)
    changed = sorted(name for name, value in after.items() if before.get(name) != value)
    if changed:
        security_log(
            kind=Kind.PROVIDER_CHANGED,
            by=current_actor(),
            detail={"provider": slug, "fields": changed},
        )


def on_provider_deleted(sender, instance, **kwargs) -> None:
    slug = getattr(instance, "slug", str(instance.pk))
    security_log(kind=Kind.PROVIDER_REMOVED, by=current_actor(), detail={"provider": slug})


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    m2m_changed.connect(
        on_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit-groups"
    )
    if apps.is_installed("workspace.identity"):
        provider = "identity.IdentityProvider"
        pre_save.connect(on_provider_before, sender=provider, dispatch_uid="audit-provider-before")
        post_save.connect(on_provider_saved, sender=provider, dispatch_uid="audit-provider-saved")
        post_delete.connect(
            on_provider_deleted, sender=provider, dispatch_uid="audit-provider-deleted"
        )
    # Each app's own watchers (projects/security_events.py, steering/security_events.py).
    autodiscover_modules("security_events")
