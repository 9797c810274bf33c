"""The committee in the API: exactly its public part, as the public committee pages show it.

World: tests/steering/conftest.py's ``public_world`` — a held meeting with approved minutes
and three adopted items (about a public project, a network-only free resolution, a team-only
project), and a planned meeting. The roles are the API matrix's (tests/api/world.py, with its
tokens): ``anonymous``; the write tokens of ``member`` (Brilon staff, in no project),
``editor`` (Iserlohn staff, editor in the team-only project's team) and ``office``; the
editor's ``readonly``, ``expired`` and ``revoked`` tokens; and, for the committee,
``committee`` (Arnsberg's delegate, a write token).

The API publishes held meetings' public parts only, so a planned meeting is not there even for
the committee and the office (its page is the committee's place). Every other answer is also
asked of the page showing the same, as the same person logged in. The committee endpoints
only read: a write is refused with 405 (403 for a read-only token, 401 for a token that no
longer works) and changes nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects import services as project_services
from projects.models import TeamMembership
from steering.models import Agreement, Meeting, Proposal
from steering.public import NON_PUBLIC_ITEM, PUBLIC_MEETING_STATES
from tests.api import world as api
from tests.api.pages import linked
from tests.api.world import DENY, HIDE, NOPE, OK, PAGE_ANSWER, PERSON, UNAUTH, bearer, check
from tests.matrix import LOGIN_URL, client_for
from tests.steering.conftest import (  # noqa: F401 – the committee's world, as its tests build it
    MINUTES,
    committee,
    proposed_project,
    public_world,
)

pytestmark = pytest.mark.django_db

ROLES = (*api.ROLES, "committee")


def cells(*statuses: int) -> dict[str, int]:
    return api.cells(*statuses, roles=ROLES)


# fmt: off
EVERYONE = cells(OK,  OK,   OK,   OK,   OK,   UNAUTH, UNAUTH, OK)
# A write: the method is not there (405); a read-only token is refused first, as everywhere.
READ_ONLY = cells(NOPE, NOPE, NOPE, NOPE, DENY, UNAUTH, UNAUTH, NOPE)
MATRIX = {           # anonymous member editor office readonly expired revoked committee
    "api:meeting-list": {"any": EVERYONE},
    "api:meeting-detail": {
        "held": EVERYONE,
        "planned":  cells(UNAUTH, HIDE, HIDE, HIDE, HIDE, UNAUTH, UNAUTH, HIDE),
    },
    "api:agreement-list": {"any": EVERYONE},
    "api:agreement-detail": {
        "agreement": EVERYONE,
        # A free resolution for the network: its members.
        "network_agreement": cells(UNAUTH, OK, OK, OK, OK, UNAUTH, UNAUTH, OK),
        # About a team-only project: its team, the office and the committee.
        "secret_agreement": cells(UNAUTH, HIDE, OK, OK, OK, UNAUTH, UNAUTH, OK),
    },
}
# fmt: on
# The write each endpoint is asked for: the list would create, the detail would replace.
WRITES = {
    "api:meeting-list": "POST",
    "api:meeting-detail": "PUT",
    "api:agreement-list": "POST",
    "api:agreement-detail": "PUT",
}
PAGES = {
    "api:meeting-list": "steering:meetings",
    "api:meeting-detail": "steering:meeting",
    "api:agreement-list": "steering:agreements",
    "api:agreement-detail": "steering:agreement",
}


@pytest.fixture
def world(public_world, coordinator, editor, office):  # noqa: F811 – the imported fixture
    extra = public_world.extra
    secret = extra["secret_agreement"].project
    project_services.team_member_add(
        project=secret, by=coordinator, user=editor, role=TeamMembership.Role.EDITOR
    )
    extra["network_agreement"] = Agreement.objects.get(meeting=extra["held"], project__isnull=True)
    extra["users"] = {
        **extra["users"],
        "editor": editor,
        "office": office,
    }
    extra["tokens"] = api.tokens_for(extra["users"], writers=(*api.WRITERS, "committee"))
    return public_world


def _person(world, role):
    return world.extra["users"][PERSON.get(role, role)]


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
    if name == "api:agreement-detail":
        return reverse(PAGES[name], kwargs={"number": extra[case].number})
    return reverse(PAGES[name])


def _snapshot():
    return (
        list(Agreement.objects.order_by("pk").values_list("pk", "number", "title", "text")),
        list(Meeting.objects.order_by("pk").values_list("pk", "state", "title", "minutes")),
        list(Proposal.objects.order_by("pk").values_list("pk", "state")),
    )


CELLS = [
    pytest.param(name, case, role, id=f"{name}-{case}-{role}")
    for name, cases in sorted(MATRIX.items())
    for case in cases
    for role in ROLES
]


@pytest.mark.parametrize(("name", "case", "role"), CELLS)
def test_matrix(world, name, case, role):
    expected = MATRIX[name][case][role]
    url = _url(world, name, case)
    response = client_for(None).get(url, **bearer(world.extra["tokens"], role))
    check(response, expected, f"GET {url} als {role}")
    if role in ("expired", "revoked"):
        return  # the page reads no token
    if name == "api:meeting-detail" and case == "planned" and expected == HIDE:
        return  # the committee's own page; the API has only the public part
    page_url = _page(world, name, case)
    page = client_for(_person(world, role)).get(page_url)
    if page.status_code == 302:
        assert page["Location"].startswith(LOGIN_URL), page_url
    assert PAGE_ANSWER[page.status_code] == expected, (
        f"{page_url} als {role}: die Seite antwortet {page.status_code}, die API {expected}"
    )


def test_a_planned_meeting_is_the_committee_s_page_only(world):
    """The one answer that differs from the page on purpose: the committee and the office read
    a planned meeting on its page; the API, which publishes the public part, has none."""
    url = _page(world, "api:meeting-detail", "planned")
    for role in ("committee", "office"):
        assert client_for(_person(world, role)).get(url).status_code == 200, role
    for role in ("member", "editor"):
        assert client_for(_person(world, role)).get(url).status_code == 404, role


WRITE_CELLS = [
    pytest.param(name, case, id=f"{name}-{case}-{WRITES[name]}")
    for name, cases in sorted(MATRIX.items())
    for case in cases
]


@pytest.mark.parametrize(("name", "case"), WRITE_CELLS)
def test_the_committee_endpoints_only_read(world, name, case):
    # Every role in one test: the committee's world is built anew for each test.
    url = _url(world, name, case)
    method = WRITES[name]
    before = _snapshot()
    for role in ROLES:
        where = f"{method} {url} als {role}"
        response = client_for(None).generic(
            method,
            url,
            '{"title": "Geändert", "text": "Neu beschlossen."}',
            content_type="application/json",
            **bearer(world.extra["tokens"], role),
        )
        check(response, READ_ONLY[role], where)
        if role == "readonly":
            assert response.json()["detail"] == "Dieser Zugang darf nur lesen.", where
        assert _snapshot() == before, f"{where}: hat etwas geschrieben"


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("expired", "revoked")])
def test_the_lists_hold_what_the_register_pages_list(world, role):
    """The agreements of /steuerkreis/vereinbarungen/ and the meetings of
    /steuerkreis/sitzungen/, for the same person; of the meetings the API has the held ones
    only, so the committee's page has the planned one besides."""
    person = _person(world, role)
    api = {a["number"] for a in _get(world, role, reverse("api:agreement-list"))["results"]}
    page = linked(
        client_for(person).get(reverse("steering:agreements")), "steering:agreement", "number"
    )
    assert api, "keine Vereinbarungen: der Vergleich sagte nichts"
    assert api == page, f"Vereinbarungen als {role}: API {sorted(api)}, Seite {sorted(page)}"

    api = {m["id"] for m in _get(world, role, reverse("api:meeting-list"))["results"]}
    page = linked(
        client_for(person).get(reverse("steering:meetings")), "steering:meeting", "meeting_id"
    )
    held = set(
        Meeting.objects.filter(pk__in=page, state__in=PUBLIC_MEETING_STATES).values_list(
            "pk", flat=True
        )
    )
    assert api, "keine Sitzungen: der Vergleich sagte nichts"
    assert api == held, f"Sitzungen als {role}: API {sorted(api)}, Seite {sorted(held)}"
    sits = role in ("office", "committee")
    assert page - held == ({world.extra["planned"].pk} if sits else set()), role


def _get(world, role, url):
    return client_for(None).get(url, **bearer(world.extra["tokens"], role)).json()


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
    assert [item["title"] for item in member["items"]] == [
        "Datenplattform beschließen",
        "Netzwerkinterner Beschluss",
        str(NON_PUBLIC_ITEM),
    ]
    # The team reads the title of its own project's resolution.
    editor = _get(world, "editor", f"/api/v1/sitzungen/{extra['held'].pk}/")
    assert [item["title"] for item in editor["items"]] == [
        "Datenplattform beschließen",
        "Netzwerkinterner Beschluss",
        "Geheimer Beschluss",
    ]


def test_agreements_follow_their_project(world):
    extra = world.extra

    def numbers(role):
        return {a["number"] for a in _get(world, role, "/api/v1/vereinbarungen/")["results"]}

    assert numbers("anonymous") == {extra["agreement"].number}
    assert extra["secret_agreement"].number not in numbers("member")
    assert extra["secret_agreement"].number in numbers("committee")
    assert extra["secret_agreement"].number in numbers("editor")
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
