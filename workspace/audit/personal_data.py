"""What the security log stores about people (see workspace.personal_data).

Entries point at the account they are about (``account``) and at who acted (``by``); the
client address of a login is personal data. Erasure keeps the entries: they name nobody
(the account they point at becomes the pseudonym) and they go by themselves after the
retention period (Art. 17 (3) GDPR, the security of the processing, Art. 32)."""

from __future__ import annotations

from workspace.personal_data import BLANK, classify


def _keep(rows, pseudonym: str) -> None:
    """Nothing to rewrite: the entries hold no name, and the database refuses changes."""


def classify_models() -> None:
    from workspace.audit.models import SecurityEvent

    classify(
        SecurityEvent,
        owner=("account",),
        person=("by",),
        personal={"address": BLANK},
        not_personal=("id", "at", "kind", "provider", "detail"),
        erase=_keep,
    )
