"""Writes of the identity app: accounts from providers, provider sessions, providers' end."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workspace.events import recheck_user_on_commit
from workspace.identity.models import IdentityProvider, ProviderSession
from workspace.models import Municipality, User
from workspace.services import membership_start
from workspace.sessions import sessions_delete


def municipality_for_login(*, provider: IdentityProvider, claims: dict) -> Municipality | None:
    """The member municipality a person logging in through ``provider`` works for."""
    if provider.municipality_id:
        return provider.municipality
    value = str(claims.get(provider.municipality_claim) or "").strip()
    if not value:
        return None
    return Municipality.objects.members().filter(Q(slug=value) | Q(official_key=value)).first()


@transaction.atomic
def provider_account_create(
    *, sociallogin, provider: IdentityProvider, claims: dict, save: Callable[[], User]
) -> User:
    """First login through ``provider``: the account (tied to provider and subject by allauth's
    ``save``) and a membership of the provider's municipality, with no further roles."""
    municipality = municipality_for_login(provider=provider, claims=claims)
    if municipality is None:  # checked before; a claim cannot change in between
        raise ValueError("no municipality")
    user = save()
    membership_start(user=user, municipality=municipality)
    return user


@transaction.atomic
def provider_session_start(
    *,
    provider: IdentityProvider,
    user: User,
    session,
    token_expires_at: datetime.datetime | None,
    id_token_expires_at: datetime.datetime | None,
) -> ProviderSession:
    """A session that began at ``provider`` lasts no longer than its tokens."""
    ends = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    for limit in (token_expires_at, id_token_expires_at):
        if limit is not None:
            ends = min(ends, limit)
            break
    session.set_expiry(ends)
    if session.session_key is None:
        session.save()
    return ProviderSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"provider": provider, "user": user, "expires_at": ends},
    )[0]


@transaction.atomic
def provider_remove(*, provider: IdentityProvider) -> int:
    """Remove a provider; every session that began there ends at once. Returns their number."""
    sessions = list(provider.sessions.values_list("session_key", "user_id"))
    sessions_delete(key for key, _ in sessions)
    # Deleting rows sends no signal: the open sockets of those people check themselves.
    for user_id in {user_id for _, user_id in sessions}:
        recheck_user_on_commit(user_id)
    provider.delete()
    return len(sessions)


@transaction.atomic
def second_factor_reset(*, person: User, by: User, request=None) -> int:
    """The office resets a person's lost second factor: every authenticator (app, keys, recovery
    codes) goes and their sessions end, so their next login asks them to set one up anew."""
    from allauth.mfa.models import Authenticator

    from workspace.audit.services import Kind, security_log
    from workspace.services import sessions_end

    removed, _ = Authenticator.objects.filter(user=person).delete()
    sessions_end(user=person)
    security_log(
        kind=Kind.SECOND_FACTOR_RESET,
        account=person,
        by=by,
        detail={"removed": removed},
        request=request,
    )
    return removed


@transaction.atomic
def user_session_end(*, user: User, user_session) -> None:
    """End one of ``user``'s sessions (listed on /konto/sitzungen/); its sockets close too."""
    if user_session.user_id != user.pk:
        raise ValueError("not this person's session")
    sessions_delete([user_session.session_key])
    ProviderSession.objects.filter(session_key=user_session.session_key).delete()
    user_session.delete()
    recheck_user_on_commit(user.pk)


def user_session_record(*, request, user: User) -> None:
    """Record the request's session as ``user``'s (allauth's ``UserSession``): the one way
    their sessions are found (``workspace.personal_data.sessions_of``: the list on
    /konto/sitzungen/, logging out everywhere, erasure). allauth records its own logins; this
    also records any other (a test client's ``force_login``). Recording twice changes nothing."""
    from allauth.usersessions.models import UserSession

    session = getattr(request, "session", None)
    if session is None:
        return
    UserSession.objects.create_from_request(request, user=user, session=session)


def user_session_moved(*, request, user: User, old_key: str | None) -> None:
    """The session got a new key (a password change does that): its record follows, so the
    session stays findable as the person's."""
    from allauth.usersessions.models import UserSession

    new_key = request.session.session_key
    if not old_key or old_key == new_key:
        return
    if not UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key):
        user_session_record(request=request, user=user)
