"""What the newsletter stores about people (see workspace.personal_data): subscriptions and
deliveries by address, member news by who submitted and reviewed them."""

from __future__ import annotations

from django.db.models import Q

from workspace.personal_data import BLANK, PSEUDONYM, classify


def _address(person) -> str:
    # subscription_request stores every address in lower case, the one way a subscriber is
    # written (the admin only reads): the unique index finds it, no scan of every subscriber.
    return person.email.strip().lower()


def _subscriber_of(person) -> Q:
    return Q(email=_address(person)) if person.email else Q(pk__in=[])


def _deliveries_to(person) -> Q:
    """A delivery goes to its subscriber's address: found through the subscriber's key, not
    by reading every delivery. The subscriber is looked up at once, so erasure still finds
    the deliveries after it gave the subscriber the pseudonym."""
    from network.newsletter.models import Subscriber

    if not person.email:
        return Q(pk__in=[])
    subscribers = Subscriber.objects.filter(_subscriber_of(person)).values_list("pk", flat=True)
    return Q(subscriber__in=list(subscribers))


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
        find=_subscriber_of,
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
        find=_deliveries_to,
    )
