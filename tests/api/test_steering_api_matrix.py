"""The committee in the API: exactly its public part, as the public committee pages show it.

World: tests/steering/conftest.py's ``public_world`` — a held meeting with approved minutes
and three adopted items (about a public project, a network-only free resolution, a team-only
project), and a planned meeting. Roles: ``anonymous``; ``member`` (Brilon staff, token);
``committee`` (Arnsberg's delegate, token). The API publishes held meetings' public parts only,
so a planned meeting is not there even for the committee (its page is the committee's place).
Every agreement answer is also asked of the agreement's page as the same person.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from steering.public import NON_PUBLIC_ITEM
from tests.matrix import client_for
from tests.steering.conftest import (  # noqa: F401 – the committee's world, as its tests build it
    MINUTES,
    committee,
    proposed_project,
    public_world,
)
from workspace.api import services as token_services
from workspace.api.models import AccessToken

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "committee")
OK, UNAUTH, HIDE = 200, 401, 404
PAGE_ANSWER = {200: OK, 302: UNAUTH, 404: HIDE}

# fmt: off
MATRIX = {          # anonymous  member  committee
    "api:meeting-list":     {"held": (OK, OK, OK)},
    "api:meeting-detail":   {"held": (OK, OK, OK), "planned": (UNAUTH, HIDE, HIDE)},
    "api:agreement-list":   {"any": (OK, OK, OK)},
    "api:agreement-detail": {"agreement": (OK, OK, OK), "secret_agreement": (UNAUTH, HIDE, OK)},
}
# fmt: on
PAGES = {"api:agreement-detail": "steering:agreement", "api:meeting-detail": "steering:meeting"}


@pytest.fixture
def world(public_world):  # noqa: F811 – the imported fixture
    extra = public_world.extra
    tokens = {}
    for role in ("member", "committee"):
        _row, token = token_services.access_token_create(
            user=extra["users"][role],
            name=role,
            scope=AccessToken.Scope.READ,
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        tokens[role] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    extra["tokens"] = tokens
    return public_world


def _url(world, name, case):
    extra = world.extra
    if name == "api:meeting-detail":
        return reverse(name, kwargs={"pk": extra[case].pk})
    if name == "api:agreement-detail":
        return reverse(name, kwargs={"number": extra[case].number})
    return reverse(name)


def _page(world, name, case):
    extra = world.extra
    if name == "api:meeting-detail":
        return reverse(PAGES[name], kwargs={"meeting_id": extra[case].pk})
    return reverse(PAGES[name], kwargs={"number": extra[case].number})


CELLS = [
    pytest.param(name, case, role, id=f"{name}-{case}-{role}")
    for name, cases in sorted(MATRIX.items())
    for case in cases
    for role in ROLES
]


@pytest.mark.parametrize(("name", "case", "role"), CELLS)
def test_matrix(world, name, case, role):
    expected = MATRIX[name][case][ROLES.index(role)]
    url = _url(world, name, case)
    response = client_for(None).get(url, **world.extra["tokens"].get(role, {}))
    assert response.status_code == expected, f"{url} als {role}: {response.status_code}"
    if name not in PAGES or (name == "api:meeting-detail" and case == "planned"):
        return
    person = world.extra["users"][role]
    page = client_for(person).get(_page(world, name, case))
    assert PAGE_ANSWER[page.status_code] == expected, f"Seite {page.status_code} für {role}"


def _get(world, role, url):
    return client_for(None).get(url, **world.extra["tokens"].get(role, {})).json()


def test_meetings_show_their_public_part_only(world):
    extra = world.extra
    listed = _get(world, "committee", "/api/v1/sitzungen/")["results"]
    assert [m["id"] for m in listed] == [extra["held"].pk]
    held = _get(world, "anonymous", f"/api/v1/sitzungen/{extra['held'].pk}/")
    assert held["minutes"] == MINUTES
    assert held["place_kind"] == "vor Ort"
    assert "Olpe" not in str(held)  # the kind of place, never the address
    titles = [item["title"] for item in held["items"]]
    assert titles == [
        "Datenplattform beschließen",
        str(NON_PUBLIC_ITEM),  # the network's own resolution
        str(NON_PUBLIC_ITEM),  # about a team-only project
    ]
    member = _get(world, "member", f"/api/v1/sitzungen/{extra['held'].pk}/")
    assert [item["title"] for item in member["items"]][:2] == [
        "Datenplattform beschließen",
        "Netzwerkinterner Beschluss",
    ]


def test_agreements_follow_their_project(world):
    extra = world.extra

    def numbers(role):
        return {a["number"] for a in _get(world, role, "/api/v1/vereinbarungen/")["results"]}

    assert numbers("anonymous") == {extra["agreement"].number}
    assert extra["secret_agreement"].number not in numbers("member")
    assert extra["secret_agreement"].number in numbers("committee")
    detail = _get(world, "anonymous", f"/api/v1/vereinbarungen/{extra['agreement'].number}/")
    assert detail["project"] == extra["agreement"].project.slug
    assert detail["pinned_versions"] == [
        {
            "result": approval.result_id,
            "revision": approval.history_row.revision,
            "history_id": approval.history_row_id,
            "title": approval.history_row.title,
            "readable": True,
        }
        for approval in extra["agreement"].approvals.select_related("history_row")
    ]
