"""What the newsletter stores about people (see workspace.personal_data): subscriptions and
deliveries by address, member news by who submitted and reviewed them."""

from __future__ import annotations

from django.db.models import Q

from workspace.personal_data import BLANK, PSEUDONYM, classify


def _by_email(person) -> Q:
    return Q(email__iexact=person.email) if person.email else Q(pk__in=[])


def classify_models() -> None:
    from network.newsletter.models import Delivery, Issue, NewsItem, Subscriber, SubscriptionLog

    classify(
        Subscriber,
        # The address becomes the pseudonym: the row still proves consent and unsubscription
        # happened, and no mail can reach anyone any more.
        personal={"email": PSEUDONYM},
        not_personal=(
            "id", "state", "consent_version", "signed_up_at", "confirmed_at", "unsubscribed_at",
            "confirm_token_hash", "confirm_token_expires_at", "confirm_token_used_at",
            "unsubscribe_key",
        ),
        find=_by_email,
    )  # fmt: skip
    classify(
        SubscriptionLog, not_personal=("id", "subscriber", "action", "at", "consent_version", "via")
    )
    classify(
        Issue,
        person=("created_by", "published_by"),
        not_personal=(
            "id", "number", "title", "editorial", "state", "created_at", "updated_at",
            "published_at", "finished_at", "lease_holder", "lease_until", "watchdog_id",
        ),
    )  # fmt: skip
    classify(
        NewsItem,
        person=("submitted_by", "reviewed_by"),
        not_personal=(
            "id", "title", "body", "link", "image", "image_content_type", "image_alt",
            "municipality", "submitted_at", "state", "review_note", "reviewed_at", "issue",
            "position",
        ),
    )  # fmt: skip
    classify(
        Delivery,
        personal={"email": PSEUDONYM, "error": BLANK},
        not_personal=(
            "id",
            "issue",
            "subscriber",
            "state",
            "attempts",
            "claimed_at",
            "sent_at",
            "resent",
        ),
        find=_by_email,
    )
