"""What the steering committee stores about people (see workspace.personal_data).

Seats, parties and records point at people by foreign key only; agreements stay immutable
records and keep pointing at the (then pseudonymised) account.
"""

from __future__ import annotations

from django.db.models import Q

from workspace.personal_data import BLANK, classify


def _published_person(person) -> Q:
    """The OParl Person published under a person's own id (only with their consent)."""
    return Q(kind="Person", ident=str(person.pk))


def _withdraw(rows, pseudonym) -> None:
    from steering.oparl.publish import withdraw_rows

    withdraw_rows(rows)


def classify_models() -> None:
    from steering import models as m

    classify(m.Committee, not_personal=("id", "name", "quorum_percent", "chair_votes"))
    classify(
        m.Seat,
        owner=("person",),
        not_personal=("id", "municipality", "role", "starts_on", "ends_on"),
    )
    classify(
        m.Meeting,
        person=("created_by",),
        not_personal=(
            "id", "title", "starts_at", "place", "video_url", "state", "minutes", "invited_at",
            "minutes_approved_at",
        ),
    )  # fmt: skip
    classify(
        m.Proposal,
        person=("drafted_by",),
        not_personal=(
            "id", "kind", "state", "title", "text", "project", "starts_on", "ends_on", "amends",
            "created_at",
        ),
    )  # fmt: skip
    party = ("id", "municipality", "is_lead", "contribution")
    classify(m.ProposalParty, owner=("person",), not_personal=(*party, "proposal"))
    classify(m.AgreementParty, owner=("person",), not_personal=(*party, "agreement"))
    classify(m.ProposalVersion, not_personal=("id", "proposal", "history_row"))
    classify(
        m.AgendaItem,
        not_personal=("id", "meeting", "position", "title", "proposal", "outcome", "closed_at"),
    )
    classify(m.Attendance, not_personal=("id", "meeting", "seat"))
    classify(m.Vote, not_personal=("id", "item", "seat", "municipality", "choice", "cast_at"))
    classify(
        m.Agreement,
        person=("recorded_by",),
        not_personal=(
            "id", "number", "kind", "title", "text", "proposal", "project", "lead", "starts_on",
            "ends_on", "meeting", "item", "votes_yes", "votes_no", "votes_abstain", "present",
            "voting", "amends", "adopted_on", "recorded_at",
        ),
    )  # fmt: skip
    classify(m.Approval, not_personal=("id", "agreement", "result", "history_row"))
    # What OParl published: a named Person row is about that person; erasure leaves its stub.
    classify(
        m.PublishedObject,
        personal={"payload": BLANK, "fingerprint": BLANK},
        not_personal=("id", "kind", "ident", "deleted", "created", "modified"),
        find=_published_person,
        erase=_withdraw,
    )
