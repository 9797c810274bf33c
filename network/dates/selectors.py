"""Reads of the dates that are more than one line."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from network.dates.models import Appointment, Registration, TopicSuggestion
from workspace.models import Membership, Municipality, User

# The feeds carry the recent past, so a calendar keeps last month's dates, and the dates to
# come, soonest first. Both parts are capped: a subscriber's calendar program fetches the feed
# every few hours and needs the next months, not every date the network will ever plan; the
# caps keep the feed's size (and the time to build it) the same for a region and the nation.
FEED_PAST = datetime.timedelta(days=90)
FEED_PAST_MAX = 30
FEED_UPCOMING_MAX = 150

# Where a speaker without consent to show their name appears as "Mitarbeiter*in der Stadt …"
# (workspace.people.home_municipality reads the prefetched memberships instead of one query each).
_SPEAKER_MEMBERSHIPS = Prefetch(
    "speaker__memberships", queryset=Membership.objects.select_related("municipality")
)


def upcoming(*, kind: str | None = None) -> QuerySet[Appointment]:
    """The dates still to come, soonest first (``pk`` keeps the order stable for pages), for
    :func:`workspace.pagination.paginate`; :func:`with_counts` then adds a page's seat counts."""
    return (
        Appointment.objects.upcoming()
        .of_kind(kind)
        .select_related("speaker_municipality", "speaker")
    )


def with_counts(appointments: Sequence[Appointment]) -> list[Appointment]:
    """``appointments`` with ``confirmed_count`` and ``waiting_count`` set, and the speakers'
    municipalities at hand: one query for the seats of these dates only (none for no dates),
    one more when a speaker has an account."""
    appointments = list(appointments)
    if not appointments:
        return appointments
    counts = {
        (row["appointment_id"], row["status"]): row["n"]
        for row in Registration.objects.active()
        .filter(appointment__in=[a.pk for a in appointments])
        .order_by()
        .values("appointment_id", "status")
        .annotate(n=Count("pk"))
    }
    for appointment in appointments:
        appointment.confirmed_count = counts.get((appointment.pk, Registration.Status.CONFIRMED), 0)
        appointment.waiting_count = counts.get((appointment.pk, Registration.Status.WAITING), 0)
    _with_speaker_homes(appointments)
    return appointments


def _with_speaker_homes(appointments: list[Appointment]) -> None:
    if any(a.speaker_id for a in appointments):
        prefetch_related_objects(appointments, _SPEAKER_MEMBERSHIPS)


def past(*, kind: str | None = None, limit: int = 20) -> list[Appointment]:
    """The latest ``limit`` dates that are over, newest first (titles and days only)."""
    return list(Appointment.objects.past().of_kind(kind)[:limit])


def registrations_of(user: User, appointments: Sequence[Appointment]) -> dict[int, Registration]:
    """The user's active registration per date of ``appointments`` (the dates of one page: one
    query; none when anonymous)."""
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


def feed(*, kind: str | None = None, now: datetime.datetime | None = None) -> list[Appointment]:
    """The dates of a public calendar feed, in order of their start: those that ended within
    ``FEED_PAST`` (at most the latest ``FEED_PAST_MAX``) and the next ``FEED_UPCOMING_MAX`` still
    to come. Two queries (three when a speaker has an account), whatever the network's size."""
    now = now or timezone.now()
    dates = Appointment.objects.of_kind(kind).select_related("speaker_municipality", "speaker")
    recent = list(dates.past(now).filter(ends_at__gte=now - FEED_PAST)[:FEED_PAST_MAX])
    coming = list(dates.upcoming(now)[:FEED_UPCOMING_MAX])
    appointments = recent[::-1] + coming
    _with_speaker_homes(appointments)
    return appointments


def personal_feed(user: User) -> tuple[list[Appointment], dict[int, Registration]]:
    """A person's registrations for a personal feed, with the same window as :func:`feed`: the
    recent past and what is to come (a person registers for a handful of dates a year, so the
    caps are a guard, not a cut anyone notices)."""
    now = timezone.now()
    registrations = (
        Registration.objects.active()
        .filter(user=user)
        .select_related("appointment__speaker_municipality", "appointment__speaker")
    )
    recent = list(
        registrations.filter(
            appointment__ends_at__lte=now, appointment__ends_at__gte=now - FEED_PAST
        ).order_by("-appointment__starts_at", "-appointment__pk")[:FEED_PAST_MAX]
    )
    coming = list(
        registrations.filter(appointment__ends_at__gt=now).order_by(
            "appointment__starts_at", "appointment__pk"
        )[:FEED_UPCOMING_MAX]
    )
    rows = recent[::-1] + coming
    appointments = [r.appointment for r in rows]
    _with_speaker_homes(appointments)
    return appointments, {r.appointment_id: r for r in rows}


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
