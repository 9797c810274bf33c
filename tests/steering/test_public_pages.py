"""The committee's public part on the pages (steering.public), role by role, in the world of
``public_world`` (tests/steering/conftest.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Visibility
from steering import services
from steering.models import Proposal
from tests.matrix import HIDE, LOGIN, OK, check_answer, client_for
from tests.steering.conftest import MINUTES, open_meeting

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "committee")


def _get(world, role, url):
    return client_for(world.extra["users"][role]).get(url)


@pytest.mark.parametrize("role", ROLES)
def test_the_committee_page_shows_its_composition_and_held_meetings(public_world, role):
    body = _get(public_world, role, reverse("steering:committee")).content.decode()
    assert "Arnsberg" in body and "Sabine Soest" in body
    # Names without consent: only for the network (workspace.people.public_name).
    assert ("Arne Arnsberg" in body) == (role != "anonymous")
    assert "Sitzung des Steuerkreises" in body
    assert ("Geplante Sitzung" in body) == (role == "committee")


@pytest.mark.parametrize("role", ROLES)
def test_the_meeting_list_shows_held_meetings_to_everyone(public_world, role):
    response = _get(public_world, role, reverse("steering:meetings"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sitzung des Steuerkreises" in body
    assert ("Geplante Sitzung" in body) == (role == "committee")


# Held: the public part (anonymous, member) or the whole page (committee); planned: the
# committee's alone.
MEETING = {"held": (OK, OK, OK), "planned": (LOGIN, HIDE, OK)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", sorted(MEETING))
def test_a_meeting_page_by_state(public_world, which, role):
    meeting = public_world.extra[which]
    url = meeting.get_absolute_url()
    expected = dict(zip(ROLES, MEETING[which], strict=True))[role]
    response = _get(public_world, role, url)
    check_answer(response, expected, url=url, where=f"{which} als {role}")
    body = response.content.decode()
    if expected is not OK:
        assert "Vertrauliche Vorlage" not in body and "video.example.org" not in body


@pytest.mark.parametrize("role", ("anonymous", "member"))
def test_a_held_meeting_shows_exactly_its_public_part(public_world, role):
    world = public_world
    body = _get(world, role, world.extra["held"].get_absolute_url()).content.decode()
    assert "Sitzung des Steuerkreises" in body
    assert "vor Ort" in body and "Olpe" not in body  # the kind of place, not the place
    assert "TOP 1: Datenplattform beschließen" in body
    assert world.extra["agreement"].get_absolute_url() in body
    # A free resolution is the network's; a team-only project's title is nobody's business.
    assert ("TOP 2: Netzwerkinterner Beschluss" in body) == (role == "member")
    assert "Geheimer Beschluss" not in body and "TOP 3: nicht öffentlich" in body
    assert world.extra["secret_agreement"].get_absolute_url() not in body
    assert MINUTES in body
    # Nothing of the deliberation: attendance, votes, names, the live channel.
    for private in ("Anwesend", "Stimmen zu TOP", "Ja:", "Arne Arnsberg", "data-live-url"):
        assert private not in body, private


def test_the_committee_sees_the_whole_held_meeting(public_world):
    body = _get(public_world, "committee", public_world.extra["held"].get_absolute_url())
    body = body.content.decode()
    assert "Olpe" in body and "Geheimer Beschluss" in body and "Anwesend" in body


# An adopted proposal is public with its agreement; a draft stays the committee's.
PROPOSAL = {
    "adopted": (OK, OK, OK),
    "hidden": (LOGIN, HIDE, OK),
    "draft": (LOGIN, HIDE, OK),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", sorted(PROPOSAL))
def test_a_proposal_page_by_state(public_world, which, role):
    proposal = public_world.extra[which]
    url = proposal.get_absolute_url()
    expected = dict(zip(ROLES, PROPOSAL[which], strict=True))[role]
    response = _get(public_world, role, url)
    check_answer(response, expected, url=url, where=f"{which} als {role}")
    if expected is OK and role == "anonymous":
        body = response.content.decode()
        assert proposal.title in body
        assert public_world.extra["agreement"].get_absolute_url() in body


def test_a_project_that_becomes_team_only_takes_its_decision_off_the_public_pages(
    public_world, coordinator
):
    from projects import services as project_services

    world = public_world
    project = world.extra["adopted"].project
    project_services.project_update(project=project, by=coordinator, visibility=Visibility.TEAM)
    body = _get(world, "anonymous", world.extra["held"].get_absolute_url()).content.decode()
    assert "Datenplattform beschließen" not in body and "TOP 1: nicht öffentlich" in body
    url = world.extra["adopted"].get_absolute_url()
    check_answer(_get(world, "anonymous", url), LOGIN, url=url, where="anonym")


def test_the_public_meeting_list_costs_the_same_for_few_and_many(
    public_world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(None)
    url = reverse("steering:meetings")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        point = services.proposal_create(
            by=public_world.delegate, kind=Proposal.Kind.FREE, title=f"Punkt {n}", text="…"
        )
        open_meeting(public_world, point)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("Sitzung des Steuerkreises") >= 6


def test_a_public_meeting_page_costs_the_same_for_a_short_and_a_long_agenda(public_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def held(points: int):
        proposals = [
            services.proposal_create(
                by=public_world.delegate,
                kind=Proposal.Kind.FREE,
                title=f"Punkt {n}",
                text="…",
                project=public_world.extra["adopted"].project,
            )
            for n in range(points)
        ]
        meeting, _items = open_meeting(public_world, *proposals)
        return meeting

    client = client_for(None)
    counts = []
    for meeting in (held(1), held(10)):
        client.get(meeting.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            body = client.get(meeting.get_absolute_url()).content.decode()
        counts.append(len(queries.captured_queries))
    assert "TOP 10: Punkt 9" in body
    assert counts[0] == counts[1]
