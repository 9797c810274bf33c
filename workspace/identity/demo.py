"""The identity app's part of the demo world: an authenticator app for every demo account whose
rights need a second factor — the office ``buero`` and the committee's deputy chair
``steuerkreis-arnsberg`` (DEBUG only; seed_demo refuses to run otherwise). The one secret is
published in the README, so a newcomer can add it to any authenticator app and log in as either.
It runs after every other part of the demo world (order 900), so the seats that call for a
second factor exist when it asks."""

from __future__ import annotations

DEMO_TOTP_SECRET = "KLASSENRAUMDEMOBUERO2345"  # noqa: S105 – published on purpose, demo only


def seed_identity(*, stdout) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from workspace.identity.second_factor import second_factor_required
    from workspace.models import User

    for user in User.objects.filter(is_active=True).order_by("pk"):
        if not second_factor_required(user):
            continue
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
