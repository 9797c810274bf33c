"""What happens at a login through a provider (allauth's signal carries the social login)."""

from __future__ import annotations

import datetime

from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in as django_user_logged_in
from django.dispatch import receiver


@receiver(django_user_logged_in, dispatch_uid="identity-session-record")
def session_recorded(sender, request, user, **kwargs) -> None:
    """Every login, whichever way, leaves a record of its session (see user_session_record)."""
    from workspace.identity.services import user_session_record

    if request is not None:
        user_session_record(request=request, user=user)


@receiver(user_logged_in, dispatch_uid="identity-provider-session")
def provider_session_begins(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None:
        return
    from workspace.identity.models import IdentityProvider
    from workspace.identity.services import provider_session_start

    provider = IdentityProvider.objects.filter(slug=sociallogin.account.provider).first()
    if provider is None:
        return
    exp = (sociallogin.account.extra_data or {}).get("id_token", {}).get("exp")
    provider_session_start(
        provider=provider,
        user=user,
        session=request.session,
        token_expires_at=getattr(sociallogin.token, "expires_at", None),
        id_token_expires_at=(
            datetime.datetime.fromtimestamp(exp, tz=datetime.UTC) if exp else None
        ),
    )
    request.session["identity_provider"] = provider.slug


# --- Second factors: each change is logged (workspace.audit).

SECOND_FACTORS = ("totp", "webauthn")


@receiver(authenticator_added, dispatch_uid="identity-second-factor-added")
def second_factor_added(sender, request, user, authenticator, **kwargs) -> None:
    from workspace.audit.services import Kind, security_log

    if authenticator.type not in SECOND_FACTORS:
        return  # recovery codes that come with the first factor
    security_log(
        kind=Kind.SECOND_FACTOR_ADDED,
        account=user,
        by=user,
        detail={"type": authenticator.type},
        request=request,
    )


@receiver(authenticator_removed, dispatch_uid="identity-second-factor-removed")
def second_factor_removed(sender, request, user, authenticator, **kwargs) -> None:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    from workspace.audit.services import Kind, security_log
    from workspace.identity.second_factor import has_second_factor

    if authenticator.type not in SECOND_FACTORS:
        return
    if not has_second_factor(user):
        # Without any factor left, this session no longer counts as verified by one.
        records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            record for record in records if record.get("method") != "mfa"
        ]
    security_log(
        kind=Kind.SECOND_FACTOR_REMOVED,
        account=user,
        by=user,
        detail={"type": authenticator.type},
        request=request,
    )


@receiver(authenticator_reset, dispatch_uid="identity-recovery-codes-renewed")
def recovery_codes_renewed(sender, request, user, authenticator, **kwargs) -> None:
    from workspace.audit.services import Kind, security_log

    security_log(kind=Kind.RECOVERY_CODES_RENEWED, account=user, by=user, request=request)
