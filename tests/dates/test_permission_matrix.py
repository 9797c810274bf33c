"""Who may open which URL of the dates, for GET and POST, by role.

Written out as data (``MATRIX``: url name → (reverse kwargs from the world, expectations)),
not derived from ``network.dates.permissions``, so the two can disagree. Roles: the anonymous
visitor; ``stranger`` (logged in, no member municipality); ``member`` (Brilon staff); the
network ``office``. A refused request leaves the database as it was.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from network.dates import services
from network.dates.forms import form_started_token
from network.dates.models import Appointment, FeedToken, Registration, TopicSuggestion
from tests.dates.conftest import in_days, klassentreffen_for
from tests.matrix import (
    DONE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    check_answer,
    parametrize_cells,
    row_for,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "stranger", "member", "office")
NOT_OFFICE = "Termine legt die Geschäftsstelle des Netzwerks an und pflegt sie."
NOT_MEMBER = "Zum Klassentreffen anmelden können sich Mitarbeitende der Mitgliedskommunen"


OFFICE_ONLY = Expect(403, message=NOT_OFFICE)
MEMBERS_ONLY = Expect(403, message=NOT_MEMBER)
row = row_for(ROLES)


def date(world) -> dict:
    return {"pk": world["klassentreffen"].pk}


def suggestion(world) -> dict:
    return {"pk": world["suggestion"].pk}


NO_POST = (NOPE,) * 4
NO_GET = (NOPE,) * 4
PUBLIC = row(get=(OK,) * 4, post=NO_POST)

# fmt: off
MATRIX = {
    # Public: the list, each date, its .ics, the feeds; suggesting a topic.
    "dates:list": (lambda w: {}, PUBLIC),
    "dates:detail": (date, PUBLIC),
    "dates:ics": (date, PUBLIC),
    "dates:feed": (lambda w: {}, PUBLIC),
    "dates:feed-kind": (lambda w: {"kind": "pausenhof"}, PUBLIC),
    # The secret is the permission: whoever holds the address gets the calendar.
    "dates:feed-personal": (lambda w: {"token": w["token"]}, PUBLIC),
    "dates:suggest": (lambda w: {}, row(get=(OK,) * 4, post=(DONE,) * 4)),
    # Registering: members and the office; cancelling: whoever is logged in (and registered).
    "dates:register": (date, row(get=NO_GET, post=(LOGIN, MEMBERS_ONLY, DONE, DONE))),
    "dates:cancel": (date, row(get=NO_GET, post=(LOGIN, DONE, DONE, DONE))),
    "dates:mine": (lambda w: {}, row(get=(LOGIN, OK, OK, OK), post=NO_POST)),
    "dates:token-renew": (lambda w: {}, row(get=NO_GET, post=(LOGIN, DONE, DONE, DONE))),
    # The network office plans dates and schedules suggestions.
    "dates:create": (lambda w: {}, row(
        get=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, OK), post=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, DONE))),
    "dates:edit": (date, row(
        get=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, OK), post=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, DONE))),
    # (Its POST shows the preview; creating is tested in test_pages.)
    "dates:series-create": (lambda w: {}, row(
        get=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, OK), post=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, OK))),
    "dates:suggestions": (lambda w: {}, row(
        get=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, OK), post=NO_POST)),
    "dates:suggestion-schedule": (suggestion, row(
        get=NO_GET, post=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, DONE))),
    "dates:suggestion-decline": (suggestion, row(
        get=NO_GET, post=(LOGIN, OFFICE_ONLY, OFFICE_ONLY, DONE))),
}
# fmt: on

NEW_DATE = {
    "kind": "klassentreffen",
    "title": "Klassentreffen im Herbst",
    "starts_at": "2031-10-23T10:00",
    "ends_at": "2031-10-23T16:00",
    "place": "Arnsberg",
    "capacity": "30",
}


def post_data(url_name: str, world) -> dict:
    """What a carried-out POST sends (the same for every role)."""
    if url_name in ("dates:create", "dates:edit"):
        return NEW_DATE
    if url_name == "dates:series-create":
        day = timezone.localdate() + datetime.timedelta(days=3)
        return {
            "title": "Pausenhof",
            "first_day": day.isoformat(),
            "start_time": "12:00",
            "end_time": "13:00",
            "interval_weeks": "2",
            "count": "3",
            "video_url": "https://video.example.org/p",
            "vorschau": "",
        }
    if url_name == "dates:suggest":
        started = timezone.now() - datetime.timedelta(minutes=2)
        return {"title": "Glasfaser", "started": form_started_token(started)}
    if url_name == "dates:suggestion-schedule":
        return {"appointment": world["pausenhof"].pk}
    return {}


@pytest.fixture
def world(office, outsider, stranger, editor, as_user, menden):
    klassentreffen = klassentreffen_for(office)
    start = in_days(5, hour=12)
    pausenhof = services.appointment_create(
        by=office,
        kind="pausenhof",
        title="Pausenhof",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        video_url="https://video.example.org/p",
    )
    return {
        "klassentreffen": klassentreffen,
        "pausenhof": pausenhof,
        "suggestion": services.suggestion_submit(title="Offene Daten im Rat"),
        "token": services.feed_token_get_or_create(user=editor).token,
        "users": {"anonymous": None, "stranger": stranger, "member": outsider, "office": office},
    }


def snapshot():
    return (
        sorted(Appointment.objects.values_list("pk", "title", "sequence")),
        sorted(Registration.objects.values_list("pk", "status")),
        sorted(TopicSuggestion.objects.values_list("pk", "status")),
        sorted(FeedToken.objects.values_list("pk", "token")),
    )


@parametrize_cells(MATRIX, ROLES)
def test_matrix(world, as_user, url_name, role, method):
    kwargs, expectations = MATRIX[url_name]
    expected = expectations[method][role]
    url = reverse(url_name, kwargs=kwargs(world))
    user = world["users"][role]
    client = as_user(user)
    if url_name == "dates:cancel" and role in ("member", "office"):
        services.registration_create(appointment=world["klassentreffen"], user=user)
    before = snapshot()

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, post_data(url_name, world), REMOTE_ADDR=f"10.0.0.{len(role)}")

    where = f"{method} {url} als {role}"
    check_answer(response, expected, url=url, where=where)
    if expected.then != "done":
        assert snapshot() == before, f"{where} hat die Datenbank verändert"
    elif not (url_name == "dates:cancel" and role == "stranger"):  # had nothing to cancel
        assert snapshot() != before, f"{where}: nicht ausgeführt"


def test_every_refusal_has_its_reason():
    for url_name, (_kwargs, expectations) in MATRIX.items():
        for method in ("GET", "POST"):
            assert tuple(expectations[method]) == ROLES, url_name
            for expect in expectations[method].values():
                assert (expect.status == 403) == bool(expect.message), url_name
