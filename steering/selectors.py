"""Reads of the steering committee that are more than one line."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from projects.models import LeadProject, Result
from steering.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Approval,
    Meeting,
    Proposal,
    Seat,
    Vote,
)


def agreements_of_project(project: LeadProject) -> list[Agreement]:
    return list(
        Agreement.objects.filter(project=project)
        .select_related("meeting")
        .order_by("adopted_on", "pk")
    )


def approvals_of_result(result: Result) -> list[Approval]:
    return list(
        Approval.objects.filter(result=result)
        .select_related("agreement", "history_row")
        .order_by("history_row__revision", "pk")
    )


def seats() -> tuple[list[Seat], list[Seat]]:
    """(today's seats, former terms)."""
    active = (
        Seat.objects.active()
        .select_related("person", "municipality")
        .order_by("municipality__name")
    )
    active_ids = [s.pk for s in active]
    former = (
        Seat.objects.exclude(pk__in=active_ids)
        .select_related("person", "municipality")
        .order_by("-ends_on", "municipality__name")
    )
    return list(active), list(former)


def meetings() -> QuerySet[Meeting]:
    """Newest first; pk settles meetings that start at the same time, so pages never overlap."""
    return Meeting.objects.order_by("-starts_at", "-pk")


def with_item_counts(meetings) -> list[Meeting]:
    """``meetings`` (one page) with ``item_count`` set on each: one query over their items."""
    meetings = list(meetings)
    counts = dict(
        AgendaItem.objects.filter(meeting__in=[m.pk for m in meetings])
        .values("meeting")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("meeting", "n")
    )
    for meeting in meetings:
        meeting.item_count = counts.get(meeting.pk, 0)
    return meetings


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda with each proposal and its counted votes, in one query plus prefetches."""
    return list(
        meeting.items.select_related("proposal", "agreement")
        .annotate(
            yes=Count("votes", filter=Q(votes__choice=Vote.Choice.YES)),
            no=Count("votes", filter=Q(votes__choice=Vote.Choice.NO)),
            abstain=Count("votes", filter=Q(votes__choice=Vote.Choice.ABSTAIN)),
        )
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("municipality", "seat__person"))
        )
        .order_by("position")
    )


def proposals() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("project", "drafted_by").order_by("-created_at", "-pk")


def register(agreements: QuerySet[Agreement], *, project=None, municipality=None):
    if project is not None:
        agreements = agreements.filter(project=project)
    if municipality is not None:
        agreements = agreements.filter(
            Q(lead=municipality) | Q(parties__municipality=municipality)
        ).distinct()
    # Newest first; pk settles agreements of one day, so the register's pages never overlap.
    return (
        agreements.select_related("project", "lead", "meeting")
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("municipality"))
        )
        .order_by("-adopted_on", "-pk")
    )
