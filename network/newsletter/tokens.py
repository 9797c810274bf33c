"""The secrets in the newsletter's links.

- Confirmation: a random secret, stored only as its SHA-256; single-use and expiring
  (``CONFIRM_HOURS``).
- Unsubscribe: signed (subscriber, key) with a timestamp; expires after
  ``UNSUBSCRIBE_DAYS``, long enough for every issue of the past year to keep working, and
  dies with the subscription it belongs to (the key is renewed on each confirmation).
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

from django.core import signing

CONFIRM_HOURS = 48
UNSUBSCRIBE_DAYS = 400
_UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class Outcome(StrEnum):
    """What following a link did: the page says it in words."""

    DONE = "done"
    ALREADY = "already"  # used before / already unsubscribed: nothing changed
    EXPIRED = "expired"
    INVALID = "invalid"  # forged, mistyped or from an earlier subscription


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def unsubscribe_token(subscriber_id: int, key: str) -> str:
    return signing.dumps([subscriber_id, key], salt=_UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[Outcome, int | None, str | None]:
    try:
        subscriber_id, key = signing.loads(
            token, salt=_UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_DAYS * 24 * 3600
        )
    except signing.SignatureExpired:
        return Outcome.EXPIRED, None, None
    except (signing.BadSignature, ValueError, TypeError):
        return Outcome.INVALID, None, None
    return Outcome.DONE, subscriber_id, key
