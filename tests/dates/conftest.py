"""The dates' part of the test world: a coming Klassentreffen with few seats, a Pausenhof."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from network.dates import services
from network.dates.models import Appointment
from tests.factories import MembershipFactory


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A Berlin wall-clock time on ``day``."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    return at(timezone.localdate() + datetime.timedelta(days=days), hour)


def klassentreffen_for(office, *, capacity=2, days=30, **fields) -> Appointment:
    start = fields.pop("starts_at", None) or in_days(days)
    return services.appointment_create(
        by=office,
        kind=Appointment.Kind.KLASSENTREFFEN,
        title=fields.pop("title", "Klassentreffen in Olpe"),
        starts_at=start,
        ends_at=fields.pop("ends_at", None) or start + datetime.timedelta(hours=6),
        place=fields.pop("place", "Kreishaus Olpe"),
        capacity=capacity,
        **fields,
    )


@pytest.fixture
def klassentreffen(office):
    return klassentreffen_for(office)


@pytest.fixture
def pausenhof(office, menden):
    start = in_days(7, hour=12)
    return services.appointment_create(
        by=office,
        kind=Appointment.Kind.PAUSENHOF,
        title="Pausenhof: Offene Daten",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        video_url="https://video.example.org/pausenhof",
        speaker_name="Mehmet Mertens",
        speaker_municipality=menden,
    )


@pytest.fixture
def members(iserlohn):
    """Five more colleagues of a member municipality, each with an e-mail address."""
    return [
        MembershipFactory(user__username=f"kollegin-{n}", municipality=iserlohn).user
        for n in range(5)
    ]


def many_dates(
    office, n: int, *, days: int = 1, kind: str = Appointment.Kind.KLASSENTREFFEN, **fields
) -> list[Appointment]:
    """``n`` dates in one insert (no reminders scheduled), one a day from ``days`` days from
    today at 10:00 (negative: in the past), titled "Termin 0001", "Termin 0002", …"""
    title = fields.pop("title", "Termin")
    rows = []
    for i in range(n):
        start = in_days(days + i)
        rows.append(
            Appointment(
                kind=kind,
                title=f"{title} {i + 1:04d}",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                place="Kreishaus Olpe",
                created_by=office,
                **fields,
            )
        )
    return Appointment.objects.bulk_create(rows)
