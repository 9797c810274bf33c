"""Reads of the Schülerzeitung that are more than one line."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from network.newsletter.models import Delivery, Issue, NewsItem, Subscriber


def published_issues() -> QuerySet[Issue]:
    return Issue.objects.published().annotate(item_count=Count("items")).order_by("-number")


def latest_issue() -> Issue | None:
    return Issue.objects.published().order_by("-number").first()


def issue_items(issue: Issue) -> list[NewsItem]:
    return list(issue.items.select_related("municipality").order_by("position", "pk"))


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    in_flight: int
    queued: int
    failed: int
    skipped: int

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(issue: Issue) -> Progress:
    """The sending's numbers in one query."""
    S = Delivery.State
    counts = issue.deliveries.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(state=S.SENT)),
        in_flight=Count("pk", filter=Q(state=S.IN_FLIGHT)),
        queued=Count("pk", filter=Q(state=S.QUEUED)),
        failed=Count("pk", filter=Q(state=S.FAILED)),
        skipped=Count("pk", filter=Q(state=S.SKIPPED)),
    )
    return Progress(**counts)


def confirmed_count() -> int:
    return Subscriber.objects.filter(state=Subscriber.State.CONFIRMED).count()


def subscriber_counts() -> dict[str, int]:
    S = Subscriber.State
    return Subscriber.objects.aggregate(
        confirmed=Count("pk", filter=Q(state=S.CONFIRMED)),
        pending=Count("pk", filter=Q(state=S.PENDING)),
        unsubscribed=Count("pk", filter=Q(state=S.UNSUBSCRIBED)),
    )
