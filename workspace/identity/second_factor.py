"""Who must use a second factor, and whether this session has used one.

Required for the network office, for everyone who may use the administration (``/verwaltung/``)
and for whatever a higher app registers (the steering app: the committee's chair), since the
core knows nothing of them. A person who must is asked to set one up at their next login and
can use nothing but that setup (and logging out) before; everyone else may add one on
``/konto/zweiter-faktor/``.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from workspace.permissions import is_network_office

SecondFactorRule = Callable[[object], bool]
_rules: list[SecondFactorRule] = []


def register_second_factor_rule(rule: SecondFactorRule) -> None:
    """``rule(user)`` → whether the user must use a second factor (higher apps, in ready())."""
    if rule not in _rules:
        _rules.append(rule)


def second_factor_required(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or is_network_office(user)
        or any(rule(user) for rule in _rules)
    )


def has_second_factor(user) -> bool:
    """Whether the user has a TOTP app or a security key (recovery codes alone are none)."""
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def session_verified(request: HttpRequest) -> bool:
    """Whether this session's login included a second factor (or a passkey)."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def mark_session_verified(request: HttpRequest, *, user, kind: str) -> None:
    """A factor just proven in this session (set up with a valid code or key) counts."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", type=kind)
