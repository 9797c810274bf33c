"""Off-boarding: a person leaves, their roles go to a successor in one step, nothing is left
without a coordinator, the account closes, and history keeps the name as it was."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from projects import services as project_services
from projects.models import Result, TeamMembership
from steering.models import Seat
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory
from tests.projects.factories import Role, lead_project
from workspace.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def successor(menden):
    return MembershipFactory(
        user__username="nachfolge-menden", user__display_name="Nele Nachfolger", municipality=menden
    ).user


@pytest.fixture
def projects_of_coordinator(coordinator, menden, editor, successor):
    """Mehmet coordinates two projects; in the second the successor already observes."""
    first = lead_project(
        coordinator=coordinator, lead=menden, title="Datenplattform", team=[(editor, Role.EDITOR)]
    )
    second = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Bürgerbeteiligung",
        team=[(successor, Role.OBSERVER)],
    )
    result = project_services.result_create(
        project=first, by=coordinator, title="Leitfaden Datenkatalog", body="Version eins."
    )
    return first, second, result


def _end(client, membership, successor=None):
    return client.post(
        f"/kommunen/{membership.municipality.slug}/mitarbeitende/{membership.pk}/beenden/",
        {"successor": successor.pk if successor else ""},
    )


def test_every_role_goes_to_the_successor_and_no_project_loses_its_coordinator(
    as_user, office, coordinator, successor, projects_of_coordinator
):
    first, second, result = projects_of_coordinator
    membership = Membership.objects.active().get(user=coordinator)
    response = _end(as_user(office), membership, successor)
    assert response.status_code == 302
    for project in (first, second):
        roles = dict(project.team.values_list("user__username", "role"))
        assert roles.get("nachfolge-menden") == Role.COORDINATOR, project.title
        assert "koordination-menden" not in roles
        assert project.team.filter(role=Role.COORDINATOR).exists()
    # The successor can act as coordinator now (guardian permissions follow the role).
    successor.refresh_from_db()
    assert successor.has_perm("projects.change_leadproject", first)
    coordinator.refresh_from_db()
    assert not coordinator.has_perm("projects.change_leadproject", first)


def test_the_person_can_no_longer_log_in_and_their_sessions_end(
    as_user, office, coordinator, successor, projects_of_coordinator
):
    theirs = Client()
    assert (
        theirs.post(
            "/konto/anmelden/", {"username": "koordination-menden", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert theirs.get("/konto/").status_code == 200
    _end(as_user(office), Membership.objects.active().get(user=coordinator), successor)
    assert theirs.get("/konto/").status_code == 302  # logged out everywhere
    again = Client().post(
        "/konto/anmelden/", {"username": "koordination-menden", "password": PASSWORD}
    )
    assert again.status_code == 200  # the form again: the account is closed
    assert all(
        session.get_decoded().get("_auth_user_id") != str(coordinator.pk)
        for session in Session.objects.all()
    )


def test_history_still_shows_their_name(
    as_user, office, coordinator, successor, projects_of_coordinator
):
    first, _second, result = projects_of_coordinator
    _end(as_user(office), Membership.objects.active().get(user=coordinator), successor)
    versions = as_user(successor).get(
        f"/leitprojekte/{first.slug}/ergebnisse/{result.pk}/versionen/"
    )
    assert (
        "Mehmet" in versions.content.decode()
        or coordinator.get_display_name() in versions.content.decode()
    )
    assert Result.history.filter(history_user=coordinator).exists()


def test_a_coordinator_cannot_leave_without_a_successor(
    as_user, office, coordinator, projects_of_coordinator
):
    membership = Membership.objects.active().get(user=coordinator)
    response = _end(as_user(office), membership)
    assert response.status_code == 400
    assert "Benennen Sie eine Nachfolge" in response.content.decode()
    membership.refresh_from_db()
    coordinator.refresh_from_db()
    assert membership.is_active and coordinator.is_active
    assert TeamMembership.objects.filter(user=coordinator).count() == 2


def test_an_editor_may_leave_without_a_successor_and_loses_the_roles(
    as_user, office, editor, projects_of_coordinator
):
    first, *_ = projects_of_coordinator
    membership = Membership.objects.active().get(user=editor)
    assert _end(as_user(office), membership).status_code == 302
    assert not first.team.filter(user=editor).exists()
    editor.refresh_from_db()
    assert not editor.is_active


def test_committee_seats_end(as_user, office, delegate, arnsberg):
    seat = Seat.objects.create(
        person=delegate, municipality=arnsberg, starts_on=datetime.date(2024, 1, 1)
    )
    assert _end(as_user(office), Membership.objects.active().get(user=delegate)).status_code == 302
    seat.refresh_from_db()
    assert seat.ends_on is not None
    assert not Seat.objects.active().filter(person=delegate).exists()


def test_the_contact_person_offboards_a_colleague_and_others_may_not(
    as_user, coordinator, outsider, menden, successor
):
    colleague = MembershipFactory(user__username="kollegin", municipality=menden)
    assert _end(as_user(outsider), colleague).status_code == 403
    assert as_user(outsider).get("/kommunen/menden/mitarbeitende/").status_code == 403
    page = as_user(coordinator).get("/kommunen/menden/mitarbeitende/").content.decode()
    assert "kollegin" in page or colleague.user.get_display_name() in page
    assert _end(as_user(coordinator), colleague).status_code == 302
    colleague.refresh_from_db()
    assert colleague.ended_on is not None


def test_a_person_with_another_municipality_keeps_account_and_roles(
    as_user, office, editor, brilon, projects_of_coordinator
):
    first, *_ = projects_of_coordinator
    Membership.objects.create(user=editor, municipality=brilon)
    iserlohn_membership = Membership.objects.active().get(
        user=editor, municipality__slug="iserlohn"
    )
    page = (
        as_user(office)
        .get(f"/kommunen/iserlohn/mitarbeitende/{iserlohn_membership.pk}/beenden/")
        .content.decode()
    )
    assert "arbeitet weiter für eine andere Kommune" in page
    assert _end(as_user(office), iserlohn_membership).status_code == 302
    editor.refresh_from_db()
    assert editor.is_active and first.team.filter(user=editor).exists()


def test_the_page_lists_what_will_be_handed_over(
    as_user, office, coordinator, projects_of_coordinator
):
    membership = Membership.objects.active().get(user=coordinator)
    page = (
        as_user(office)
        .get(f"/kommunen/menden/mitarbeitende/{membership.pk}/beenden/")
        .content.decode()
    )
    assert "Koordination in „Datenplattform“" in page
    assert "braucht eine Nachfolge" in page
