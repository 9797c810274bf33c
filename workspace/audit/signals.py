"""Events the security log hears without anybody calling it: logins and failed logins."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed

from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log

# allauth keeps the ways a person authenticated in this session under this key; a login
# through an OpenID provider names the provider there.
_ALLAUTH_METHODS = "account_authentication_methods"


def _provider_of(request) -> str:
    if request is None:
        return ""
    named = getattr(request, "login_provider", "")
    if named:
        return str(named)
    session = getattr(request, "session", None)
    methods = session.get(_ALLAUTH_METHODS, []) if session is not None else []
    for method in reversed(methods):
        if isinstance(method, dict) and method.get("method") == "socialaccount":
            return str(method.get("provider", ""))
    return ""


def on_login(sender, request=None, user=None, **kwargs) -> None:
    security_log(
        kind=SecurityEvent.Kind.LOGIN,
        account=user,
        by=user,
        provider=_provider_of(request),
        request=request,
    )


def on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # The typed name is never stored: an entry points at an account or at nobody.
    username = (credentials or {}).get("username") or ""
    account = None
    if username:
        model = get_user_model()
        account = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
    security_log(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        account=account,
        provider=_provider_of(request),
        request=request,
    )


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
