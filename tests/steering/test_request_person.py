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
from tests.factories import MembershipFactory
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


ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    # Production's with CACHE_URL: the session's person read along with the session.
    "workspace.sessions",
]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_session_ended_by_the_office_ends_at_once(settings, outsider, engine):
    settings.SESSION_ENGINE = engine
    browser = Client()
    browser.force_login(outsider)
    assert browser.get(reverse("account")).status_code == 200

    assert sessions_end(user=outsider) == 1

    response = browser.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_seat_that_starts_tomorrow_counts_from_tomorrow_in_a_running_process(
    settings, client, outsider, office, monkeypatch, engine
):
    """The person's query is written once a day per process, and the person a session kept is
    kept for the day: the next day asks anew."""
    settings.SESSION_ENGINE = engine
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


def _person_queries(client: Client, url: str) -> int:
    return _asking(_tables_asked(client, url), "workspace_user")


@pytest.fixture
def kept(settings, outsider):
    """A browser of ``outsider`` whose session has kept its person (workspace.sessions)."""
    settings.SESSION_ENGINE = "workspace.sessions"
    browser = Client()
    browser.force_login(outsider)
    assert _person_queries(browser, reverse("account")) == 1
    return browser


def test_the_next_request_of_a_session_takes_its_person_from_the_cache(kept, outsider):
    assert _person_queries(kept, reverse("account")) == 0
    response = kept.get(reverse("account"))
    assert response.wsgi_request.user == outsider
    assert outsider.username in response.content.decode()


def test_a_change_to_the_person_shows_on_the_next_request(kept, outsider):
    """Any write retires the kept person (the page cache's write stamp): here a place in the
    office group."""
    assert not kept.get(reverse("account")).wsgi_request.user._is_network_office
    network_office_add(user=outsider)

    assert _person_queries(kept, reverse("account")) == 1
    assert kept.get(reverse("account")).wsgi_request.user._is_network_office


@pytest.mark.parametrize("change", ["deactivated", "password"])
def test_a_closed_account_or_a_new_password_ends_the_kept_session_at_once(kept, outsider, change):
    User = type(outsider)
    if change == "deactivated":
        User.objects.filter(pk=outsider.pk).update(is_active=False)
    else:
        outsider.set_password("ein neues Passwort 2026")
        User.objects.filter(pk=outsider.pk).update(password=outsider.password)

    response = kept.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_kept_person_serves_only_the_session_that_names_them(kept, outsider, brilon):
    """Another person's session never gets this one's kept person, even when the write stamp
    has not moved: the cache key is the session's, and the session must name the person."""
    other = MembershipFactory(user__username="kommune-brilon-2", municipality=brilon).user
    browser = Client()
    browser.force_login(other)
    assert browser.get(reverse("account")).wsgi_request.user == other
    assert browser.get(reverse("account")).wsgi_request.user == other
    assert kept.get(reverse("account")).wsgi_request.user == outsider
