"""The security log (workspace/audit): every listed event is written exactly once, by whichever
way it happens; no entry can be changed or deleted — not by the app, and on PostgreSQL not by
SQL either — except by the retention task, which removes exactly the old ones; an erased
person's name is nowhere in the log; the office filters it, a person reads their own."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import login
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from projects import portable
from projects import services as project_services
from projects.models import TeamMembership
from steering import services as steering_services
from tests.archives import exported
from tests.conftest import PASSWORD, client_for
from tests.factories import MembershipFactory, UserFactory
from tests.projects.factories import lead_project
from workspace import legal, services
from workspace.audit.models import ImmutableEntry, SecurityEvent
from workspace.audit.services import security_log, security_log_purge
from workspace.models import LegalPage
from workspace.personal_data import person_erase

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind


def entries(kind: str, **filters) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind, **filters))


@pytest.fixture
def project(coordinator, menden, editor):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        team=[(editor, TeamMembership.Role.EDITOR)],
    )


# --- logins ---------------------------------------------------------------------------------


def test_a_login_is_logged_once_with_the_client_address(outsider):
    response = Client(REMOTE_ADDR="192.0.2.7").post(
        reverse("login"), {"username": outsider.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    [entry] = entries(Kind.LOGIN)
    assert (entry.account, entry.by, entry.address, entry.provider) == (
        outsider,
        outsider,
        "192.0.2.7",
        "",
    )


def test_a_failed_login_points_at_the_account_and_never_keeps_a_typed_name(outsider):
    client = Client()
    client.post(reverse("login"), {"username": outsider.username, "password": "falsch"})
    client.post(reverse("login"), {"username": "Erika Mustermann", "password": "falsch"})
    known, unknown = sorted(entries(Kind.LOGIN_FAILED), key=lambda e: e.account is None)
    assert known.account == outsider and unknown.account is None
    assert not entries(Kind.LOGIN)
    stored = str(list(SecurityEvent.objects.values()))
    assert "Erika" not in stored and "Mustermann" not in stored


def test_a_login_through_a_provider_names_the_provider(outsider):
    """allauth records how a person authenticated in the session before it logs them in."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session["account_authentication_methods"] = [
        {"method": "socialaccount", "at": 0, "provider": "arnsberg", "uid": "abc"}
    ]
    outsider.backend = "workspace.backends.UserBackend"
    login(request, outsider)
    [entry] = entries(Kind.LOGIN)
    assert entry.provider == "arnsberg" and entry.account == outsider


# --- roles and seats ------------------------------------------------------------------------


def test_team_roles_granted_changed_and_revoked_are_each_logged_once(
    project, coordinator, outsider
):
    membership = project_services.team_member_add(
        project=project, by=coordinator, user=outsider, role=TeamMembership.Role.OBSERVER
    )
    project_services.team_member_change_role(
        membership=membership, by=coordinator, role=TeamMembership.Role.EDITOR
    )
    project_services.team_member_change_role(  # the same role again: nothing changes
        membership=membership, by=coordinator, role=TeamMembership.Role.EDITOR
    )
    project_services.team_member_remove(membership=membership, by=coordinator)
    granted = entries(Kind.ROLE_GRANTED, account=outsider)
    assert sorted((e.detail["role"], e.detail.get("previous_role")) for e in granted) == [
        ("editor", "observer"),
        ("observer", None),
    ]
    [revoked] = entries(Kind.ROLE_REVOKED, account=outsider)
    assert revoked.detail == {"project": project.slug, "role": "editor"}


def test_a_role_granted_on_a_page_names_who_granted_it(project, coordinator, outsider):
    response = client_for(coordinator).post(
        reverse("projects:team-add", args=[project.slug]),
        {"person": outsider.username, "role": TeamMembership.Role.EDITOR},
    )
    assert response.status_code == 302
    [entry] = entries(Kind.ROLE_GRANTED, account=outsider)
    assert entry.by == coordinator


def test_the_creator_of_a_project_is_logged_as_its_coordinator(coordinator, menden):
    made = project_services.project_create(
        by=coordinator, title="Schulnetz", summary="-", lead_municipality=menden
    )
    [entry] = entries(Kind.ROLE_GRANTED, account=coordinator)
    assert entry.detail == {"project": made.slug, "role": "coordinator"}


def test_joining_and_leaving_the_network_office_is_logged(stranger):
    services.network_office_add(user=stranger)
    [granted] = entries(Kind.ROLE_GRANTED, account=stranger)
    assert granted.detail == {"role": "network_office"}
    stranger.groups.add(*[])  # nothing added: nothing logged
    stranger.groups.clear()
    [revoked] = entries(Kind.ROLE_REVOKED, account=stranger)
    assert revoked.detail == {"role": "network_office"}


def test_committee_seats_given_and_ended_are_each_logged_once(office, delegate, arnsberg):
    today = timezone.localdate()
    seat = steering_services.seat_assign(
        by=office, person=delegate, municipality=arnsberg, starts_on=today
    )
    steering_services.seat_end(by=office, seat=seat, ends_on=today + datetime.timedelta(days=30))
    [started] = entries(Kind.SEAT_STARTED, account=delegate)
    [ended] = entries(Kind.SEAT_ENDED, account=delegate)
    assert started.detail["municipality"] == "arnsberg"
    assert ended.detail["ends_on"] == (today + datetime.timedelta(days=30)).isoformat()


# --- what leaves and enters the workspace ---------------------------------------------------


def test_an_export_and_an_import_of_a_lead_project_are_logged_once(project, coordinator, office):
    response = client_for(coordinator).get(reverse("projects:export", args=[project.slug]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [export] = entries(Kind.ARCHIVE_EXPORTED)
    assert (export.by, export.detail["project"]) == (coordinator, project.slug)
    outcome = portable.project_import(archive=io.BytesIO(exported(project, office)), by=office)
    [imported] = entries(Kind.ARCHIVE_IMPORTED)
    assert (imported.by, imported.detail["project"]) == (office, outcome.project.slug)


def test_a_refused_import_leaves_no_entry(office):
    with pytest.raises(portable.ArchiveRefused):
        portable.project_import(archive=io.BytesIO(b"kein Archiv"), by=office)
    assert not entries(Kind.ARCHIVE_IMPORTED)


def test_the_download_of_ones_own_data_is_logged_once(outsider):
    assert client_for(outsider).get(reverse("my-data-json")).status_code == 200
    [entry] = entries(Kind.DATA_EXPORTED)
    assert entry.account == outsider


def test_an_off_boarding_is_logged_once(coordinator, menden, office):
    leaving = MembershipFactory(municipality=menden)
    services.membership_end(membership=leaving, by=coordinator)
    [entry] = entries(Kind.OFFBOARDED)
    assert (entry.account, entry.by) == (leaving.user, coordinator)
    assert entry.detail == {"municipality": "menden", "account_closed": True}


def test_a_changed_legal_page_is_logged_once_and_an_unchanged_one_not(office):
    legal.legal_page_update(kind=LegalPage.Kind.IMPRINT, by=office, title="Impressum", body="A")
    legal.legal_page_update(kind=LegalPage.Kind.IMPRINT, by=office, title="Impressum", body="A")
    [entry] = entries(Kind.LEGAL_PAGE_CHANGED)
    assert entry.by == office and entry.detail == {"page": LegalPage.Kind.IMPRINT}


def test_second_factor_events_are_written_through_the_function_the_identity_app_calls(
    office, outsider
):
    security_log(
        kind=Kind.SECOND_FACTOR_RESET, account=outsider, by=office, detail={"method": "totp"}
    )
    [entry] = entries(Kind.SECOND_FACTOR_RESET)
    assert (entry.account, entry.by, entry.detail) == (outsider, office, {"method": "totp"})
    with pytest.raises(ValueError, match="Unbekanntes Ereignis"):
        security_log(kind="erfunden")


def test_changes_to_login_providers_are_logged_once_each_without_their_secret(arnsberg):
    from workspace.identity.models import IdentityProvider
    from workspace.identity.services import provider_remove

    provider = IdentityProvider.objects.create(
        name="Stadt Arnsberg",
        slug="arnsberg",
        issuer="https://id.arnsberg.example/realms/rathaus",
        client_id="klassenraum",
        client_secret="erstes-geheimnis",
        municipality=arnsberg,
        button_text="Mit dem Konto der Stadt Arnsberg anmelden",
    )
    provider.client_secret = "zweites-geheimnis"
    provider.save()
    provider.save()  # nothing changed: nothing logged
    provider_remove(provider=provider)
    [added] = entries(Kind.PROVIDER_ADDED)
    [changed] = entries(Kind.PROVIDER_CHANGED)
    [removed] = entries(Kind.PROVIDER_REMOVED)
    assert added.detail == removed.detail == {"provider": "arnsberg"}
    assert changed.detail == {"provider": "arnsberg", "fields": ["client_secret"]}
    assert "geheimnis" not in str(list(SecurityEvent.objects.values()))


# --- erasure --------------------------------------------------------------------------------


def test_erasure_is_logged_and_leaves_no_name_in_the_log(office, menden, project, coordinator):
    person = UserFactory(username="erika.muster", display_name="Erika Mustermann")
    MembershipFactory(user=person, municipality=menden)
    Client().post(reverse("login"), {"username": "erika.muster", "password": PASSWORD})
    Client().post(reverse("login"), {"username": "erika.muster", "password": "falsch"})
    project_services.team_member_add(
        project=project, by=coordinator, user=person, role=TeamMembership.Role.EDITOR
    )
    before = SecurityEvent.objects.filter(account=person).count()
    assert before == 3
    assert "Erika Mustermann" in client_for(office).get(reverse("security-log")).content.decode()

    pseudonym = person_erase(person, by=office)
    [erased] = entries(Kind.ACCOUNT_ERASED)
    assert (erased.account_id, erased.by) == (person.pk, office)
    assert SecurityEvent.objects.filter(account=person).count() == before + 1  # nothing gone
    page = client_for(office).get(reverse("security-log"), {"person": pseudonym}).content.decode()
    assert pseudonym in page
    for name in ("Erika", "Mustermann", "erika.muster"):
        assert name not in page
        assert name not in str(list(SecurityEvent.objects.values()))


# --- nobody changes or deletes an entry -----------------------------------------------------


def test_the_app_cannot_change_or_delete_an_entry(outsider):
    entry = security_log(kind=Kind.LOGIN, account=outsider)
    entry.kind = Kind.LOGIN_FAILED
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.delete()
    with pytest.raises(ImmutableEntry):
        SecurityEvent.objects.filter(pk=entry.pk).update(kind=Kind.LOGIN_FAILED)
    with pytest.raises(ImmutableEntry):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get().kind == Kind.LOGIN


def _old_entry(days: int) -> None:
    """An entry written ``days`` ago (an INSERT is allowed; the app never back-dates)."""
    SecurityEvent.objects.bulk_create(
        [SecurityEvent(kind=Kind.LOGIN, at=timezone.now() - datetime.timedelta(days=days))]
    )


def test_the_retention_task_deletes_exactly_the_entries_past_the_period(settings):
    settings.SECURITY_LOG_RETENTION_DAYS = 400
    for days in (0, 399, 401, 800):
        _old_entry(days)
    out = io.StringIO()
    call_command("security_log_purge", stdout=out)
    assert "2 Einträge" in out.getvalue()
    ages = sorted((timezone.now() - e.at).days for e in SecurityEvent.objects.all())
    assert ages == [0, 399]
    assert security_log_purge() == 0


@pytest.mark.services
def test_postgresql_refuses_updates_and_young_deletions_even_in_raw_sql(settings, outsider):
    assert connection.vendor == "postgresql"
    entry = security_log(kind=Kind.LOGIN, account=outsider)
    _old_entry(500)
    table = SecurityEvent._meta.db_table
    for statement in (
        f"UPDATE {table} SET kind = 'login_failed'",  # noqa: S608 – constant table name
        f"UPDATE {table} SET account_id = NULL WHERE id = {entry.pk}",  # noqa: S608
        f"DELETE FROM {table} WHERE id = {entry.pk}",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608 – the old one may go, the young one not: all refused
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
    ):
        with pytest.raises(DatabaseError, match="Sicherheitsprotokolls"), transaction.atomic():
            with connection.cursor() as cursor:
                # The test's own inserts leave deferred key checks pending, which PostgreSQL
                # would name instead of the trigger for a TRUNCATE: check them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(statement)
    assert SecurityEvent.objects.count() == 2
    # A period shorter than the database's default is one the deleting transaction names.
    settings.SECURITY_LOG_RETENTION_DAYS = 100
    _old_entry(200)
    assert security_log_purge() == 2
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [entry.pk]
    # Nothing younger than a day goes, whatever period a transaction names.
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('klassenraum.audit_retention_days', '0', true)")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert SecurityEvent.objects.count() == 1
