"""What joining stores about people (see workspace.personal_data): requests and invitations
carry names and addresses typed in by hand, found by the person's e-mail address."""

from __future__ import annotations

from django.db.models import Q

from workspace.personal_data import BLANK, PSEUDONYM, classify


def _by_email(person) -> Q:
    return Q(email__iexact=person.email) if person.email else Q(pk__in=[])


def classify_models() -> None:
    from network.joining.models import Invitation, JoinRequest

    classify(
        JoinRequest,
        person=("decided_by",),
        personal={"contact_name": PSEUDONYM, "email": BLANK, "function": BLANK, "message": BLANK},
        not_personal=(
            "id", "municipality_name", "municipality", "consent_version", "created_at", "status",
            "first_request", "decided_at", "decision_note",
        ),
        find=_by_email,
    )  # fmt: skip
    classify(
        Invitation,
        person=("invited_by", "accepted_by"),
        personal={"name": PSEUDONYM, "email": BLANK, "function": BLANK},
        not_personal=(
            "id", "municipality", "role", "join_request", "token_hash", "created_at",
            "expires_at", "accepted_at", "revoked_at",
        ),
        find=_by_email,
    )  # fmt: skip
