"""Writes of personal access tokens (every one through here)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from workspace.api.models import AccessToken, new_token
from workspace.models import User


@transaction.atomic
def access_token_create(
    *, user: User, name: str, scope: str, expires_at: datetime.datetime | None
) -> tuple[AccessToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is never stored
    and so can be shown only this once."""
    token, prefix = new_token()
    row = AccessToken(user=user, name=name.strip(), scope=scope, expires_at=expires_at)
    row.prefix = prefix
    row.digest = AccessToken.digest_of(token)
    row.full_clean()
    row.save()
    return row, token


@transaction.atomic
def access_token_revoke(*, token: AccessToken, by: User) -> bool:
    """Revoke ``token`` at once; returns whether it was still valid. Only its owner may."""
    if token.user_id != by.pk:
        raise PermissionDenied
    return bool(
        AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def access_tokens_revoke_all(*, person: User, **_ignored) -> int:
    """Every token of ``person`` stops working (off-boarding; called in its transaction)."""
    return AccessToken.objects.filter(user=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
