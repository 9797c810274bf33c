"""Calendar feeds: they parse with icalendar and carry Europe/Berlin times that stay right
across the change to summer time (end of March) and back (end of October)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from network.dates import selectors, services
from network.dates.models import FeedToken, Registration
from tests.dates.conftest import at, klassentreffen_for, many_dates

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def pausenhof_at(office, day: datetime.date, title: str):
    return services.appointment_create(
        by=office,
        kind="pausenhof",
        title=title,
        starts_at=at(day, 12),
        ends_at=at(day, 13),
        video_url="https://video.example.org/geheim",
    )


@pytest.fixture
def around_the_changes(office):
    """Pausenhof dates at noon just before and after both changes of time in 2031 (in the
    future, so the feeds carry them): 30 March and 26 October 2031 are the change days."""
    days = {
        "vor Sommerzeit": datetime.date(2031, 3, 25),
        "nach Sommerzeit": datetime.date(2031, 4, 1),
        "vor Winterzeit": datetime.date(2031, 10, 21),
        "nach Winterzeit": datetime.date(2031, 10, 28),
    }
    return {title: pausenhof_at(office, day, title) for title, day in days.items()}


def test_the_feed_says_noon_in_berlin_on_both_sides_of_both_changes(client, around_the_changes):
    calendar = parse(client.get(reverse("dates:feed")))
    found = events(calendar)
    assert set(found) == set(around_the_changes)
    for event in found.values():
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert (start.hour, start.minute, end.hour) == (12, 0, 13)
        assert event["dtstart"].params["TZID"] == "Europe/Berlin"
        assert start.tzinfo is not None and start.utcoffset() == end.utcoffset()
    # The same noon is a different instant in UTC: +1 in winter, +2 in summer.
    utc_hours = {t: found[t].decoded("dtstart").astimezone(datetime.UTC).hour for t in found}
    assert utc_hours == {
        "vor Sommerzeit": 11,
        "nach Sommerzeit": 10,
        "vor Winterzeit": 10,
        "nach Winterzeit": 11,
    }


def test_the_feed_carries_the_berlin_time_zone_with_its_rules(client, around_the_changes):
    calendar = parse(client.get(reverse("dates:feed")))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    names = {c.name for c in zone.subcomponents}
    assert names == {"STANDARD", "DAYLIGHT"}
    # Read back through the VTIMEZONE itself (not the local tz database): still noon.
    tz = zone.to_tz()
    for event in calendar.walk("VEVENT"):
        start = event.decoded("dtstart")
        assert start.astimezone(tz).hour == 12
        assert start.astimezone(tz).utcoffset() == start.astimezone(BERLIN).utcoffset()


def test_a_date_that_spans_the_night_of_the_change_keeps_its_length(client, office):
    # 29 → 30 March 2031, 20:00 to 04:00 local: only seven hours pass, as the clock jumps.
    date = services.appointment_create(
        by=office,
        kind="sonstiges",
        title="Nachtwanderung",
        starts_at=at(datetime.date(2031, 3, 29), 20),
        ends_at=at(datetime.date(2031, 3, 30), 4),
        place="Sauerland",
    )
    [event] = parse(client.get(reverse("dates:ics", kwargs={"pk": date.pk}))).walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.hour, end.hour) == (20, 4)
    # (Python subtracts two times of one zone by the wall clock, so compare in UTC.)
    assert end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC) == datetime.timedelta(
        hours=7
    )


def test_each_date_downloads_as_ics_with_a_link_back(client, settings, pausenhof):
    settings.SITE_URL = "https://klassenraum.example.org"
    response = client.get(reverse("dates:ics", kwargs={"pk": pausenhof.pk}))
    assert "attachment" in response["Content-Disposition"]
    [event] = parse(response).walk("VEVENT")
    link = f"https://klassenraum.example.org/termine/{pausenhof.pk}/"
    assert str(event["url"]) == link
    assert link in str(event["description"])
    assert str(event["uid"]) == f"termin-{pausenhof.pk}@klassenraum.example.org"
    assert "Mehmet Mertens (Menden)" in str(event["description"])
    # The video link is shown on the page shortly before the start, never in a calendar.
    assert "video.example.org" not in response.content.decode()


def test_one_feed_per_kind(client, office, pausenhof):
    meeting = klassentreffen_for(office)
    per_kind = {
        kind: set(events(parse(client.get(reverse("dates:feed-kind", kwargs={"kind": kind})))))
        for kind in ("klassentreffen", "pausenhof", "sonstiges")
    }
    assert per_kind == {
        "klassentreffen": {meeting.title},
        "pausenhof": {pausenhof.title},
        "sonstiges": set(),
    }
    assert client.get("/termine/kalender/unbekannt.ics").status_code == 404


def test_an_edit_is_a_new_sequence_in_the_feed(client, office, klassentreffen):
    services.appointment_update(
        by=office, appointment=klassentreffen, starts_at=klassentreffen.starts_at
    )
    [event] = parse(client.get(reverse("dates:feed"))).walk("VEVENT")
    assert event["sequence"] == 1


# --- the window of the feeds ------------------------------------------------------------------


def test_the_feed_has_the_recent_past_and_what_is_to_come(client, office):
    many_dates(office, 1, days=-120, title="Lange vorbei")
    many_dates(office, 1, days=-30, title="Letzten Monat")
    many_dates(office, 1, days=400, title="Übernächstes Jahr")
    for url in (
        reverse("dates:feed"),
        reverse("dates:feed-kind", kwargs={"kind": "klassentreffen"}),
    ):
        assert set(events(parse(client.get(url)))) == {
            "Letzten Monat 0001",
            "Übernächstes Jahr 0001",
        }


def test_the_feed_carries_the_next_dates_and_the_latest_past_ones(client, office, monkeypatch):
    """At most ``FEED_UPCOMING_MAX`` to come (the soonest) and ``FEED_PAST_MAX`` past (the
    latest); the rest arrives as the calendar program fetches the feed again."""
    monkeypatch.setattr(selectors, "FEED_UPCOMING_MAX", 3)
    monkeypatch.setattr(selectors, "FEED_PAST_MAX", 2)
    many_dates(office, 5, days=-10, title="Vorbei")  # 10 to 6 days ago
    many_dates(office, 5, days=1, title="Kommt")
    calendar = parse(client.get(reverse("dates:feed")))
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        "Vorbei 0004",
        "Vorbei 0005",
        "Kommt 0001",
        "Kommt 0002",
        "Kommt 0003",
    ]


def test_the_personal_feed_has_the_same_window(client, office, outsider, monkeypatch):
    monkeypatch.setattr(selectors, "FEED_UPCOMING_MAX", 2)
    dates = [
        *many_dates(office, 1, days=-120, title="Lange vorbei"),
        *many_dates(office, 1, days=-30, title="Letzten Monat"),
        *many_dates(office, 3, days=1, title="Kommt"),
    ]
    Registration.objects.bulk_create(
        Registration(appointment=date, user=outsider, status=Registration.Status.CONFIRMED)
        for date in dates
    )
    url = services.feed_token_get_or_create(user=outsider).get_absolute_url()
    assert [str(e["summary"]) for e in parse(client.get(url)).walk("VEVENT")] == [
        "Letzten Monat 0001",
        "Kommt 0001",
        "Kommt 0002",
    ]


# --- the personal feed -------------------------------------------------------------------------


def personal_url(user) -> str:
    return FeedToken.objects.get(user=user).get_absolute_url()


def test_the_personal_feed_has_my_registrations_only(
    client, as_user, klassentreffen, editor, outsider, coordinator, office
):
    other = klassentreffen_for(office, title="Klassentreffen im Herbst", days=60)
    services.registration_create(appointment=klassentreffen, user=editor)
    services.registration_create(appointment=klassentreffen, user=outsider)
    services.registration_create(appointment=klassentreffen, user=coordinator)  # waiting
    services.registration_create(appointment=other, user=outsider)
    as_user(editor).post(reverse("dates:token-renew"))  # the secret address
    as_user(coordinator).post(reverse("dates:token-renew"))

    mine = events(parse(client.get(personal_url(editor))))  # anonymous: a calendar app
    assert set(mine) == {"Klassentreffen in Olpe"}
    assert str(mine["Klassentreffen in Olpe"]["status"]) == "CONFIRMED"
    waiting = events(parse(client.get(personal_url(coordinator))))
    assert str(waiting["Klassentreffen in Olpe"]["status"]) == "TENTATIVE"
    assert "Warteliste" in str(waiting["Klassentreffen in Olpe"]["description"])


def test_a_cancelled_registration_leaves_the_personal_feed(client, as_user, klassentreffen, editor):
    services.registration_create(appointment=klassentreffen, user=editor)
    as_user(editor).post(reverse("dates:token-renew"))
    services.registration_cancel(appointment=klassentreffen, user=editor)
    assert events(parse(client.get(personal_url(editor)))) == {}


def test_the_personal_feed_is_secret_and_private(client, as_user, editor):
    owner = as_user(editor)
    looking = owner.get(reverse("dates:mine")).content.decode()
    assert "Persönliche Kalenderadresse erzeugen" in looking
    assert not FeedToken.objects.exists()  # looking creates nothing
    owner.post(reverse("dates:token-renew"))
    page = owner.get(reverse("dates:mine"))
    token = FeedToken.objects.get(user=editor).token
    assert len(token) >= 40  # 32 random bytes
    assert token in page.content.decode()
    response = client.get(personal_url(editor))
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    # Nobody else's page shows it.
    assert token not in client.get(reverse("dates:list")).content.decode()


@pytest.mark.parametrize("token", ["falsch", "x" * 43, ""])
def test_a_wrong_token_is_not_found(client, as_user, editor, token):
    as_user(editor).post(reverse("dates:token-renew"))
    response = client.get(f"/termine/kalender/persoenlich/{token}.ics")
    assert response.status_code == 404


def test_renewing_the_token_revokes_the_old_address(client, as_user, editor):
    owner = as_user(editor)
    owner.post(reverse("dates:token-renew"))
    old = personal_url(editor)
    assert client.get(old).status_code == 200

    response = owner.post(reverse("dates:token-renew"))

    assert response.status_code == 302
    new = personal_url(editor)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_deactivated_account_has_no_feed(client, as_user, editor):
    as_user(editor).post(reverse("dates:token-renew"))
    url = personal_url(editor)
    editor.is_active = False
    editor.save()
    assert client.get(url).status_code == 404
