"""What dates store about people (see workspace.personal_data): registrations, the colleague
giving an impulse, topic suggestions and personal calendar feeds."""

from __future__ import annotations

from django.db.models import Q

from workspace.personal_data import BLANK, DELETE_ROW, PSEUDONYM, classify


def classify_models() -> None:
    from network.dates.models import Appointment, FeedToken, Registration, Series, TopicSuggestion

    classify(Series, person=("created_by",), not_personal=("id", "title", "rule", "created_at"))
    classify(
        Appointment,
        person=("created_by",),
        owner=("speaker",),
        personal={"speaker_name": PSEUDONYM},
        not_personal=(
            "id", "kind", "title", "starts_at", "ends_at", "place", "video_url",
            "speaker_municipality", "description", "capacity", "series", "sequence",
            "created_at", "updated_at",
        ),
        find=lambda person: Q(speaker_name=person.get_display_name()),
    )  # fmt: skip
    classify(Appointment.topics.through, not_personal=("id", "appointment", "topic"))
    classify(
        Registration,
        owner=("user",),
        not_personal=(
            "id", "appointment", "status", "created_at", "moved_up_at", "cancelled_at",
            "reminded_at",
        ),
    )  # fmt: skip
    classify(
        TopicSuggestion,
        owner=("submitted_by",),
        personal={"name": PSEUDONYM, "email": BLANK, "sender_hash": BLANK},
        not_personal=("id", "title", "description", "status", "appointment", "created_at"),
        find=lambda person: Q(email__iexact=person.email) if person.email else Q(pk__in=[]),
    )
    classify(
        FeedToken,
        owner=("user",),
        personal={"token": DELETE_ROW},
        not_personal=("id", "created_at"),
    )
