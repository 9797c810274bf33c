"""Reads of the identity app."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone


def open_sessions_of(user) -> QuerySet[UserSession]:
    """The person's sessions that are still open (one query, however many)."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=alive).order_by("-created_at")


def account_security(request, user) -> dict:
    """The account page's section on logging in: second factors and sessions (one query)."""
    from allauth.mfa.models import Authenticator

    from workspace.identity.second_factor import second_factor_required

    kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return {
        "has_app": Authenticator.Type.TOTP in kinds,
        "has_keys": Authenticator.Type.WEBAUTHN in kinds,
        "required": second_factor_required(user),
    }
