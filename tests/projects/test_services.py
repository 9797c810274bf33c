"""The rules of lead projects, as the services enforce them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import LeadProject, ProjectActivity, TeamMembership
from projects.permissions import ProjectAccess, visible_projects
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = LeadProject.Status
Role = TeamMembership.Role


@pytest.fixture
def project(coordinator, menden):
    return services.project_create(
        by=coordinator,
        title="Offene regionale Datenplattform",
        summary="Daten der Region an einem Ort.",
        lead_municipality=menden,
    )


def test_creator_coordinates_and_gets_the_coordinator_permissions(project, coordinator):
    membership = TeamMembership.objects.get(project=project, user=coordinator)
    assert membership.role == Role.COORDINATOR
    access = ProjectAccess(coordinator, project)
    assert access.can_view and access.can_change and access.can_manage_team
    assert access.can_edit_results
    assert project.status == Status.IDEA
    assert project.slug == "offene-regionale-datenplattform"


def test_slugs_spell_umlauts_and_stay_unique(coordinator, menden):
    first = services.project_create(
        by=coordinator, title="Bürgerbeteiligung", summary="-", lead_municipality=menden
    )
    second = services.project_create(
        by=coordinator, title="Bürgerbeteiligung", summary="-", lead_municipality=menden
    )
    assert (first.slug, second.slug) == ("buergerbeteiligung", "buergerbeteiligung-2")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OBSERVER, {"view_leadproject"}),
        (Role.EDITOR, {"view_leadproject", "edit_results"}),
        (
            Role.COORDINATOR,
            {"view_leadproject", "edit_results", "change_leadproject", "manage_team"},
        ),
    ],
)
def test_roles_grant_exactly_their_permissions(project, coordinator, editor, role, expected):
    from guardian.shortcuts import get_perms

    services.team_member_add(project=project, by=coordinator, user=editor, role=role)
    assert set(get_perms(editor, project)) == expected


def test_changing_a_role_replaces_the_permissions(project, coordinator, editor):
    from guardian.shortcuts import get_perms

    membership = services.team_member_add(
        project=project, by=coordinator, user=editor, role=Role.COORDINATOR
    )
    services.team_member_change_role(membership=membership, by=coordinator, role=Role.OBSERVER)
    assert set(get_perms(editor, project)) == {"view_leadproject"}
    services.team_member_remove(membership=membership, by=coordinator)
    assert get_perms(editor, project) == []
    kinds = list(ProjectActivity.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds[:3] == ["member_removed", "role_changed", "member_added"]


def test_the_last_coordinator_cannot_leave_or_step_down(project, coordinator):
    membership = TeamMembership.objects.get(project=project, user=coordinator)
    with pytest.raises(ValidationError, match="mindestens eine Koordination"):
        services.team_member_remove(membership=membership, by=coordinator)
    with pytest.raises(ValidationError, match="mindestens eine Koordination"):
        services.team_member_change_role(membership=membership, by=coordinator, role=Role.EDITOR)
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


def test_adding_someone_twice_is_refused(project, coordinator, editor):
    services.team_member_add(project=project, by=coordinator, user=editor, role=Role.EDITOR)
    with pytest.raises(ValidationError, match="gehört schon zum Team"):
        services.team_member_add(project=project, by=coordinator, user=editor, role=Role.OBSERVER)


def test_lifecycle_steps_follow_the_rules(project, coordinator, office):
    services.project_change_status(project=project, by=coordinator, to=Status.PROPOSED)
    # Agreeing is the committee's decision: only its adopted agreement takes the step.
    for user in (coordinator, office):
        with pytest.raises(PermissionDenied, match="Beschluss des Steuerkreises"):
            services.project_change_status(
                project=project, by=user, to=Status.AGREED, reason="Wir wollen."
            )
    services.project_change_status(
        project=project,
        by=office,
        to=Status.AGREED,
        reason="Sitzung vom 12. März",
        decision="Vereinbarung 2026-1",
    )
    services.project_change_status(project=project, by=coordinator, to=Status.RUNNING)
    project.refresh_from_db()
    assert project.status == Status.RUNNING
    change = ProjectActivity.objects.filter(project=project, new_status=Status.AGREED).get()
    assert (change.actor, change.old_status, change.reason) == (
        office,
        Status.PROPOSED,
        "Sitzung vom 12. März",
    )
    # Every step is in the project's history with who and why.
    agreed = project.history.filter(status=Status.AGREED).get()
    assert agreed.history_change_reason == "Sitzung vom 12. März"


def test_forbidden_jumps_are_refused_and_change_nothing(project, office):
    before = ProjectActivity.objects.count()
    with pytest.raises(ValidationError, match="nicht direkt"):
        services.project_change_status(
            project=project, by=office, to=Status.COMPLETED, reason="fertig"
        )
    project.refresh_from_db()
    assert project.status == Status.IDEA
    assert ProjectActivity.objects.count() == before


def test_archiving_needs_the_office_and_a_reason(project, coordinator, office):
    assert Status.ARCHIVED not in services.allowed_transitions(project=project, by=coordinator)
    assert Status.ARCHIVED in services.allowed_transitions(project=project, by=office)
    services.project_change_status(
        project=project, by=office, to=Status.ARCHIVED, reason="Thema ruht."
    )
    assert services.allowed_transitions(project=project, by=office) == []
    assert LeadProject.objects.filter(pk=project.pk).exists()


def test_a_non_pioneer_lead_needs_a_recorded_exception(coordinator, office, iserlohn):
    with pytest.raises(ValidationError, match="Pionierkommune"):
        services.project_create(
            by=office, title="Ausnahme", summary="-", lead_municipality=iserlohn
        )
    with pytest.raises(ValidationError, match="nur die Geschäftsstelle"):
        services.project_create(
            by=coordinator,
            title="Ausnahme",
            summary="-",
            lead_municipality=iserlohn,
            lead_exception_reason="Beschluss vom 1. April",
        )
    project = services.project_create(
        by=office,
        title="Ausnahme",
        summary="-",
        lead_municipality=iserlohn,
        lead_exception_reason="Beschluss des Steuerkreises vom 1. April",
    )
    assert project.lead_exception_recorded_by == office
    assert project.lead_is_exception


def test_an_update_that_changes_nothing_writes_no_version(project, coordinator):
    versions = project.history.count()
    changed = services.project_update(
        project=project, by=coordinator, title=project.title, summary=project.summary
    )
    assert changed == []
    assert project.history.count() == versions
    changed = services.project_update(project=project, by=coordinator, title="Neuer Titel")
    assert changed == ["title"]
    assert project.history.count() == versions + 1
    assert project.history.first().history_user == coordinator


def test_visibility_follows_design(coordinator, menden, outsider, office, stranger):
    projects = {
        visibility: services.project_create(
            by=coordinator,
            title=f"Sichtbar {visibility}",
            summary="-",
            lead_municipality=menden,
            visibility=visibility,
        )
        for visibility in ("public", "network", "team")
    }

    def titles(user):
        return set(visible_projects(user).values_list("visibility", flat=True))

    from django.contrib.auth.models import AnonymousUser

    assert titles(AnonymousUser()) == {"public"}
    assert titles(stranger) == {"public"}
    assert titles(outsider) == {"public", "network"}
    assert titles(coordinator) == {"public", "network", "team"}
    assert titles(office) == {"public", "network", "team"}
    assert len(projects) == 3


def test_ended_membership_loses_network_visibility(coordinator, menden):
    services.project_create(
        by=coordinator, title="Netz", summary="-", lead_municipality=menden, visibility="network"
    )
    former = MembershipFactory(ended_on="2024-01-01", started_on="2023-01-01").user
    assert not visible_projects(former).exists()
    member_of_non_member = MembershipFactory(municipality=MunicipalityFactory(is_member=False)).user
    assert not visible_projects(member_of_non_member).exists()
    inactive = MembershipFactory(user=UserFactory(is_active=False)).user
    assert not visible_projects(inactive).exists()
