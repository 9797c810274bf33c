"""Who may open which URL of a living result, for GET and POST, by role, visibility and stage.

The expectations are written out as data (``MATRIX``), one table per URL, method and stage of
the result: rows are the project's visibility, columns the roles. They are not derived from
``projects.permissions``, so this test can disagree with the app. ``tests/test_url_coverage.py``
fails for any URL of the project that stands in no matrix.

The answers (DESIGN.md, "Who may do what"): results, versions, diffs and attachments follow
their project; drafts only the team (and the network office). Anonymous on anything not public
→ login; logged in but may not see the project or the draft → 404, on every URL of the result
(versions, comparison and attachments included); may see but not act → 403 with a German
message; a method the URL does not take → 405. Every request that is not carried out leaves
results, their history, their attachments and the stored files exactly as they were.

The world, fresh for every test (POSTs change it; see ``_world`` for how it is built once and
rolled back after each test): for each visibility a project led by the pioneer Menden with the
team of ``test_permission_matrix`` (coordinator: Menden staff, editor: Iserlohn, observer:
Hemer). In each, for each stage, one result written by the editor in two versions, with one
attachment: ``TESTED`` (published, readable by everyone who sees the project) and ``DRAFT``
(the team's only). ``other`` is staff of Brilon, a member without a role; ``office`` is the
network office.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from projects import services
from projects.models import (
    LeadProject,
    ProjectActivity,
    Result,
    ResultAttachment,
    TeamMembership,
    Visibility,
)
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from tests.matrix import (
    DENY,
    HIDE,
    LOGIN,
    LOGIN_URL,
    NOPE,
    OK,
    Expect,
    by_rows,
    check_answer,
    client_for,
)
from tests.projects.factories import lead_project
from workspace import services as workspace_services

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role

ROLES = ("anonymous", "other", "observer", "editor", "coordinator", "office")
VISIBILITIES = (Visibility.PUBLIC, Visibility.NETWORK, Visibility.TEAM)
METHODS = ("GET", "POST")
# The second axis: the stage of the result the URL points at. ``NEW`` stands for the URL that
# has no result yet (result-create): its tables are per project only.
TESTED, DRAFT, NEW = Result.Maturity.TESTED, Result.Maturity.DRAFT, "neu"


DONE = Expect(302, "result")  # carried out, on to the (new) result's page

Table = dict[str, dict[str, Expect]]


def table(*, public: tuple, network: tuple, team: tuple) -> Table:
    """One cell per visibility (rows) × role (columns, in the order of ``ROLES``)."""
    return by_rows(
        ROLES, {Visibility.PUBLIC: public, Visibility.NETWORK: network, Visibility.TEAM: team}
    )


@dataclass(frozen=True)
class Row:
    get: dict[str, Table]  # by stage: TESTED and DRAFT (NEW for result-create)
    post: dict[str, Table]
    # The German message a 403 must show.
    refusal: str | None = None


REFUSAL = (
    "Ergebnisse bearbeiten nur Bearbeitung und Koordination des Teams und die Geschäftsstelle."
)

# fmt: off
MATRIX: dict[str, Row] = {
    # Per project: the team's editors and coordinators and the office write results.
    "projects:result-create": Row(
        get={
            NEW: table(  # anonymous other  observer editor coordinator office
                public=   (LOGIN,    DENY,  DENY,    OK,    OK,         OK),
                network=  (LOGIN,    DENY,  DENY,    OK,    OK,         OK),
                team=     (LOGIN,    HIDE,  DENY,    OK,    OK,         OK),
            ),
        },
        post={
            NEW: table(
                public=   (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                network=  (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                team=     (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
        },
        refusal=REFUSAL,
    ),
    "projects:result": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (OK,       OK,    OK,      OK,    OK,         OK),
                network=     (LOGIN,    OK,    OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                network=     (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
        },
        post={
            TESTED: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
    ),
    # POST: a new version (title and text changed, the stage kept).
    "projects:result-edit": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (LOGIN,    DENY,  DENY,    OK,    OK,         OK),
                network=     (LOGIN,    DENY,  DENY,    OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  DENY,    OK,    OK,         OK),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  DENY,    OK,    OK,         OK),
                network=     (LOGIN,    HIDE,  DENY,    OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  DENY,    OK,    OK,         OK),
            ),
        },
        post={
            TESTED: table(
                public=      (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
        },
        refusal=REFUSAL,
    ),
    "projects:result-versions": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (OK,       OK,    OK,      OK,    OK,         OK),
                network=     (LOGIN,    OK,    OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                network=     (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
        },
        post={
            TESTED: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
    ),
    # GET ?von=1&zu=2: the diff of the two versions.
    "projects:result-compare": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (OK,       OK,    OK,      OK,    OK,         OK),
                network=     (LOGIN,    OK,    OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                network=     (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
        },
        post={
            TESTED: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
    ),
    # POST: version 1 written again as version 3.
    "projects:result-restore": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
        post={
            TESTED: table(
                public=      (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
        },
        refusal=REFUSAL,
    ),
    "projects:result-archive": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
        post={
            TESTED: table(
                public=      (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
        },
        refusal=REFUSAL,
    ),
    # POST: a second attachment.
    "projects:attachment-upload": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
        post={
            TESTED: table(
                public=      (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    DENY,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                network=     (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
                team=        (LOGIN,    HIDE,  DENY,    DONE,  DONE,       DONE),
            ),
        },
        refusal=REFUSAL,
    ),
    # GET: the download of the result's attachment.
    "projects:attachment": Row(
        get={
            TESTED: table(  # anonymous other  observer editor coordinator office
                public=      (OK,       OK,    OK,      OK,    OK,         OK),
                network=     (LOGIN,    OK,    OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
            DRAFT: table(
                public=      (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                network=     (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
                team=        (LOGIN,    HIDE,  OK,      OK,    OK,         OK),
            ),
        },
        post={
            TESTED: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
            DRAFT: table(
                public=      (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                network=     (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
                team=        (NOPE,     NOPE,  NOPE,    NOPE,  NOPE,       NOPE),
            ),
        },
    ),
}
# fmt: on

PROJECT_TITLES = {
    Visibility.PUBLIC: "Gemeinsames Radwegenetz",
    Visibility.NETWORK: "Offene Datenplattform",
    Visibility.TEAM: "Vertrauliche Personalplanung",
}
RESULT_TITLES = {TESTED: "Musterausschreibung Radabstellanlagen", DRAFT: "Erste Skizze Datenmodell"}
# The two versions every result has; restoring version 1 brings these back.
VERSION_1 = {"summary": "Was wir vorhaben.", "body": "## Ziel\n\nFassung eins."}
VERSION_2 = {"summary": "Was wir gelernt haben.", "body": "## Ziel\n\nFassung zwei, erprobt."}
ATTACHMENT = ("protokoll.txt", "Protokoll der Sitzung vom 3. März\n".encode())
UPLOAD = ("zeitplan.csv", b"Schritt;Bis\nAusschreibung;2026-03-31\n")
NEW_TITLE = "Checkliste Schulwegsicherung"


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]  # role → user (None: anonymous)
    media: Path
    projects: dict[str, LeadProject] = field(default_factory=dict)  # visibility → project
    results: dict[tuple[str, str], Result] = field(default_factory=dict)  # (vis, stage) → …
    attachments: dict[tuple[str, str], ResultAttachment] = field(default_factory=dict)


def _build(media: Path) -> World:
    """The people of tests/conftest.py, and for each visibility the project with its results."""
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True, cohort=None)
    iserlohn = MunicipalityFactory(name="Iserlohn", slug="iserlohn")
    hemer = MunicipalityFactory(name="Hemer", slug="hemer")
    brilon = MunicipalityFactory(name="Brilon", slug="brilon", district__slug="hochsauerlandkreis")
    office = UserFactory(username="buero", display_name="Geschäftsstelle")
    workspace_services.network_office_add(user=office)
    world = World(
        users={
            "anonymous": None,
            "other": MembershipFactory(user__username="kommune-brilon", municipality=brilon).user,
            "observer": MembershipFactory(
                user__username="beobachtung-hemer", municipality=hemer
            ).user,
            "editor": MembershipFactory(user__username="team-iserlohn", municipality=iserlohn).user,
            "coordinator": MembershipFactory(
                user__username="koordination-menden", municipality=menden, role="contact"
            ).user,
            "office": office,
        },
        media=media,
    )
    editor = world.users["editor"]
    for vis in VISIBILITIES:
        project = world.projects[vis] = lead_project(
            coordinator=world.users["coordinator"],
            lead=menden,
            title=PROJECT_TITLES[vis],
            visibility=vis,
            participants=[iserlohn],
            team=[(world.users["observer"], Role.OBSERVER), (editor, Role.EDITOR)],
        )
        for stage in (TESTED, DRAFT):
            # Two versions and one attachment, all by the editor.
            result = services.result_create(
                project=project,
                by=editor,
                title=RESULT_TITLES[stage],
                maturity=stage,
                note="Anfang",
                **VERSION_1,
            )
            services.result_update(
                result=result, by=editor, base_revision=1, note="Erprobt", **VERSION_2
            )
            name, content = ATTACHMENT
            world.attachments[vis, stage] = services.attachment_add(
                result=result,
                by=editor,
                upload=SimpleUploadedFile(name, content, content_type="text/plain"),
            )
            assert result.revision == 2 and result.history.count() == 2
            world.results[vis, stage] = result
    return world


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module inside a transaction rolled back at its end.

    Every test runs in a savepoint inside that transaction (pytest-django's ``db``), rolled
    back after it: each test starts from the same fresh world, whatever the one before it
    POSTed, and the world costs its 40 ms once instead of in each of the 600 cells.
    """
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield _build(media)
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db):
    return _world


@pytest.fixture
def as_user():
    """Clients sharing one request handler (tests/matrix.py)."""
    return client_for


def snapshot(world: World) -> dict:
    """Everything a result request could change: rows, history, attachments, stored files."""
    return {
        "results": [
            {f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields}
            for r in Result.objects.order_by("pk")
        ],
        "history": Result.history.count(),
        "attachments": list(
            ResultAttachment.objects.order_by("pk").values_list(
                "pk", "result_id", "file", "name", "size", "sha256"
            )
        ),
        "files": sorted(str(p.relative_to(world.media)) for p in world.media.rglob("*")),
        "activities": ProjectActivity.objects.count(),
    }


# --- What each URL is asked, and what a carried-out POST must have done ----------------------


@dataclass
class Target:
    """What one cell points at: the project, and (but for result-create) result and attachment."""

    vis: str
    stage: str
    project: LeadProject
    result: Result | None
    attachment: ResultAttachment | None


def _result_form(world: World, target: Target) -> dict:
    """The full, valid result form, based on the current version 2; the stage is kept."""
    title = f"{target.result.title} (überarbeitet)" if target.result else NEW_TITLE
    return {
        "title": title,
        "summary": "Neu gefasst.",
        "kind": Result.Kind.CHECKLIST,
        "maturity": target.result.maturity if target.result else Result.Maturity.DRAFT,
        "body": "## Ziel\n\nFassung drei.",
        "note": "Kapitel Ziel neu",
        "base_revision": 2 if target.result else "",
    }


def _newest(result: Result):
    return result.history.order_by("-revision").first()


def _created(world, target, role, response):
    new = Result.objects.get(title=NEW_TITLE)
    assert new.project == target.project
    assert (new.revision, new.maturity, new.created_by) == (1, DRAFT, world.users[role])
    assert response["Location"] == new.get_absolute_url()
    assert new.history.count() == 1


def _edited(world, target, role, response):
    result = Result.objects.get(pk=target.result.pk)
    assert result.revision == 3
    assert (result.title, result.body) == (
        f"{RESULT_TITLES[target.stage]} (überarbeitet)",
        "## Ziel\n\nFassung drei.",
    )
    assert result.maturity == target.stage
    newest = _newest(result)
    assert (newest.revision, newest.history_user, newest.history_change_reason) == (
        3,
        world.users[role],
        "Kapitel Ziel neu",
    )
    assert result.history.count() == 3


def _restored(world, target, role, response):
    result = Result.objects.get(pk=target.result.pk)
    assert result.revision == 3
    assert (result.summary, result.body) == (VERSION_1["summary"], VERSION_1["body"])
    assert (result.title, result.maturity) == (RESULT_TITLES[target.stage], target.stage)
    # Nothing is lost: versions 1 and 2 stay as they were, version 3 is new.
    versions = list(result.history.order_by("revision").values_list("revision", "body"))
    assert versions == [
        (1, VERSION_1["body"]),
        (2, VERSION_2["body"]),
        (3, VERSION_1["body"]),
    ]
    newest = _newest(result)
    assert newest.history_user == world.users[role]
    assert newest.history_change_reason == "wiederhergestellt aus Version 1"


def _archived(world, target, role, response):
    result = Result.objects.get(pk=target.result.pk)
    assert result.is_archived
    assert (result.revision, result.body) == (3, VERSION_2["body"])
    assert result.history.count() == 3
    assert _newest(result).history_user == world.users[role]


def _uploaded(world, target, role, response):
    attachments = list(target.result.attachments.order_by("pk"))
    assert [a.name for a in attachments] == [ATTACHMENT[0], UPLOAD[0]]
    new = attachments[-1]
    name, content = UPLOAD
    assert (new.size, new.uploaded_by) == (len(content), world.users[role])
    with new.file.open("rb") as stored:
        assert stored.read() == content
    assert Path(new.file.path).is_relative_to(world.media)
    # An attachment is no version of the text.
    assert Result.objects.get(pk=target.result.pk).revision == 2


@dataclass(frozen=True)
class Call:
    path: str = "result"  # "project": per project (result-create); "attachment": + attachment
    query: str = ""
    data: Callable[[World, Target], dict] = lambda world, target: {}
    effect: Callable | None = None  # checks a carried-out POST


CALLS = {
    "projects:result-create": Call("project", data=_result_form, effect=_created),
    "projects:result": Call(),
    "projects:result-edit": Call(data=_result_form, effect=_edited),
    "projects:result-versions": Call(),
    "projects:result-compare": Call(query="?von=1&zu=2"),
    "projects:result-restore": Call(
        data=lambda world, target: {"revision": 1, "base_revision": target.result.revision},
        effect=_restored,
    ),
    "projects:result-archive": Call(
        data=lambda world, target: {"base_revision": target.result.revision}, effect=_archived
    ),
    "projects:attachment-upload": Call(
        data=lambda world, target: {
            "file": SimpleUploadedFile(UPLOAD[0], UPLOAD[1], content_type="text/csv")
        },
        effect=_uploaded,
    ),
    "projects:attachment": Call("attachment"),
}


def _target(world: World, vis: str, stage: str) -> Target:
    project = world.projects[vis]
    if stage == NEW:
        return Target(vis, stage, project, None, None)
    return Target(vis, stage, project, world.results[vis, stage], world.attachments[vis, stage])


def _url(url_name: str, target: Target) -> str:
    call = CALLS[url_name]
    kwargs = {"slug": target.project.slug}
    if call.path != "project":
        kwargs["result_id"] = target.result.pk
    if call.path == "attachment":
        kwargs["attachment_id"] = target.attachment.pk
    return reverse(url_name, kwargs=kwargs) + call.query


def _body(response) -> str:
    return response.content.decode()


def _cells():
    for url_name, row in sorted(MATRIX.items()):
        for stage in row.get:
            for role in ROLES:
                for vis in VISIBILITIES:
                    for method in METHODS:
                        where = "-".join(p for p in (role, vis, stage, method) if p != NEW)
                        yield pytest.param(
                            url_name, role, vis, stage, method, id=f"{url_name}-{where}"
                        )


# --- The matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(("url_name", "role", "vis", "stage", "method"), list(_cells()))
def test_matrix(world, as_user, url_name, role, vis, stage, method):
    row, call = MATRIX[url_name], CALLS[url_name]
    expected = (row.get if method == "GET" else row.post)[stage][vis][role]
    target = _target(world, vis, stage)
    url = _url(url_name, target)
    client = as_user(world.users[role])
    before = snapshot(world)

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, call.data(world, target))

    where = f"{method} {url} als {role} ({vis}, {stage})"
    check_answer(response, expected, url=url, where=where, message=row.refusal)
    carried_out = method == "POST" and expected.then == "result"
    if not carried_out:
        assert snapshot(world) == before, f"{where} hat etwas verändert"

    if carried_out:
        if target.result is not None:
            assert response["Location"] == target.result.get_absolute_url()
        call.effect(world, target, role, response)

    if expected.status == 404:
        body = _body(response)
        assert "Seite nicht gefunden" in body
        # Not even the name of a hidden result or project is given away.
        assert RESULT_TITLES[TESTED] not in body and RESULT_TITLES[DRAFT] not in body
        assert target.project.title not in body
    elif expected.status == 200 and url_name == "projects:attachment":
        name, content = ATTACHMENT
        assert b"".join(response.streaming_content) == content
        assert name in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
    elif expected.status == 200:
        body = _body(response)
        assert target.project.title in body
        if target.result is not None:
            assert target.result.title in body
        if url_name == "projects:result-compare":
            assert "Version 1" in body and "verglichen mit Version 2" in body


def test_matrix_has_a_cell_for_every_role_visibility_stage_and_method():
    for url_name, row in MATRIX.items():
        assert url_name in CALLS
        per_project = CALLS[url_name].path == "project"
        assert set(row.get) == set(row.post) == ({NEW} if per_project else {TESTED, DRAFT})
        for tables in (row.get, row.post):
            for cells in tables.values():
                assert set(cells) == set(VISIBILITIES)
                for by_role in cells.values():
                    assert tuple(by_role) == ROLES
        refuses = any(
            e.status == 403
            for tables in (row.get, row.post)
            for cells in tables.values()
            for by_role in cells.values()
            for e in by_role.values()
        )
        assert bool(row.refusal) == refuses, f"{url_name}: 403 ohne deutsche Begründung"


def test_drafts_reach_the_team_only_on_every_url():
    """The rule behind the tables, checked against them: a draft is 404 (anonymous: login)
    for everyone outside the team and the office, whatever the URL, method or visibility."""
    outside = {"anonymous": LOGIN, "other": HIDE}
    for url_name, row in MATRIX.items():
        for tables in (row.get, row.post):
            if DRAFT not in tables:
                continue
            for vis, by_role in tables[DRAFT].items():
                for role, expected in by_role.items():
                    if role in outside and expected != NOPE:
                        assert expected == outside[role], (url_name, vis, role)


# --- Drafts do not leak sideways -------------------------------------------------------------


def test_a_draft_is_not_listed_for_those_outside_the_team(world, as_user):
    project = world.projects[Visibility.NETWORK]
    for role in ("other", "observer", "editor", "coordinator", "office"):
        body = _body(as_user(world.users[role]).get(project.get_absolute_url()))
        assert RESULT_TITLES[TESTED] in body, role
        assert (RESULT_TITLES[DRAFT] in body) == (role != "other"), role


def test_a_drafts_attachment_is_not_reachable_through_a_published_result(world, as_user):
    """The attachment id must belong to the result in the URL: no detour around the draft."""
    vis = Visibility.PUBLIC
    published, draft_file = world.results[vis, TESTED], world.attachments[vis, DRAFT]
    url = reverse(
        "projects:attachment",
        kwargs={
            "slug": published.project.slug,
            "result_id": published.pk,
            "attachment_id": draft_file.pk,
        },
    )
    for role in ("other", "observer", "office"):
        assert as_user(world.users[role]).get(url).status_code == 404, role
    assert as_user(None).get(url).status_code == 404


def test_a_drafts_live_partial_is_hidden_like_its_page(world, as_user):
    draft = world.results[Visibility.PUBLIC, DRAFT]
    url = f"{draft.get_absolute_url()}?teil=inhalt"
    assert as_user(world.users["other"]).get(url).status_code == 404
    anonymous = as_user(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(LOGIN_URL)
    team = as_user(world.users["observer"]).get(url)
    assert team.status_code == 200
    assert "Fassung zwei" in _body(team)


def test_a_result_of_another_project_is_404_through_this_projects_slug(world, as_user):
    """A result id is looked up within the project of the slug, never across projects."""
    hidden = world.results[Visibility.TEAM, TESTED]
    public = world.projects[Visibility.PUBLIC]
    before = snapshot(world)
    for name in ("projects:result", "projects:result-versions", "projects:result-compare"):
        url = reverse(name, kwargs={"slug": public.slug, "result_id": hidden.pk})
        assert as_user(world.users["other"]).get(url).status_code == 404, name
        # Anonymous visitors learn nothing either: whatever is not there asks for a login.
        assert as_user(None).get(url)["Location"].startswith(LOGIN_URL), name
    url = reverse("projects:result-archive", kwargs={"slug": public.slug, "result_id": hidden.pk})
    response = as_user(world.users["coordinator"]).post(url, {"base_revision": 2})
    assert response.status_code == 404
    assert snapshot(world) == before
