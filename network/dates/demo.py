"""The dates of the demo world, relative to the day of seeding, written through the services.

The next Klassentreffen (in six weeks, in Olpe, with two registrations) and a series of
Pausenhof video rounds every second Tuesday from 12 to 13 o'clock, the first with an impulse
from Menden; and one open topic suggestion. A second run finds them and changes nothing; a run
after they have passed plans the next ones.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from network.dates import services
from network.dates.models import Appointment, Registration, TopicSuggestion
from workspace.models import Municipality, Topic, User

KLASSENTREFFEN = "Klassentreffen in Olpe"
PAUSENHOF = "Pausenhof"
FIRST_TOPIC = "Pausenhof: Offene Daten in der Praxis"
SUGGESTION = "Digitale Schulanmeldung – wer hat Erfahrungen?"
VIDEO = "https://video.smartcities-schule.invalid/pausenhof"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _next_weekday(after: datetime.date, weekday: int) -> datetime.date:
    return after + datetime.timedelta(days=(weekday - after.weekday()) % 7 or 7)


def seed_dates(*, stdout) -> None:
    office = User.objects.get(username="buero")
    today = timezone.localdate()
    upcoming = Appointment.objects.upcoming()

    meeting = upcoming.filter(kind=Appointment.Kind.KLASSENTREFFEN, title=KLASSENTREFFEN).first()
    if meeting is None:
        day = _next_weekday(today + datetime.timedelta(weeks=6), 3)  # a Thursday
        meeting = services.appointment_create(
            by=office,
            kind=Appointment.Kind.KLASSENTREFFEN,
            title=KLASSENTREFFEN,
            starts_at=_at(day, 10),
            ends_at=_at(day, 16),
            place="Kreishaus Olpe, Westfälische Straße 75, 57462 Olpe",
            speaker_name="Olga Otten",
            # Olpe's delegate has an account: linked, she appears by name only with consent.
            speaker=User.objects.filter(username="steuerkreis-olpe").first(),
            speaker_municipality=Municipality.objects.get(name="Olpe"),
            description=(
                "Das Netzwerk trifft sich vor Ort: Berichte aus den Leitprojekten, "
                "Austausch in kleinen Runden und ein gemeinsames Mittagessen.\n\n"
                "**Programm**\n\n- 10:00 Ankommen\n- 10:30 Berichte aus den Leitprojekten\n"
                "- 12:30 Mittagessen\n- 13:30 Themenrunden\n- 15:30 Ausblick"
            ),
            topics=Topic.objects.filter(name__in=["Smart-City-Strategie", "Offene Daten"]),
            capacity=40,
        )
    for username in ("team-iserlohn", "steuerkreis-arnsberg"):
        user = User.objects.filter(username=username).first()
        if user and not Registration.objects.active().filter(appointment=meeting, user=user):
            services.registration_create(appointment=meeting, user=user)

    if not upcoming.filter(kind=Appointment.Kind.PAUSENHOF, series__isnull=False).exists():
        series = services.series_create(
            by=office,
            title=PAUSENHOF,
            first_day=_next_weekday(today, 1),  # a Tuesday
            start_time=datetime.time(12, 0),
            end_time=datetime.time(13, 0),
            interval_weeks=2,
            count=6,
            video_url=VIDEO,
            description=(
                "Eine offene Stunde im Video: eine Kollegin oder ein Kollege gibt einen "
                "Impuls, danach tauschen wir uns aus. Keine Anmeldung nötig."
            ),
        )
        first = series.appointments.order_by("starts_at").first()
        services.appointment_update(
            by=office,
            appointment=first,
            title=FIRST_TOPIC,
            speaker_name="Mehmet Mertens",
            speaker=User.objects.filter(username="koordination-menden").first(),
            speaker_municipality=Municipality.objects.get(name="Menden"),
            topics=list(Topic.objects.filter(name="Offene Daten")),
        )

    if not TopicSuggestion.objects.filter(title=SUGGESTION).exists():
        services.suggestion_submit(
            title=SUGGESTION,
            description="Welche Kommune nutzt schon ein Online-Verfahren für die Schulanmeldung?",
            name="Sabine aus Lippstadt",
        )
