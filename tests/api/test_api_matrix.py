"""The API's permission matrix: every endpoint, every role, every visibility and stage.

Roles (tests/api/world.py): ``anonymous``; the write tokens of ``member`` (Brilon staff, in no
project), ``editor`` (the projects' team editor) and ``office``; the editor's ``readonly``
token; the editor's ``expired`` and ``revoked`` tokens.

The answers are written out as data, not derived from the app. They are the pages' answers
spoken to a machine: the page's login redirect is 401 here (with ``WWW-Authenticate``),
404 stays 404 (hidden), 403 stays 403 (may see, may not act) with the German reason. And each
cell is also asked of the page that shows the same thing, as the same person logged in: the
two must agree (``PAGE_ANSWER``). An expired or revoked token is 401 everywhere; a read-only
token reads what its person reads and never writes. Every refused write leaves results and
their history exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from projects.models import Result
from tests.api.world import (
    DENY,
    DRAFT,
    HIDE,
    NOPE,
    OK,
    PAGE_ANSWER,
    PERSON,
    ROLES,
    TESTED,
    UNAUTH,
    VISIBILITIES,
    cells,
    check,
    headers,
)
from tests.matrix import LOGIN_URL, client_for

pytestmark = pytest.mark.django_db

PUBLIC, NETWORK, TEAM = VISIBILITIES

EVERYONE = cells(OK, OK, OK, OK, OK, UNAUTH, UNAUTH)
# fmt: off
# By visibility of the project (a tested result follows its project).
SEE_PROJECT = {        # anonymous member  editor office readonly expired revoked
    PUBLIC:  cells(OK,       OK,     OK,    OK,    OK,      UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   OK,     OK,    OK,    OK,      UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   OK,    OK,    OK,      UNAUTH, UNAUTH),
}
SEE_DRAFT = {
    PUBLIC:  cells(UNAUTH,   HIDE,   OK,    OK,    OK,      UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   HIDE,   OK,    OK,    OK,      UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   OK,    OK,    OK,      UNAUTH, UNAUTH),
}
# PATCH a result: the team's editors and the office; a read-only token never.
EDIT_TESTED = {
    PUBLIC:  cells(UNAUTH,   DENY,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   DENY,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
}
EDIT_DRAFT = {
    PUBLIC:  cells(UNAUTH,   HIDE,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   HIDE,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
}
# Follow a project, comment on it: whoever sees it (and, for comments, takes part).
FOLLOW = {
    PUBLIC:  cells(UNAUTH,   OK,     OK,    OK,    DENY,    UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   OK,     OK,    OK,    DENY,    UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   OK,    OK,    DENY,    UNAUTH, UNAUTH),
}
COMMENT = {
    PUBLIC:  cells(UNAUTH,   201,    201,   201,   DENY,    UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   201,    201,   201,   DENY,    UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   201,   201,   DENY,    UNAUTH, UNAUTH),
}
SEE_FOLLOW = {
    PUBLIC:  cells(UNAUTH,   OK,     OK,    OK,    OK,      UNAUTH, UNAUTH),
    NETWORK: cells(UNAUTH,   OK,     OK,    OK,    OK,      UNAUTH, UNAUTH),
    TEAM:    cells(UNAUTH,   HIDE,   OK,    OK,    OK,      UNAUTH, UNAUTH),
}
# fmt: on
BY_RESULT = {(vis, TESTED): SEE_PROJECT[vis] for vis in VISIBILITIES} | {
    (vis, DRAFT): SEE_DRAFT[vis] for vis in VISIBILITIES
}
EDIT_RESULT = {(vis, TESTED): EDIT_TESTED[vis] for vis in VISIBILITIES} | {
    (vis, DRAFT): EDIT_DRAFT[vis] for vis in VISIBILITIES
}
ONE = {None: EVERYONE}
NOT_HERE = {None: cells(NOPE, NOPE, NOPE, NOPE, NOPE, UNAUTH, UNAUTH)}
# fmt: off
ISSUE = {
    "published": EVERYONE,
    "draft": cells(UNAUTH, HIDE, HIDE, OK, HIDE, UNAUTH, UNAUTH),
}
# Register for a Klassentreffen: members and the office (201); a read-only token never.
REGISTER = {None: cells(UNAUTH, 201, 201, 201, DENY, UNAUTH, UNAUTH)}
# fmt: on
# The reference page is a page of the site: it reads no token.
PAGE_FOR_ALL = {None: cells(OK, OK, OK, OK, OK, OK, OK)}


@dataclass(frozen=True)
class Row:
    target: str  # what the URL points at: "none", "municipality", "cohort", "project", "result"
    get: dict  # case → cells
    write: tuple[str, dict] | None = None  # (method, case → cells)
    query: str = ""
    # The page showing the same thing: (url name, kwargs of the target) or None.
    page: Callable | None = None


def _project_page(world, case):
    return reverse("projects:detail", kwargs={"slug": world.projects[case].slug})


def _result_page(name):
    def page(world, case):
        result = world.results[case]
        return reverse(name, kwargs={"slug": result.project.slug, "result_id": result.pk})

    return page


MATRIX: dict[str, Row] = {
    "api:schema": Row("none", ONE),
    # Whatever else lies under /api/v1/: the API's own 404, for everyone.
    "api:not-found": Row("nowhere", {None: cells(*[HIDE] * 7)}),
    "api:swagger": Row("none", ONE),
    "api:reference": Row("none", PAGE_FOR_ALL),
    "api:municipality-list": Row("none", ONE, page=lambda w, c: reverse("municipality-list")),
    "api:municipality-detail": Row(
        "municipality", ONE, page=lambda w, c: reverse("municipality-detail", args=["menden"])
    ),
    "api:cohort-list": Row("none", ONE),
    "api:cohort-detail": Row("cohort", ONE),
    "api:project-list": Row("none", ONE, page=lambda w, c: reverse("projects:list")),
    "api:project-detail": Row("project", SEE_PROJECT, page=_project_page),
    "api:result-list": Row("none", ONE),
    "api:template-list": Row("none", ONE, page=lambda w, c: reverse("templates:list")),
    "api:template-detail": Row(
        "template",
        SEE_PROJECT,
        page=lambda w, c: reverse("templates:detail", args=[w.templates[c].pk]),
    ),
    "api:adoption-list": Row("none", ONE),
    "api:follow-detail": Row("follow", SEE_FOLLOW, write=("PUT", FOLLOW)),
    "api:comment-list": Row(
        "comments", {v: NOT_HERE[None] for v in VISIBILITIES}, write=("POST", COMMENT)
    ),
    "api:guide-list": Row("none", ONE, page=lambda w, c: reverse("guides:list")),
    "api:guide-detail": Row(
        "guide",
        {"published": EVERYONE, "planned": EVERYONE},
        page=lambda w, c: reverse("guides:detail", args=[w.guides[c].slug]),
    ),
    "api:term-list": Row("none", ONE, page=lambda w, c: reverse("guides:glossary")),
    "api:term-detail": Row(
        "term", ONE, page=lambda w, c: reverse("guides:term", args=[w.term.slug])
    ),
    "api:appointment-list": Row("none", ONE, page=lambda w, c: reverse("dates:list")),
    "api:appointment-detail": Row(
        "appointment", ONE, page=lambda w, c: reverse("dates:detail", args=[w.appointment.pk])
    ),
    "api:appointment-registration": Row("appointment", NOT_HERE, write=("POST", REGISTER)),
    "api:issue-list": Row("none", ONE, page=lambda w, c: reverse("newsletter:archive")),
    "api:issue-detail": Row(
        "issue", ISSUE, page=lambda w, c: reverse("newsletter:issue", args=[w.issues[c].pk])
    ),
    "api:result-detail": Row(
        "result",
        BY_RESULT,
        write=("PATCH", EDIT_RESULT),
        page=_result_page("projects:result"),
    ),
    "api:result-versions": Row("result", BY_RESULT, page=_result_page("projects:result-versions")),
    "api:result-version": Row("version", BY_RESULT),
    "api:result-compare": Row(
        "result", BY_RESULT, query="?von=1&zu=2", page=_result_page("projects:result-compare")
    ),
}
# The page that answers a write the same way: the edit form (GET, so it changes nothing).
WRITE_PAGE = {"api:result-detail": _result_page("projects:result-edit")}


@pytest.fixture
def world(api_world):
    return api_world


def _url(world, name: str, row: Row, case) -> str:
    if row.target == "none":
        return reverse(name)
    if row.target == "nowhere":
        return "/api/v1/ergebnisse/-1/"
    if row.target == "municipality":
        return reverse(name, kwargs={"slug": "menden"})
    if row.target == "cohort":
        return reverse(name, kwargs={"year": world.municipalities["menden"].cohort.year})
    if row.target == "follow":
        return reverse(
            name, kwargs={"model": "projects.leadproject", "pk": world.projects[case].pk}
        )
    if row.target == "comments":
        return reverse(name)
    if row.target == "template":
        return reverse(name, kwargs={"pk": world.templates[case].pk})
    if row.target == "guide":
        return reverse(name, kwargs={"slug": world.guides[case].slug})
    if row.target == "term":
        return reverse(name, kwargs={"slug": world.term.slug})
    if row.target == "appointment":
        return reverse(name, kwargs={"pk": world.appointment.pk})
    if row.target == "issue":
        return reverse(name, kwargs={"pk": world.issues[case].pk})
    if row.target == "project":
        return reverse(name, kwargs={"slug": world.projects[case].slug})
    if row.target == "version":
        return reverse(name, kwargs={"pk": world.results[case].pk, "revision": 1})
    return reverse(name, kwargs={"pk": world.results[case].pk}) + row.query


def _snapshot():
    from network.dates.models import Registration
    from network.discussion.models import Comment
    from workspace.models import Follow

    return (
        list(Result.objects.order_by("pk").values_list("pk", "revision", "body")),
        Result.history.count(),
        list(Registration.objects.values_list("pk", "user_id", "status")),
        list(Follow.objects.order_by("pk").values_list("pk", "user_id", "target_id")),
        Comment.objects.count(),
    )


def _case_id(case) -> str:
    if case is None:
        return "-"
    parts = case if isinstance(case, tuple) else (case,)
    return "+".join(str(getattr(part, "value", part)) for part in parts)


def _cells():
    for name, row in sorted(MATRIX.items()):
        for case in row.get:
            yield pytest.param(name, case, "GET", id=f"{name}-{_case_id(case)}-GET")
        if row.write:
            method = row.write[0]
            for case in row.write[1]:
                yield pytest.param(name, case, method, id=f"{name}-{_case_id(case)}-{method}")


def _carried_out(world, row, case, role, response, where):
    if row.target == "result":
        changed = Result.objects.get(pk=world.results[case].pk)
        assert changed.revision == 3 and changed.body.endswith("Drei."), where
        assert response.json()["revision"] == 3
    elif row.target == "follow":
        from workspace import notifications

        person = world.users[PERSON[role]]
        assert notifications.is_following(person, world.projects[case]), where
        assert response.json() == {"following": True}
    elif row.target == "comments":
        from network.discussion.models import Comment

        comment = Comment.objects.get(pk=response.json()["id"])
        assert (comment.author, comment.project) == (
            world.users[PERSON[role]],
            world.projects[case],
        )
    else:
        person = world.users[PERSON[role]]
        assert world.appointment.registrations.filter(user=person).count() == 1, where
        assert response.json()["status"] == "confirmed"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "case", "method"), list(_cells()))
def test_matrix(world, name, case, method, role):
    row = MATRIX[name]
    url = _url(world, name, row, case)
    client = client_for(None)
    where = f"{method} {url} als {role}"
    before = _snapshot()
    if method == "GET":
        expected = row.get[case][role]
        response = client.get(url, **headers(world, role))
    else:
        expected = row.write[1][case][role]
        payload = {}
        if row.target == "result":
            payload = {
                "base_revision": world.results[case].revision,
                "body": "Eins.\n\nZwei.\n\nDrei.",
            }
        elif row.target == "comments":
            payload = {"project": world.projects[case].slug, "body": "Wie weit ist die Plattform?"}
        response = client.generic(
            method,
            url,
            json.dumps(payload),
            content_type="application/json",
            **headers(world, role),
        )
    check(response, expected, where)
    if method != "GET":
        if expected in (200, 201):
            _carried_out(world, row, case, role, response, where)
        else:
            assert _snapshot() == before, f"{where}: eine abgelehnte Änderung hat etwas geschrieben"
    # The page showing the same, asked as the same person, gives the same answer.
    page = WRITE_PAGE.get(name) if method != "GET" else row.page
    if page is None or role in ("expired", "revoked"):
        return
    if role == "readonly" and method != "GET":
        return  # the scope of a token: the page has no such thing
    person = world.users[PERSON[role]] if role != "anonymous" else None
    answer = client_for(person).get(page(world, case))
    if answer.status_code == 302:
        assert answer["Location"].startswith(LOGIN_URL), where
    assert PAGE_ANSWER[answer.status_code] == expected, (
        f"{where}: die Seite antwortet {answer.status_code}, die Schnittstelle {expected}"
    )
