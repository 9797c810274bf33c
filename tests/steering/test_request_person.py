"""The person of a request is loaded with what every page asks of them, in one query
(workspace/backends.py), and a session ended by someone else ends at once also when sessions
are read from a cache (workspace/sessions.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from steering import services
from steering.models import Seat
from workspace.services import network_office_add, sessions_end

pytestmark = pytest.mark.django_db


def _tables_asked(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def _asking(sqls: list[str], table: str) -> int:
    return sum(f'FROM "{table}"' in sql for sql in sqls)


def test_a_members_request_asks_nothing_of_groups_or_seats(client, outsider):
    client.force_login(outsider)
    asked = _tables_asked(client, reverse("municipality-list"))
    [person] = [sql for sql in asked if 'FROM "workspace_user"' in sql]
    others = [sql for sql in asked if sql != person]
    # Office and seat are asked inside the query that loads the person, and nowhere else.
    assert 'FROM "auth_group"' in person and 'FROM "steering_seat"' in person
    assert _asking(others, "auth_group") == 0
    assert _asking(others, "steering_seat") == 0
    assert _asking(others, "workspace_user_groups") == 0


def test_office_and_seat_are_known_from_the_person_and_never_stale(client, outsider, office):
    client.force_login(outsider)
    before = client.get(reverse("account")).wsgi_request.user
    assert (before._is_network_office, before._active_seat_id) == (False, None)

    # Rights given between two requests count at the next one.
    network_office_add(user=outsider)
    seat = services.seat_assign(
        by=office,
        person=outsider,
        municipality=outsider.memberships.get().municipality,
        role=Seat.Role.MEMBER,
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    # (the office must now set up a second factor first: the answer is that redirect)
    user = client.get(reverse("account")).wsgi_request.user
    assert user._is_network_office is True
    assert user._active_seat_id == seat.pk


def test_a_seat_that_ended_yesterday_is_no_seat_today(client, outsider, office):
    today = timezone.localdate()
    services.seat_assign(
        by=office,
        person=outsider,
        municipality=outsider.memberships.get().municipality,
        role=Seat.Role.MEMBER,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
    )
    client.force_login(outsider)
    user = client.get(reverse("account")).wsgi_request.user
    assert user._active_seat_id is None


@pytest.mark.parametrize("cached", [False, True], ids=["db", "cached_db"])
def test_a_session_ended_by_the_office_ends_at_once(settings, outsider, cached):
    if cached:
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    browser = Client()
    browser.force_login(outsider)
    assert browser.get(reverse("account")).status_code == 200

    assert sessions_end(user=outsider) == 1

    response = browser.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_seat_that_starts_tomorrow_counts_from_tomorrow_in_a_running_process(
    client, outsider, office, monkeypatch
):
    """The person's query is written once a day per process: the next day asks anew."""
    today = timezone.localdate()
    seat = services.seat_assign(
        by=office,
        person=outsider,
        municipality=outsider.memberships.get().municipality,
        role=Seat.Role.MEMBER,
        starts_on=today + datetime.timedelta(days=1),
    )
    client.force_login(outsider)
    assert client.get(reverse("account")).wsgi_request.user._active_seat_id is None

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(days=1))
    assert client.get(reverse("account")).wsgi_request.user._active_seat_id == seat.pk
