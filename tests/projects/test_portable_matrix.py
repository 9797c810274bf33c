"""Who may export a lead project and who may import one, for GET and POST, by role and the
project's visibility.

The expectations are written out as data (``MATRIX``): rows are the project's visibility
(export) or one row (import), columns the roles. They are not derived from
``projects.permissions``, so this test can disagree with the app. ``tests/test_url_coverage.py``
fails for any URL of the project that stands in no matrix.

The answers (DESIGN.md, "Who may do what", and issue 8): the export follows its project –
whoever may see the project gets its archive (with what they may see in it; the contents are
tested in test_portable.py); anonymous on anything not public → login; logged in but may not
see → 404. Import is the network office's only: anonymous → login, everybody else → 403 with
a German message. The export is a download (GET only: POST → 405). A request that is not
carried out changes no project, result, history row or stored file.

The world: for each visibility a project led by the pioneer Menden (coordinator: Menden staff;
observer: Hemer staff; editor: Iserlohn staff) with one tested result in two versions.
``member`` is staff of Brilon, a member in no project; ``stranger`` works for no member;
``office`` is the network office.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import portable, services
from projects.models import LeadProject, Result, TeamMembership, Visibility
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from tests.matrix import DENY, HIDE, LOGIN, NOPE, OK, Expect, check_answer, client_for
from tests.projects.factories import lead_project
from workspace import services as workspace_services

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
ROLES = ("anonymous", "stranger", "member", "observer", "editor", "coordinator", "office")
PUBLIC, NETWORK, TEAM = Visibility.PUBLIC, Visibility.NETWORK, Visibility.TEAM


DONE = Expect(302, "project")  # imported, on to the new project's page

ALL = "alle"  # the import's one row: it belongs to no project

# fmt: off
MATRIX: dict[str, dict[str, dict[str, tuple[Expect, ...]]]] = {
    "projects:export": {
        "GET": {   # anonymous stranger member observer editor coordinator office
            PUBLIC:  (OK,       OK,      OK,    OK,      OK,    OK,         OK),
            NETWORK: (LOGIN,    HIDE,    OK,    OK,      OK,    OK,         OK),
            TEAM:    (LOGIN,    HIDE,    HIDE,  OK,      OK,    OK,         OK),
        },
        "POST": {
            PUBLIC:  (NOPE,     NOPE,    NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            NETWORK: (NOPE,     NOPE,    NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            TEAM:    (NOPE,     NOPE,    NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
        },
    },
    # POST: a valid archive (the public project's, exported by the office).
    "projects:import": {
        "GET": {   # anonymous stranger member observer editor coordinator office
            ALL:     (LOGIN,    DENY,    DENY,  DENY,    DENY,  DENY,       OK),
        },
        "POST": {
            ALL:     (LOGIN,    DENY,    DENY,  DENY,    DENY,  DENY,       DONE),
        },
    },
}
# fmt: on

REFUSAL = "Leitprojekte importiert nur die Geschäftsstelle."


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True, cohort=None)
    iserlohn = MunicipalityFactory(name="Iserlohn", slug="iserlohn")
    hemer = MunicipalityFactory(name="Hemer", slug="hemer")
    brilon = MunicipalityFactory(name="Brilon", slug="brilon", district__slug="hochsauerlandkreis")
    office = UserFactory(username="buero", display_name="Geschäftsstelle")
    workspace_services.network_office_add(user=office)
    users = {
        "anonymous": None,
        "stranger": UserFactory(username="fremd"),
        "member": MembershipFactory(user__username="kommune-brilon", municipality=brilon).user,
        "observer": MembershipFactory(user__username="beobachtung-hemer", municipality=hemer).user,
        "editor": MembershipFactory(user__username="team-iserlohn", municipality=iserlohn).user,
        "coordinator": MembershipFactory(
            user__username="koordination-menden", municipality=menden, role="contact"
        ).user,
        "office": office,
    }
    projects = {}
    for vis, title in ((PUBLIC, "Radwege"), (NETWORK, "Datenplattform"), (TEAM, "Personal")):
        project = projects[vis] = lead_project(
            coordinator=users["coordinator"],
            lead=menden,
            title=title,
            visibility=vis,
            team=[(users["observer"], Role.OBSERVER), (users["editor"], Role.EDITOR)],
        )
        result = services.result_create(
            project=project,
            by=users["editor"],
            title="Ergebnis",
            body="eins",
            maturity=Result.Maturity.TESTED,
        )
        services.result_update(result=result, by=users["editor"], base_revision=1, body="zwei")
    with portable.project_export(project=projects[PUBLIC], user=office) as archive:
        data = archive.read()
    return users, projects, data


def _state() -> tuple:
    return (
        list(LeadProject.objects.order_by("pk").values_list("pk", "slug", "status")),
        Result.objects.count(),
        Result.history.count(),
        LeadProject.history.count(),
    )


CELLS = [
    (name, method, row, role)
    for name, methods in MATRIX.items()
    for method, rows in methods.items()
    for row in rows
    for role in ROLES
]


@pytest.mark.parametrize(("name", "method", "row", "role"), CELLS)
def test_matrix(name, method, row, role, world):
    users, projects, data = world
    expect = MATRIX[name][method][row][ROLES.index(role)]
    client = client_for(users[role])
    if name == "projects:export":
        project = projects[row]
        url = reverse(name, kwargs={"slug": project.slug})
        payload = {}
    else:
        url = reverse(name)
        payload = {"archive": SimpleUploadedFile("a.zip", io.BytesIO(data).read())}
    before = _state()

    response = client.get(url) if method == "GET" else client.post(url, payload)

    check_answer(
        response, expect, url=url, where=f"{method} {url} als {role} ({row})", message=REFUSAL
    )
    if expect == OK and name == "projects:export":
        assert response["Content-Type"] == "application/zip"
        assert b"".join(response.streaming_content).startswith(b"PK")
    if expect.then == "project":
        new = LeadProject.objects.exclude(pk__in=[p.pk for p in projects.values()]).get()
        assert response["Location"] == new.get_absolute_url()
    else:
        assert _state() == before
