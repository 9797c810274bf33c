"""The identity app's part of the demo world: the office's authenticator app (DEBUG only;
seed_demo refuses to run otherwise). The secret is published in the README, so a newcomer can
add it to any authenticator app and log in as ``buero``."""

from __future__ import annotations

DEMO_TOTP_SECRET = "KLASSENRAUMDEMOBUERO2345"  # noqa: S105 – published on purpose, demo only


def seed_identity(*, stdout) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from workspace.models import User

    office = User.objects.filter(username="buero").first()
    if office is None:
        return
    if not Authenticator.objects.filter(user=office, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(office, DEMO_TOTP_SECRET)
