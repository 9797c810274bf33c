"""Reads of the dates that are more than one line."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from network.dates.models import Appointment, Registration, TopicSuggestion
from workspace.models import Municipality, User

# Feeds carry what is coming and the recent past, so a calendar keeps last month's dates.
FEED_PAST = datetime.timedelta(days=90)


def _with_counts(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return appointments.select_related("speaker_municipality", "speaker").annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
        ),
    )


def upcoming(*, kind: str | None = None) -> list[Appointment]:
    return list(_with_counts(Appointment.objects.upcoming().of_kind(kind)))


def past(*, kind: str | None = None, limit: int = 20) -> list[Appointment]:
    return list(_with_counts(Appointment.objects.past().of_kind(kind))[:limit])


def registrations_of(user: User, appointments: list[Appointment]) -> dict[int, Registration]:
    """The user's active registration per date of the list (one query; none when anonymous)."""
    if not user.is_authenticated or not appointments:
        return {}
    return {
        r.appointment_id: r
        for r in Registration.objects.active().filter(
            user=user, appointment__in=[a.pk for a in appointments]
        )
    }


def participants(appointment: Appointment) -> tuple[list[Registration], list[Registration]]:
    """(seats, waiting list in order), for the office."""
    active = list(
        appointment.registrations.active().select_related("user").order_by("created_at", "pk")
    )
    confirmed = [r for r in active if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in active if r.status == Registration.Status.WAITING]
    return confirmed, waiting


def next_dates(limit: int = 3) -> list[Appointment]:
    return list(
        Appointment.objects.upcoming().select_related("speaker_municipality", "speaker")[:limit]
    )


def impulses_of(municipality: Municipality) -> list[Appointment]:
    """Dates where a colleague of ``municipality`` gives the impulse: coming ones, then the
    recent past."""
    since = timezone.now() - datetime.timedelta(days=365)
    return list(
        Appointment.objects.filter(speaker_municipality=municipality, ends_at__gte=since).order_by(
            "-starts_at"
        )[:10]
    )


def feed(*, kind: str | None = None) -> QuerySet[Appointment]:
    since = timezone.now() - FEED_PAST
    return (
        Appointment.objects.of_kind(kind)
        .filter(ends_at__gte=since)
        .select_related("speaker_municipality", "speaker")
        .order_by("starts_at", "pk")
    )


def personal_feed(user: User) -> tuple[list[Appointment], dict[int, Registration]]:
    since = timezone.now() - FEED_PAST
    registrations = list(
        Registration.objects.active()
        .filter(user=user, appointment__ends_at__gte=since)
        .select_related("appointment__speaker_municipality", "appointment__speaker")
        .order_by("appointment__starts_at")
    )
    return (
        [r.appointment for r in registrations],
        {r.appointment_id: r for r in registrations},
    )


def my_registrations(user: User) -> list[Registration]:
    return list(
        Registration.objects.active()
        .filter(user=user, appointment__ends_at__gt=timezone.now())
        .select_related("appointment")
        .order_by("appointment__starts_at")
    )


def suggestions() -> tuple[list[TopicSuggestion], list[TopicSuggestion]]:
    """(open suggestions, the ones already handled)."""
    rows = list(TopicSuggestion.objects.select_related("appointment", "submitted_by")[:200])
    open_ = [s for s in rows if s.status == TopicSuggestion.Status.OPEN]
    return open_, [s for s in rows if s.status != TopicSuggestion.Status.OPEN]


def schedulable_pausenhof() -> QuerySet[Appointment]:
    return Appointment.objects.upcoming().filter(
        kind=Appointment.Kind.PAUSENHOF, starts_at__gt=timezone.now()
    )
