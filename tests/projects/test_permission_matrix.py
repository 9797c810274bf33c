"""Who may open which lead project URL, for GET and POST, by role and by the project's visibility.

The expectations are written out as data (``MATRIX``), one table per URL and method: rows are
the project's visibility, columns the roles. They are not derived from ``projects.permissions``,
so this test can disagree with the app. ``tests/test_url_coverage.py`` fails for any URL of the
project that stands in no matrix.

The answers (DESIGN.md, "Who may do what"): anonymous on anything not public → login;
logged in but may not see the project → 404; may see but not act → 403 with a German message;
a method the URL does not take → 405. Every POST that is not carried out leaves the database
exactly as it was.

The world, built fresh for every test (POSTs change it): a project led by the pioneer Menden
for each visibility (built when a test first asks for it; the list test builds all three),
each with the same team made through the services: the coordinator (Menden staff, who
started it), an editor (Iserlohn) and an observer (Hemer).
``other`` is staff of Brilon, a member without a role; ``office`` is the network office.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from projects.models import (
    LeadProject,
    LeadProjectUserObjectPermission,
    ProjectActivity,
    TeamMembership,
    Visibility,
)
from tests.factories import MembershipFactory, MunicipalityFactory, TopicFactory
from tests.matrix import (
    DENY,
    HIDE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    by_rows,
    check_answer,
    client_for,
)
from tests.projects.factories import lead_project

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
Status = LeadProject.Status

ROLES = ("anonymous", "other", "observer", "editor", "coordinator", "office")
VISIBILITIES = (Visibility.PUBLIC, Visibility.NETWORK, Visibility.TEAM)
METHODS = ("GET", "POST")


DONE = Expect(302, "project")  # carried out, back to the project page
DONE_T = Expect(302, "team")  # carried out, back to the team page

Table = dict[str, dict[str, Expect]]


def table(*, public: tuple, network: tuple, team: tuple) -> dict[str, dict]:
    """One cell per visibility (rows) × role (columns, in the order of ``ROLES``)."""
    return by_rows(
        ROLES, {Visibility.PUBLIC: public, Visibility.NETWORK: network, Visibility.TEAM: team}
    )


@dataclass(frozen=True)
class Row:
    get: Table
    post: Table
    # Only for the list: whether the project of that visibility is listed for that role.
    listed: dict[str, dict[str, bool]] | None = None
    # The German message a 403 must show.
    refusal: str | None = None


Y, N = True, False

# fmt: off
MATRIX: dict[str, Row] = {
    # The list is public, but lists only what the user may see.
    "projects:list": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (OK,       OK,    OK,      OK,    OK,         OK),
            network=  (OK,       OK,    OK,      OK,    OK,         OK),
            team=     (OK,       OK,    OK,      OK,    OK,         OK),
        ),
        post=table(
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
        listed=table(
            public=   (Y,        Y,     Y,       Y,     Y,          Y),
            network=  (N,        Y,     Y,       Y,     Y,          Y),
            team=     (N,        N,     Y,       Y,     Y,          Y),
        ),
    ),
    # Only the office and staff of pioneer municipalities (Menden: the coordinator) start
    # projects; the visibility is the one the new project is created with.
    "projects:create": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (LOGIN,    DENY,  DENY,    DENY,  OK,         OK),
            network=  (LOGIN,    DENY,  DENY,    DENY,  OK,         OK),
            team=     (LOGIN,    DENY,  DENY,    DENY,  OK,         OK),
        ),
        post=table(
            public=   (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
            network=  (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
            team=     (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
        ),
        refusal="Leitprojekte legen die Pionierkommunen und die Geschäftsstelle an.",
    ),
    "projects:detail": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (OK,       OK,    OK,      OK,    OK,         OK),
            network=  (LOGIN,    OK,    OK,      OK,    OK,         OK),
            team=     (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
        ),
        post=table(
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
    ),
    "projects:edit": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (LOGIN,    DENY,  DENY,    DENY,  OK,         OK),
            network=  (LOGIN,    DENY,  DENY,    DENY,  OK,         OK),
            team=     (LOGIN,    HIDE,  DENY,    DENY,  OK,         OK),
        ),
        post=table(
            public=   (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
            network=  (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
            team=     (LOGIN,    HIDE,  DENY,    DENY,  DONE,       DONE),
        ),
        refusal="Nur die Koordination des Leitprojekts und die Geschäftsstelle dürfen es bearbeiten.",
    ),
    # POST: idea → proposed, a step the coordinator and the office may take.
    "projects:status": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
        post=table(
            public=   (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
            network=  (LOGIN,    DENY,  DENY,    DENY,  DONE,       DONE),
            team=     (LOGIN,    HIDE,  DENY,    DENY,  DONE,       DONE),
        ),
        refusal="Nur die Koordination des Leitprojekts und die Geschäftsstelle dürfen es bearbeiten.",
    ),
    "projects:team": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (OK,       OK,    OK,      OK,    OK,         OK),
            network=  (LOGIN,    OK,    OK,      OK,    OK,         OK),
            team=     (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
        ),
        post=table(
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
    ),
    # POST: a newcomer (Iserlohn staff, not yet in the team) joins as editor.
    "projects:team-add": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
        post=table(
            public=   (LOGIN,    DENY,  DENY,    DENY,  DONE_T,     DONE_T),
            network=  (LOGIN,    DENY,  DENY,    DENY,  DONE_T,     DONE_T),
            team=     (LOGIN,    HIDE,  DENY,    DENY,  DONE_T,     DONE_T),
        ),
        refusal="Nur die Koordination des Leitprojekts und die Geschäftsstelle verwalten das Team.",
    ),
    # POST: the observer becomes editor.
    "projects:team-role": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
        post=table(
            public=   (LOGIN,    DENY,  DENY,    DENY,  DONE_T,     DONE_T),
            network=  (LOGIN,    DENY,  DENY,    DENY,  DONE_T,     DONE_T),
            team=     (LOGIN,    HIDE,  DENY,    DENY,  DONE_T,     DONE_T),
        ),
        refusal="Nur die Koordination des Leitprojekts und die Geschäftsstelle verwalten das Team.",
    ),
    # POST: the observer leaves the team.
    "projects:team-remove": Row(
        get=table(  #  anonymous other  observer editor coordinator office
            public=   (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            network=  (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            team=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        ),
        post=table(
            public=   (LOGIN,    DENY,  DENY,    DENY,  DONE_T,     DONE_T),
            network=  (LOGIN,    DENY,  DENY,    DENY,  DONE_T,     DONE_T),
            team=     (LOGIN,    HIDE,  DENY,    DENY,  DONE_T,     DONE_T),
        ),
        refusal="Nur die Koordination des Leitprojekts und die Geschäftsstelle verwalten das Team.",
    ),
}
# fmt: on

TITLES = {
    Visibility.PUBLIC: "Gemeinsames Radwegenetz",
    Visibility.NETWORK: "Offene Datenplattform",
    Visibility.TEAM: "Vertrauliche Personalplanung",
}
NEW_TITLE = "Sicherer Schulweg"


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]  # role → user (None: anonymous)
    newcomer: object  # Iserlohn staff, in no team yet
    menden: object
    iserlohn: object
    hemer: object
    topic: object
    projects: dict[str, LeadProject] = field(default_factory=dict)  # visibility → project

    def project(self, vis: str) -> LeadProject:
        """The project of visibility ``vis``, built on first use (most tests need only one)."""
        if vis not in self.projects:
            coordinator, editor, observer = (
                self.users["coordinator"],
                self.users["editor"],
                self.users["observer"],
            )
            project = lead_project(
                coordinator=coordinator,
                lead=self.menden,
                title=TITLES[vis],
                visibility=vis,
                participants=[self.iserlohn],
                team=[(observer, Role.OBSERVER), (editor, Role.EDITOR)],
            )
            assert roles_in(project) == {
                coordinator.pk: Role.COORDINATOR,
                editor.pk: Role.EDITOR,
                observer.pk: Role.OBSERVER,
            }
            self.projects[vis] = project
        return self.projects[vis]


@pytest.fixture
def hemer(db):
    return MunicipalityFactory(name="Hemer", slug="hemer")


@pytest.fixture
def observer(hemer):
    return MembershipFactory(user__username="beobachtung-hemer", municipality=hemer).user


@pytest.fixture
def newcomer(iserlohn):
    return MembershipFactory(user__username="neu-iserlohn", municipality=iserlohn).user


@pytest.fixture
def world(menden, iserlohn, hemer, outsider, observer, editor, coordinator, office, newcomer):
    assert menden.is_pioneer and not iserlohn.is_pioneer and not hemer.is_pioneer
    return World(
        users={
            "anonymous": None,
            "other": outsider,
            "observer": observer,
            "editor": editor,
            "coordinator": coordinator,
            "office": office,
        },
        newcomer=newcomer,
        menden=menden,
        iserlohn=iserlohn,
        hemer=hemer,
        topic=TopicFactory(name="Mobilität", slug="mobilitaet"),
    )


@pytest.fixture
def as_user():
    """Clients sharing one request handler (tests/matrix.py)."""
    return client_for


def roles_in(project: LeadProject) -> dict[int, str]:
    return dict(TeamMembership.objects.filter(project=project).values_list("user_id", "role"))


def grants(project: LeadProject, user) -> set[str]:
    return set(
        LeadProjectUserObjectPermission.objects.filter(
            content_object=project, user=user
        ).values_list("permission__codename", flat=True)
    )


def snapshot() -> dict:
    """Everything a project POST could change: rows, teams, activity, grants, history."""
    projects = []
    for project in LeadProject.objects.order_by("pk"):
        values = {f.attname: getattr(project, f.attname) for f in project._meta.concrete_fields}
        values["topics"] = sorted(project.topics.values_list("pk", flat=True))
        values["participants"] = sorted(project.participants.values_list("pk", flat=True))
        projects.append(values)
    return {
        "projects": projects,
        "team": sorted(TeamMembership.objects.values_list("pk", "project_id", "user_id", "role")),
        "activities": ProjectActivity.objects.count(),
        "grants": sorted(
            LeadProjectUserObjectPermission.objects.values_list(
                "content_object_id", "user_id", "permission__codename"
            )
        ),
        "history": LeadProject.history.count(),
    }


# --- What each URL is asked, and what a carried-out POST must have done ----------------------


def _project_form(world: World, project: LeadProject | None, vis: str) -> dict:
    """The full, valid project form (checkboxes as lists, municipalities by short name)."""
    return {
        "title": f"{project.title} (überarbeitet)" if project else NEW_TITLE,
        "summary": "Neu gefasst: was alle Schulträger der Region davon haben.",
        "description": "## Ziel\n\nGemeinsam schneller ans Ziel.",
        "topics": [world.topic.pk],
        "lead_municipality": world.menden.slug,
        "participants": f"{world.iserlohn.slug}\n{world.hemer.slug}",
        "kind": LeadProject.Kind.COOPERATIVE,
        "visibility": project.visibility if project else vis,
        "criterion_concerns_all": "Jede Kommune hat Schulwege.",
        "criterion_saves_resources": "Eine Planung statt zwölf.",
        "criterion_joint_impact": "Gemeinsam gegenüber dem Land auftreten.",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }


def _observer_membership(world: World, project: LeadProject) -> TeamMembership:
    return TeamMembership.objects.get(project=project, user=world.users["observer"])


def _created(world, project, vis, role, response):
    new = LeadProject.objects.get(title=NEW_TITLE)
    assert new.visibility == vis
    assert response["Location"] == new.get_absolute_url()
    creator = world.users[role]
    # The creator coordinates the new project; the office starts it without joining.
    expected = {creator.pk: Role.COORDINATOR} if role == "coordinator" else {}
    assert roles_in(new) == expected


def _edited(world, project, vis, role, response):
    project.refresh_from_db()
    assert project.title == f"{TITLES[vis]} (überarbeitet)"
    assert list(project.topics.all()) == [world.topic]
    assert project.activities.filter(kind=ProjectActivity.Kind.EDITED).count() == 1


def _status_changed(world, project, vis, role, response):
    project.refresh_from_db()
    assert project.status == Status.PROPOSED
    assert project.activities.filter(kind=ProjectActivity.Kind.STATUS).count() == 1


def _member_added(world, project, vis, role, response):
    assert roles_in(project)[world.newcomer.pk] == Role.EDITOR
    assert grants(project, world.newcomer) == {"view_leadproject", "edit_results"}


def _role_changed(world, project, vis, role, response):
    assert roles_in(project)[world.users["observer"].pk] == Role.EDITOR
    assert grants(project, world.users["observer"]) == {"view_leadproject", "edit_results"}


def _member_removed(world, project, vis, role, response):
    assert world.users["observer"].pk not in roles_in(project)
    assert grants(project, world.users["observer"]) == set()


@dataclass(frozen=True)
class Call:
    target: str | None = None  # None: no slug; "project"; "observer": the observer's membership
    data: Callable[[World, LeadProject | None, str], dict] = lambda world, project, vis: {}
    effect: Callable | None = None  # checks a carried-out POST


CALLS = {
    "projects:list": Call(),
    "projects:create": Call(
        data=lambda world, project, vis: _project_form(world, None, vis), effect=_created
    ),
    "projects:detail": Call("project"),
    "projects:edit": Call("project", data=_project_form, effect=_edited),
    "projects:status": Call(
        "project", data=lambda *_: {"to": Status.PROPOSED, "reason": ""}, effect=_status_changed
    ),
    "projects:team": Call("project"),
    "projects:team-add": Call(
        "project",
        data=lambda world, project, vis: {"person": world.newcomer.username, "role": "editor"},
        effect=_member_added,
    ),
    "projects:team-role": Call(
        "observer", data=lambda *_: {"role": "editor"}, effect=_role_changed
    ),
    "projects:team-remove": Call("observer", effect=_member_removed),
}


def _url(url_name: str, world: World, vis: str) -> str:
    target = CALLS[url_name].target
    if target is None:
        return reverse(url_name)
    project = world.project(vis)
    kwargs = {"slug": project.slug}
    if target == "observer":
        kwargs["member_id"] = _observer_membership(world, project).pk
    return reverse(url_name, kwargs=kwargs)


def _body(response) -> str:
    return response.content.decode()


# --- The matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("vis", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_matrix(world, as_user, url_name, role, vis, method):
    row, call = MATRIX[url_name], CALLS[url_name]
    expected = (row.get if method == "GET" else row.post)[vis][role]
    if url_name == "projects:list":
        for each in VISIBILITIES:  # the list shows some of them, depending on the role
            world.project(each)
    project = world.project(vis) if call.target else None
    url = _url(url_name, world, vis)
    client = as_user(world.users[role])
    before = snapshot()

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, call.data(world, project, vis))

    where = f"{method} {url} als {role} ({vis})"
    check_answer(response, expected, url=url, where=where, message=row.refusal)
    carried_out = method == "POST" and expected.then in ("project", "team")
    if not carried_out:
        assert snapshot() == before, f"{where} hat die Datenbank verändert"

    if expected.then == "team":
        assert response["Location"] == reverse("projects:team", kwargs={"slug": project.slug})
    elif expected.then == "project" and project is not None:
        assert response["Location"] == project.get_absolute_url()
    if carried_out:
        call.effect(world, project, vis, role, response)

    if expected.status == 404:
        assert "Seite nicht gefunden" in _body(response)
    elif expected.status == 200 and project is not None:
        assert project.title in _body(response)

    if row.listed is not None and expected.status == 200:
        shown = TITLES[vis] in _body(response)
        assert shown == row.listed[vis][role], (
            f"{where}: „{TITLES[vis]}“ {'gelistet' if shown else 'nicht gelistet'}"
        )


def test_matrix_has_a_cell_for_every_role_visibility_and_method():
    for url_name, row in MATRIX.items():
        assert url_name in CALLS
        for cells in (row.get, row.post):
            assert set(cells) == set(VISIBILITIES)
            for by_role in cells.values():
                assert tuple(by_role) == ROLES
        refuses = any(
            e.status == 403 for t in (row.get, row.post) for c in t.values() for e in c.values()
        )
        assert bool(row.refusal) == refuses, f"{url_name}: 403 ohne deutsche Begründung"


# --- Refusals inside the pages: nothing changes, a German message says why -------------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_coordinator_may_not_take_an_office_only_step(world, as_user):
    project = world.project(Visibility.NETWORK)
    coordinator, office = world.users["coordinator"], world.users["office"]
    client = as_user(coordinator)
    assert (
        client.post(f"/leitprojekte/{project.slug}/stand/", {"to": "proposed"}).status_code == 302
    )
    project.refresh_from_db()
    assert project.status == Status.PROPOSED
    # The page offers the coordinator only what the coordinator may do.
    page = client.get(project.get_absolute_url())
    offered = [value for value, _label in page.context["status_form"].fields["to"].choices]
    assert Status.AGREED not in offered

    before = snapshot()
    response = client.post(
        f"/leitprojekte/{project.slug}/stand/",
        {"to": Status.AGREED, "reason": "Beschluss des Steuerkreises vom 3. März"},
        follow=True,
    )
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert snapshot() == before
    # The message says why, in German, and does not show the internal value ("agreed").
    messages = _messages(response)
    assert messages == ["Diesen Schritt geht nur ein Beschluss des Steuerkreises."]
    assert messages[0] in _body(response)
    assert "agreed" not in _body(response)

    # Since the steering committee decides, the office is refused the step as well: only an
    # adopted agreement takes it (tests/steering).
    response = as_user(office).post(
        f"/leitprojekte/{project.slug}/stand/",
        {"to": Status.AGREED, "reason": "Beschluss des Steuerkreises vom 3. März"},
        follow=True,
    )
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert _messages(response) == ["Diesen Schritt geht nur ein Beschluss des Steuerkreises."]
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["coordinator", "office"])
@pytest.mark.parametrize(
    ("action", "data"),
    [("entfernen", {}), ("rolle", {"role": "editor"}), ("rolle", {"role": "observer"})],
)
def test_the_last_coordinator_can_neither_leave_nor_step_down(world, as_user, actor, action, data):
    project = world.project(Visibility.TEAM)
    coordinator = world.users["coordinator"]
    membership = TeamMembership.objects.get(project=project, user=coordinator)
    before = snapshot()
    response = as_user(world.users[actor]).post(
        f"/leitprojekte/{project.slug}/team/{membership.pk}/{action}/", data, follow=True
    )
    team_page = reverse("projects:team", kwargs={"slug": project.slug})
    assert response.redirect_chain == [(team_page, 302)]
    assert snapshot() == before
    message = "Ein Leitprojekt braucht mindestens eine Koordination."
    assert any(message in m for m in _messages(response)), _messages(response)
    assert message in _body(response)


def test_a_second_coordinator_lets_the_first_step_down(world, as_user):
    project = world.project(Visibility.TEAM)
    coordinator, editor = world.users["coordinator"], world.users["editor"]
    client = as_user(coordinator)
    editing = TeamMembership.objects.get(project=project, user=editor)
    client.post(f"/leitprojekte/{project.slug}/team/{editing.pk}/rolle/", {"role": "coordinator"})
    own = TeamMembership.objects.get(project=project, user=coordinator)
    response = client.post(f"/leitprojekte/{project.slug}/team/{own.pk}/rolle/", {"role": "editor"})
    assert response.status_code == 302
    assert roles_in(project)[coordinator.pk] == Role.EDITOR
    assert grants(project, coordinator) == {"view_leadproject", "edit_results"}


def test_a_membership_of_another_project_is_404(world, as_user, arnsberg, delegate):
    """A coordinator cannot reach into a project they do not manage through their own slug."""
    foreign = lead_project(
        coordinator=delegate,
        lead=arnsberg,
        title="Fremdes Projekt",
        team=[(world.users["observer"], Role.OBSERVER)],
    )
    theirs = _observer_membership(world, foreign)
    mine = world.project(Visibility.PUBLIC)
    client = as_user(world.users["coordinator"])
    before = snapshot()
    for action, data in (("rolle", {"role": "coordinator"}), ("entfernen", {})):
        response = client.post(f"/leitprojekte/{mine.slug}/team/{theirs.pk}/{action}/", data)
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ("niemand-hier", "Zu „niemand-hier“ gibt es kein aktives Konto im Klassenraum."),
        ("team-iserlohn", "gehört schon zum Team."),
    ],
)
def test_adding_an_unknown_or_present_person_shows_the_form_again(world, as_user, person, message):
    project = world.project(Visibility.PUBLIC)
    before = snapshot()
    response = as_user(world.users["coordinator"]).post(
        f"/leitprojekte/{project.slug}/team/hinzufuegen/", {"person": person, "role": "editor"}
    )
    assert response.status_code == 400
    assert message in _body(response)
    assert snapshot() == before


def test_an_unknown_step_is_refused_with_a_german_message(world, as_user):
    project = world.project(Visibility.PUBLIC)
    before = snapshot()
    response = as_user(world.users["office"]).post(
        f"/leitprojekte/{project.slug}/stand/", {"to": "erfunden"}, follow=True
    )
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert snapshot() == before
    assert _messages(response)
    assert not any("valid" in m.lower() for m in _messages(response))


@pytest.mark.parametrize("vis", VISIBILITIES)
def test_logged_in_without_a_member_municipality_sees_only_public(world, as_user, stranger, vis):
    project = world.project(vis)
    client = as_user(stranger)
    expected = 200 if vis == Visibility.PUBLIC else 404
    assert client.get(project.get_absolute_url()).status_code == expected
    assert (TITLES[vis] in _body(client.get("/leitprojekte/"))) == (vis == Visibility.PUBLIC)


def test_an_unknown_project_is_404_for_logged_in_users(world, as_user):
    for role in ROLES[1:]:
        client = as_user(world.users[role])
        assert client.get("/leitprojekte/gibt-es-nicht/").status_code == 404
        assert (
            client.post("/leitprojekte/gibt-es-nicht/stand/", {"to": "proposed"}).status_code == 404
        )
