"""Dates as iCalendar (RFC 5545), built with the ``icalendar`` library.

Times are written as local Europe/Berlin times with a TZID and a VTIMEZONE component, so a
calendar shows 12:00 for a Pausenhof at noon in January and in July alike. Every event links
back to its page. The video link is never in a feed: it appears on the page shortly before the
start (``Appointment.video_link_visible``), for everyone at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from network.dates.models import Appointment, Registration
from workspace.people import public_name

BERLIN = ZoneInfo("Europe/Berlin")


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "klassenraum"


def link_to(appointment: Appointment) -> str:
    return f"{settings.SITE_URL}{appointment.get_absolute_url()}"


def event_for(appointment: Appointment, *, registration: Registration | None = None) -> Event:
    event = Event()
    link = link_to(appointment)
    event.add("uid", f"termin-{appointment.pk}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(BERLIN))
    event.add("dtend", appointment.ends_at.astimezone(BERLIN))
    event.add("summary", appointment.title)
    event.add("sequence", appointment.sequence)
    event.add("last-modified", appointment.updated_at)
    event.add("categories", [appointment.get_kind_display()])
    event.add("url", link)
    if appointment.place:
        event.add("location", appointment.place)
    elif appointment.video_url:
        event.add("location", _("Videokonferenz (Link auf der Terminseite)"))
    parts = []
    if appointment.speaker_name:
        # Feeds are public: a colleague with an account appears by name only with consent.
        speaker = (
            public_name(appointment.speaker, None)
            if appointment.speaker_id
            else appointment.speaker_name
        )
        if appointment.speaker_municipality_id:
            speaker = f"{speaker} ({appointment.speaker_municipality})"
        parts.append(_("Impuls: %(speaker)s") % {"speaker": speaker})
    if appointment.description:
        parts.append(appointment.description)
    if registration is not None and registration.status == Registration.Status.WAITING:
        parts.append(_("Sie stehen auf der Warteliste."))
    parts.append(_("Zum Termin im Klassenraum: %(link)s") % {"link": link})
    event.add("description", "\n\n".join(parts))
    if registration is not None:
        tentative = registration.status == Registration.Status.WAITING
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return event


def calendar(
    appointments: Iterable[Appointment],
    *,
    name: str,
    registrations: dict[int, Registration] | None = None,
) -> bytes:
    """One calendar of ``appointments`` (``registrations`` by appointment id, for a person's)."""
    cal = Calendar()
    cal.add("prodid", "-//Smart Cities: Schule//Klassenraum Termine//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    for appointment in appointments:
        registration = (registrations or {}).get(appointment.pk)
        cal.add_component(event_for(appointment, registration=registration))
    # A VTIMEZONE for every TZID the events use (Europe/Berlin, with its DST rules).
    cal.add_missing_timezones()
    return cal.to_ical()
