"""A meeting as an iCalendar event (RFC 5545), for the invitation mail."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

DURATION = datetime.timedelta(hours=2)


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    out.append(current)
    return "\r\n".join(out)


def meeting_event(meeting, *, items, link: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "klassenraum"
    agenda = "\n".join(f"TOP {item.position}: {item.title}" for item in items)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Smart Cities: Schule//Klassenraum Steuerkreis//DE",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:steuerkreis-sitzung-{meeting.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + DURATION)}",
        f"SUMMARY:{_text(meeting.title)}",
        f"LOCATION:{_text(meeting.place or meeting.video_url)}",
        f"DESCRIPTION:{_text(agenda)}",
        f"URL:{link}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
