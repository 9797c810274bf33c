"""A person's own data at national scale (issue #27): /konto/daten/ and /konto/daten.json cost
the same queries for 10 and for 1,000 rows of each kind a person gathers many of; the page
shows each kind's number and its newest entries, the download every entry; only the person
themself gets either. Their sessions are found by the record every login leaves, not by
decoding every session of the network.
"""

from __future__ import annotations

import importlib
import json

import pytest
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from network.discussion.models import Comment
from network.newsletter import services as newsletter
from network.newsletter.models import Delivery, Issue, Subscriber
from projects.models import LeadProject, ProjectActivity, Result, TeamMembership, Visibility
from tests.conftest import PASSWORD
from tests.projects.factories import lead_project
from tests.steering.conftest import committee, proposed_project  # noqa: F401 – fixtures
from tests.steering.test_services import agreement  # noqa: F401 – fixture
from tests.workspace.test_personal_data import ida, traces  # noqa: F401 – fixtures
from workspace.audit.models import SecurityEvent
from workspace.models import Follow, Notification
from workspace.personal_data import (
    person_erase,
    personal_data_export,
    sessions_of,
)
from workspace.services import sessions_end

pytestmark = pytest.mark.django_db

NOTE = "Ein Hinweis für Ida"


@pytest.fixture
def project(coordinator, editor, menden):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        visibility=Visibility.PUBLIC,
        team=[(editor, TeamMembership.Role.EDITOR)],
    )


class Traces:
    """Rows of the kinds a person gathers many of, grown to a number (``grow``): notifications
    to and from them, follows, security-log entries, results they wrote with their versions,
    comments with theirs, project activity and sessions."""

    def __init__(self, person, other, project):
        self.person, self.other, self.project = person, other, project
        self.have = 0

    def grow(self, upto: int) -> None:
        person, other, project = self.person, self.other, self.project
        numbers = range(self.have, upto)
        kind = ContentType.objects.get_for_model(LeadProject)
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=person,
                    actor=other,
                    kind="comment",
                    target_type=kind,
                    target_id=project.pk,
                    title=f"{NOTE} {n}",
                    url=project.get_absolute_url(),
                )
                for n in numbers
            ]
            + [
                Notification(
                    recipient=other,
                    actor=person,
                    kind="comment",
                    target_type=kind,
                    target_id=project.pk,
                    title=f"Von Ida {n}",
                    url=project.get_absolute_url(),
                )
                for n in numbers
            ]
        )
        Follow.objects.bulk_create(
            [Follow(user=person, target_type=kind, target_id=10_000 + n) for n in numbers]
        )
        SecurityEvent.objects.bulk_create(
            [SecurityEvent(kind=SecurityEvent.Kind.LOGIN, account=person) for _ in numbers]
        )
        results = bulk_create_with_history(
            [
                Result(project=project, title=f"Idas Ergebnis {n}", body="Text", created_by=person)
                for n in numbers
            ],
            Result,
            default_user=person,
        )
        bulk_create_with_history(
            [
                Comment(project=project, result=result, author=person, body=f"Kommentar {n}")
                for n, result in zip(numbers, results, strict=True)
            ],
            Comment,
            default_user=person,
        )
        ProjectActivity.objects.bulk_create(
            [ProjectActivity(project=project, actor=person, kind="member_added") for _ in numbers]
        )
        sessions = []
        for _ in numbers:
            store = SessionStore()
            store["_auth_user_id"] = str(person.pk)
            store.create()
            sessions.append(UserSession(user=person, session_key=store.session_key, ip="127.0.0.1"))
        UserSession.objects.bulk_create(sessions)
        self.have = upto


@pytest.fixture
def gathered(editor, office, project):
    return Traces(editor, office, project)


def _queries(client: Client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.mark.parametrize("url", ["/konto/daten/", "/konto/daten.json"])
def test_the_own_data_costs_the_same_for_10_and_1000_rows_of_each_kind(
    url, gathered, editor, as_user
):
    client = as_user(editor)
    gathered.grow(10)
    client.get(url)  # warm the session, the person and the content types
    few, _response = _queries(client, url)
    gathered.grow(1000)
    many, response = _queries(client, url)
    assert many == few
    if url.endswith(".json"):
        data = json.loads(response.content)["daten"]
        mine = [row for row in data["Benachrichtigungen"] if row["eintrag"].count(NOTE)]
        assert len(mine) == 1000  # the download holds every entry
        assert len(data["Sitzungen"]) >= 1000
        assert len(data["Kommentare"]) == 1000


def test_the_page_shows_each_kinds_number_and_its_newest_entries(gathered, editor, as_user):
    gathered.grow(1000)
    page = as_user(editor).get("/konto/daten/").content.decode()
    # Notifications to her and from her: 2,000 rows.
    assert "Benachrichtigungen (2.000)" in page
    assert "Hier stehen die neuesten 10 von 2.000 Einträgen." in page
    assert "Alle stehen in der JSON-Datei." in page
    assert "Von Ida 999" in page  # the newest is shown …
    assert f"{NOTE} 0" not in page  # … the oldest only in the download
    assert page.count('class="kern-description-list kr-box"') <= 10 * 30


def test_each_kind_of_the_export_is_one_query(ida, traces, office, coordinator):  # noqa: F811
    """No row's entry reads anything of its own: every related row it names is joined
    (``classify(related=…)`` where its name reaches further), checked for everyone with rows
    of many kinds. Besides one query per kind they have rows of: one counting every kind, and
    the lookups of their sessions and newsletter subscription."""
    for person in (ida, office, coordinator):
        personal_data_export(person)  # content types and the like are cached once
        with CaptureQueriesContext(connection) as context:
            export = personal_data_export(person)
        assert len(export) >= 5
        assert len(context.captured_queries) <= len(export) + 3, person


def test_the_deliveries_of_the_newsletter_are_found_and_erased(ida, office):  # noqa: F811
    subscriber = newsletter.subscription_request(email=ida.email.upper(), consent=True)
    issue = Issue.objects.create(title="Ausgabe 1", created_by=office)
    Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    export = personal_data_export(ida)
    assert [row["email"] for row in export["Abonnent*innen"]] == [ida.email.lower()]
    assert len(export["Zustellungen"]) == 1
    person_erase(ida)
    assert not Delivery.objects.filter(email__iexact=ida.email).exists()
    assert not Subscriber.objects.filter(email__iexact=ida.email).exists()


def test_only_the_person_themself_gets_their_data(gathered, editor, coordinator, as_user):
    gathered.grow(10)
    for url in ("/konto/daten/", "/konto/daten.json"):
        anonymous = as_user(None).get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login"))
        theirs = as_user(coordinator).get(url).content.decode()
        assert NOTE not in theirs and "Von Ida" not in theirs  # another gets only their own
        assert "Von Ida" in as_user(editor).get(url).content.decode()


# --- sessions ---------------------------------------------------------------------------------


def test_every_login_leaves_the_record_its_sessions_are_found_by(outsider, editor):
    forced = Client()
    forced.force_login(outsider)
    through_the_form = Client()
    through_the_form.post(reverse("login"), {"username": outsider.username, "password": PASSWORD})
    Client().force_login(editor)  # someone else's
    mine = set(Session.objects.filter(sessions_of(outsider)).values_list("session_key", flat=True))
    assert mine == {forced.session.session_key, through_the_form.session.session_key}
    with CaptureQueriesContext(connection) as context:
        sessions_of(outsider)
    assert len(context.captured_queries) == 1  # no session is decoded


def test_a_password_change_keeps_the_session_findable(outsider):
    client = Client()
    client.post(reverse("login"), {"username": outsider.username, "password": PASSWORD})
    before = client.session.session_key
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "ein-neues-langes-Passwort-2026",
            "new_password2": "ein-neues-langes-Passwort-2026",
        },
    )
    assert response.status_code == 302
    after = client.session.session_key
    assert after != before  # Django gives the session a new key …
    assert Session.objects.filter(sessions_of(outsider), session_key=after).exists()  # … found
    assert sessions_end(user=outsider) == 1
    assert client.get(reverse("account")).status_code == 302  # logged out


def test_erasure_ends_every_session_of_the_person(outsider, editor):
    for _ in range(3):
        Client().force_login(outsider)
    Client().force_login(editor)
    person_erase(outsider)
    owners = {s.get_decoded().get("_auth_user_id") for s in Session.objects.all()}
    assert str(outsider.pk) not in owners
    assert str(editor.pk) in owners


def test_open_sessions_from_before_get_their_record_once_at_migrate(outsider):
    """Sessions from before every login left a record are found after the migration."""
    store = SessionStore()
    store["_auth_user_id"] = str(outsider.pk)
    store.create()
    anonymous = SessionStore()
    anonymous["anything"] = 1
    anonymous.create()
    assert not Session.objects.filter(sessions_of(outsider)).exists()

    migration = importlib.import_module("workspace.identity.migrations.0002_record_open_sessions")
    migration.record_open_sessions(apps, connection.schema_editor())
    migration.record_open_sessions(apps, connection.schema_editor())  # twice: nothing more

    assert list(Session.objects.filter(sessions_of(outsider))) == [
        Session.objects.get(session_key=store.session_key)
    ]
    assert UserSession.objects.count() == 1
