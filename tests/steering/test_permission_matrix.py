"""Who may open which steering URL, for GET and POST, by role.

The expectations are written out as data (``MATRIX``), one row per URL: GET and POST, each a
cell per role. They are not derived from ``steering.permissions``, so this test can disagree
with the app; ``tests/test_url_coverage.py`` fails for any URL of steering/ that stands in no row.

The roles: ``anonymous``; ``member`` (Brilon staff: in the network, in no project, no seat);
``coordinator`` (coordinates Menden's proposed project, no seat); ``committee`` (Arnsberg's
delegate, a member seat); ``chair`` (Olpe's delegate, the chair's seat); ``office`` (the network
office, which holds a seat without a vote). Every POST that is not carried out leaves the
database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import LeadProject, Visibility
from steering import services
from steering.models import Meeting, Proposal, Seat
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.matrix import (
    DENY,
    DONE,
    HIDE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    cells_for,
    check_answer,
    client_for,
)
from tests.projects.factories import lead_project
from tests.steering.conftest import open_meeting
from tests.steering.test_services import snapshot as steering_snapshot

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "coordinator", "committee", "chair", "office")


cells = cells_for(ROLES)


@dataclass(frozen=True)
class Row:
    get: dict[str, Expect]
    post: dict[str, Expect]
    refusal: str | None = None  # the German message of every 403 of the row


NOT_CHAIR = "Das tun nur der Vorsitz des Steuerkreises und die Geschäftsstelle."
NOT_OFFICE = "Die Sitze des Steuerkreises verwaltet die Geschäftsstelle."
NOT_DRAFTER = "Beschlussvorlagen entwerfen die Mitglieder des Steuerkreises"
NO_VOTE = "Die Geschäftsstelle leitet die Sitzung ohne Stimme."
NOPE6 = cells(NOPE, NOPE, NOPE, NOPE, NOPE, NOPE)

# fmt: off
MATRIX: dict[str, Row] = {
    # The committee's composition is public (steering.public); its seats the office's business.
    "steering:committee": Row(
        get=cells(OK, OK, OK, OK, OK, OK),  # anonymous member coordinator committee chair office
        post=NOPE6,
    ),
    "steering:seat-add": Row(
        get=cells(LOGIN, DENY, DENY, DENY, DENY, OK),
        post=cells(LOGIN, DENY, DENY, DENY, DENY, DONE),
        refusal=NOT_OFFICE,
    ),
    "steering:seat-end": Row(
        get=NOPE6,
        post=cells(LOGIN, DENY, DENY, DENY, DENY, DONE),
        refusal=NOT_OFFICE,
    ),
    # The list of meetings: held ones for everyone, every one for the committee (tested below).
    "steering:meetings": Row(
        get=cells(OK, OK, OK, OK, OK, OK),
        post=NOPE6,
    ),
    "steering:meeting-create": Row(
        get=cells(LOGIN, DENY, DENY, DENY, OK, OK),
        post=cells(LOGIN, DENY, DENY, DENY, DONE, DONE),
        refusal=NOT_CHAIR,
    ),
    # A planned meeting: the committee's deliberations (a held one's public part: below).
    "steering:meeting": Row(
        get=cells(LOGIN, HIDE, HIDE, OK, OK, OK),
        post=NOPE6,
    ),
    "steering:meeting-agenda": Row(
        get=NOPE6,
        post=cells(LOGIN, HIDE, HIDE, DENY, DONE, DONE),
        refusal=NOT_CHAIR,
    ),
    "steering:meeting-invite": Row(
        get=NOPE6,
        post=cells(LOGIN, HIDE, HIDE, DENY, DONE, DONE),
        refusal=NOT_CHAIR,
    ),
    "steering:meeting-open": Row(
        get=NOPE6,
        post=cells(LOGIN, HIDE, HIDE, DENY, DONE, DONE),
        refusal=NOT_CHAIR,
    ),
    "steering:meeting-minutes": Row(
        get=NOPE6,
        post=cells(LOGIN, HIDE, HIDE, DENY, DONE, DONE),
        refusal=NOT_CHAIR,
    ),
    # Each voting municipality present votes; the office chairs without a vote.
    "steering:vote": Row(
        get=NOPE6,
        post=cells(LOGIN, HIDE, HIDE, DONE, DONE, DENY),
        refusal=NO_VOTE,
    ),
    "steering:vote-close": Row(
        get=NOPE6,
        post=cells(LOGIN, HIDE, HIDE, DENY, DONE, DONE),
        refusal=NOT_CHAIR,
    ),
    # Proposals: drafted by the committee and by coordinators of lead projects.
    "steering:proposals": Row(
        get=cells(LOGIN, DENY, OK, OK, OK, OK),
        post=NOPE6,
        refusal=NOT_DRAFTER,
    ),
    "steering:proposal-create": Row(
        get=cells(LOGIN, DENY, OK, OK, OK, OK),
        post=cells(LOGIN, DENY, DONE, DONE, DONE, DONE),
        refusal=NOT_DRAFTER,
    ),
    # A draft of a committee member: the committee's (its drafter's and an adopted one: below).
    "steering:proposal": Row(
        get=cells(LOGIN, HIDE, HIDE, OK, OK, OK),
        post=NOPE6,
    ),
    # Decisions: for whoever may see their project (here a public one), and the committee.
    "steering:agreements": Row(
        get=cells(OK, OK, OK, OK, OK, OK),
        post=NOPE6,
    ),
    "steering:agreement": Row(
        get=cells(OK, OK, OK, OK, OK, OK),
        post=NOPE6,
    ),
}
# fmt: on


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def world(committee, proposed_project, coordinator, outsider, iserlohn, editor):
    committee.extra.update(
        users={
            "anonymous": None,
            "member": outsider,
            "coordinator": coordinator,
            "committee": committee.delegate,
            "chair": committee.chair,
            "office": committee.office,
        },
        project=proposed_project,
        iserlohn=iserlohn,
        editor=editor,
    )
    return committee


def _draft(world, title="Klassentreffen in Olpe", project=None) -> Proposal:
    return services.proposal_create(
        by=world.delegate, kind=Proposal.Kind.FREE, title=title, text="Beschluss.", project=project
    )


def _planned(world, *proposals) -> Meeting:
    meeting = services.meeting_create(
        by=world.chair, title="Sitzung", starts_at=timezone.now(), place="Olpe"
    )
    for proposal in proposals:
        services.agenda_item_add(by=world.chair, meeting=meeting, proposal=proposal)
    return meeting


def _invited(world) -> Meeting:
    meeting = _planned(world, _draft(world))
    services.meeting_invite(by=world.chair, meeting=meeting)
    return meeting


def _held(world, *, votes=()):
    # A free resolution about the (public) project: its decision is public, too.
    meeting, [item] = open_meeting(world, _draft(world, project=world.extra["project"]))
    for slug in votes:
        services.vote_cast(by=world.delegates[slug], item=item, choice="yes")
    return meeting, item


def _agreement(world):
    meeting, item = _held(world, votes=("arnsberg", "soest"))
    return services.vote_close(by=world.chair, item=item)


@dataclass(frozen=True)
class Call:
    """How to reach a URL (kwargs built from the world) and what a carried-out POST sends."""

    target: Callable = lambda world: ({}, None)  # → (url kwargs, where a done POST leads)
    data: Callable = lambda world: {}
    effect: Callable | None = None


def _meeting_target(build):
    def target(world):
        meeting = build(world)
        return {"meeting_id": meeting.pk}, meeting.get_absolute_url()

    return target


def _item_target(votes=()):
    def target(world):
        meeting, item = _held(world, votes=votes)
        return (
            {"meeting_id": meeting.pk, "item_id": item.pk},
            meeting.get_absolute_url() + ("#top-1" if not votes else ""),
        )

    return target


CALLS: dict[str, Call] = {
    "steering:committee": Call(),
    "steering:seat-add": Call(
        target=lambda world: ({}, reverse("steering:committee")),
        data=lambda world: {
            "person": world.extra["hemer_contact"].username,
            "municipality": world.extra["hemer"].pk,
            "role": "member",
            "starts_on": timezone.localdate().isoformat(),
        },
        effect=lambda world: Seat.objects.get(person=world.extra["hemer_contact"]),
    ),
    "steering:seat-end": Call(
        target=lambda world: (
            {"seat_id": world.seats["menden"].pk},
            reverse("steering:committee"),
        ),
        data=lambda world: {"ends_on": timezone.localdate().isoformat()},
        effect=lambda world: Seat.objects.get(pk=world.seats["menden"].pk).ends_on is not None,
    ),
    "steering:meetings": Call(),
    "steering:meeting-create": Call(
        target=lambda world: ({}, "new-meeting"),
        data=lambda world: {
            "title": "3. Sitzung",
            "starts_at": "2030-05-01T10:00",
            "place": "Arnsberg",
            "video_url": "",
        },
        effect=lambda world: Meeting.objects.get(title="3. Sitzung"),
    ),
    "steering:meeting": Call(target=_meeting_target(lambda world: _planned(world, _draft(world)))),
    "steering:meeting-agenda": Call(
        target=_meeting_target(lambda world: _planned(world)),
        data=lambda world: {"proposal": _draft(world, "Neue Vorlage").pk},
        effect=lambda world: Proposal.objects.get(title="Neue Vorlage").state == "on_agenda",
    ),
    "steering:meeting-invite": Call(
        target=_meeting_target(lambda world: _planned(world, _draft(world))),
        effect=lambda world: Meeting.objects.get().state == "invited",
    ),
    "steering:meeting-open": Call(
        target=_meeting_target(_invited),
        data=lambda world: {"present": [world.seats[s].pk for s in ("arnsberg", "olpe", "soest")]},
        effect=lambda world: Meeting.objects.get().attendance.count() == 3,
    ),
    "steering:meeting-minutes": Call(
        target=_meeting_target(lambda world: _agreement(world).meeting),
        data=lambda world: {"minutes": "## TOP 1\n\nAngenommen."},
        effect=lambda world: Meeting.objects.get().state == "approved",
    ),
    "steering:vote": Call(
        target=_item_target(),
        data=lambda world: {"choice": "yes"},
        effect=lambda world: Proposal.objects.get().agenda_items.get().votes.count() == 1,
    ),
    "steering:vote-close": Call(
        target=_item_target(votes=("arnsberg", "soest")),
        effect=lambda world: Proposal.objects.get().state == "adopted",
    ),
    "steering:proposals": Call(),
    "steering:proposal-create": Call(
        target=lambda world: ({}, "new-proposal"),
        data=lambda world: {
            "kind": "complete",
            "title": "Datenplattform abschließen",
            "text": "Fertig.",
            "project": world.extra["project"].get_absolute_url(),
        },
        effect=lambda world: Proposal.objects.get(title="Datenplattform abschließen"),
    ),
    "steering:proposal": Call(
        target=lambda world: ({"proposal_id": _draft(world).pk}, None),
    ),
    "steering:agreements": Call(target=lambda world: (_agreement(world) and {}, None)),
    "steering:agreement": Call(target=lambda world: ({"number": _agreement(world).number}, None)),
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_matrix(world, url_name, role, method):
    row, call = MATRIX[url_name], CALLS[url_name]
    expected = (row.get if method == "GET" else row.post)[role]
    hemer = MunicipalityFactory(name="Hemer", slug="hemer")
    world.extra["hemer"] = hemer
    world.extra["hemer_contact"] = MembershipFactory(
        user__username="kontakt-hemer", municipality=hemer
    ).user
    kwargs, done_url = call.target(world)
    url = reverse(url_name, kwargs=kwargs)
    client = client_for(world.extra["users"][role])
    data = call.data(world) if method == "POST" else None
    before = steering_snapshot(), sorted(Seat.objects.values_list()), LeadProject.objects.count()

    response = client.get(url) if method == "GET" else client.post(url, data)

    where = f"{method} {url} als {role}"
    check_answer(response, expected, url=url, where=where, message=row.refusal)
    after = steering_snapshot(), sorted(Seat.objects.values_list()), LeadProject.objects.count()
    if expected.then == "done":
        assert call.effect(world), f"{where}: nicht ausgeführt"
        if done_url == "new-meeting":
            done_url = Meeting.objects.get(title="3. Sitzung").get_absolute_url()
        elif done_url == "new-proposal":
            done_url = Proposal.objects.get(title="Datenplattform abschließen").get_absolute_url()
        assert response["Location"] == done_url
        messages = [str(m) for m in response.wsgi_request._messages]
        assert not any("nicht" in m and "beschlussfähig" in m for m in messages), messages
    else:
        assert after == before, f"{where} hat die Datenbank verändert"
    if expected.status == 404:
        assert "Seite nicht gefunden" in response.content.decode()


def test_matrix_has_a_cell_for_every_role_and_a_reason_for_every_refusal():
    for url_name, row in MATRIX.items():
        assert url_name in CALLS
        assert tuple(row.get) == ROLES and tuple(row.post) == ROLES
        refuses = any(e.status == 403 for cells_ in (row.get, row.post) for e in cells_.values())
        assert bool(row.refusal) == refuses, f"{url_name}: 403 ohne deutsche Begründung"


# --- decisions follow their project ------------------------------------------------------------


def test_a_team_only_project_hides_its_agreements_from_others(world, menden):
    secret = lead_project(
        coordinator=world.extra["users"]["coordinator"],
        lead=menden,
        title="Vertrauliche Personalplanung",
        visibility=Visibility.TEAM,
    )
    proposal = services.proposal_create(
        by=world.delegate,
        kind=Proposal.Kind.COMPLETE,
        title="Geheimer Beschluss",
        text="…",
        project=secret,
    )
    meeting, [item] = open_meeting(world, proposal)
    for slug in ("arnsberg", "soest"):
        services.vote_cast(by=world.delegates[slug], item=item, choice="yes")
    # Completing needs a running project: the chair's close is refused and changes nothing.
    before = steering_snapshot()
    with pytest.raises(Exception, match="geht es nicht direkt"):
        services.vote_close(by=world.chair, item=item)
    assert steering_snapshot() == before
    free = services.proposal_create(
        by=world.delegate,
        kind=Proposal.Kind.FREE,
        title="Geheimer Beschluss 2",
        text="…",
        project=secret,
    )
    meeting, [item] = open_meeting(world, free)
    services.vote_cast(by=world.delegate, item=item, choice="yes")
    agreement = services.vote_close(by=world.chair, item=item)
    url = agreement.get_absolute_url()

    expectations = {
        "anonymous": 302, "member": 404, "coordinator": 200, "committee": 200, "chair": 200,
        "office": 200,
    }  # fmt: skip
    for role, status in expectations.items():
        client = client_for(world.extra["users"][role])
        assert client.get(url).status_code == status, role
        register = client.get(reverse("steering:agreements")).content.decode()
        assert ("Geheimer Beschluss 2" in register) == (status == 200), role
        if role in ("coordinator", "office"):  # who sees the project sees it on its page
            page = client.get(secret.get_absolute_url()).content.decode()
            assert f"Vereinbarung {agreement.number}" in page


def test_a_coordinator_sees_their_own_draft(world):
    coordinator = world.extra["users"]["coordinator"]
    own = services.proposal_create(
        by=coordinator,
        kind=Proposal.Kind.COMPLETE,
        title="Eigener Entwurf",
        text="…",
        project=world.extra["project"],
    )
    client = client_for(coordinator)
    assert client.get(own.get_absolute_url()).status_code == 200
    listed = client.get(reverse("steering:proposals")).content.decode()
    assert "Eigener Entwurf" in listed
    other = _draft(world, "Entwurf des Steuerkreises")
    assert client.get(other.get_absolute_url()).status_code == 404
    assert (
        "Entwurf des Steuerkreises"
        not in client.get(reverse("steering:proposals")).content.decode()
    )


def test_a_delegate_whose_term_ended_loses_the_committee_pages(world):
    meeting = _planned(world, _draft(world))
    client = client_for(world.delegate)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    services.seat_end(
        by=world.office,
        seat=world.seats["arnsberg"],
        ends_on=timezone.localdate() - timezone.timedelta(days=1),
    )
    client = client_for(world.delegate)
    assert client.get(meeting.get_absolute_url()).status_code == 404
    # The list stays open, with the held meetings only (steering.public): none here.
    listed = client.get(reverse("steering:meetings")).content.decode()
    assert "Sitzung" in listed and meeting.get_absolute_url() not in listed


# --- The committee reads the versions pinned on its agenda, nothing more ---------------------
#
# A draft result of a public project, version 1 pinned by a proposal that the committee adopted
# on a meeting's agenda, then saved again as a draft (version 2). ``delegate`` holds a seat and
# is in no team; ``member`` works for a member municipality; ``team`` coordinates the project.
# A cell: the answer, and (on the agreement page) whether the pinned text shows.

PINNED_ROLES = ("anonymous", "member", "delegate", "team", "office")
PINNED_TEXT, LATER_TEXT = "Gepinnter Entwurfstext", "Späterer Entwurfstext"
READS, SEES = "reads", "sees"  # the agreement page: with the pinned text, or without it

# fmt: off
PINNED = {  #            anonymous  member  delegate  team   office
    "steering:agreement":     (SEES,  SEES,   READS,    READS, READS),
    "projects:result":        (LOGIN, HIDE,   HIDE,     OK,    OK),
    "projects:result-versions": (LOGIN, HIDE, HIDE,     OK,    OK),
    "projects:result-compare":  (LOGIN, HIDE, HIDE,     OK,    OK),
}
# fmt: on


@pytest.fixture
def pinned_draft(committee, proposed_project, coordinator, outsider):
    from projects import services as project_services

    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Datenmodell", body=PINNED_TEXT
    )
    proposal = services.proposal_create(
        by=coordinator,
        kind=Proposal.Kind.APPROVE_RESULTS,
        title="Datenmodell vereinbaren",
        text="Version 1 gilt.",
        project=proposed_project,
        versions=[result.history.get(revision=1)],
    )
    _meeting, [item] = open_meeting(committee, proposal)
    for slug in ("arnsberg", "soest"):
        services.vote_cast(by=committee.delegates[slug], item=item, choice="yes")
    agreement = services.vote_close(by=committee.chair, item=item)
    project_services.result_update(result=result, by=coordinator, base_revision=1, body=LATER_TEXT)
    users = {
        "anonymous": None,
        "member": outsider,
        "delegate": committee.delegate,
        "team": coordinator,
        "office": committee.office,
    }
    return agreement, result, users


@pytest.mark.parametrize("role", PINNED_ROLES)
@pytest.mark.parametrize("url_name", sorted(PINNED))
def test_the_committee_reads_pinned_versions(pinned_draft, url_name, role):
    agreement, result, users = pinned_draft
    expected = dict(zip(PINNED_ROLES, PINNED[url_name], strict=True))[role]
    if url_name == "steering:agreement":
        url = agreement.get_absolute_url()
    else:
        url = reverse(url_name, kwargs={"slug": result.project.slug, "result_id": result.pk})
        url += "?von=1&zu=2" if url_name == "projects:result-compare" else ""
    response = client_for(users[role]).get(url)
    where = f"GET {url} als {role}"
    if expected in (READS, SEES):
        assert response.status_code == 200, where
        body = response.content.decode()
        assert (PINNED_TEXT in body) == (expected == READS), where
        # The agreement shows the pinned version, never the draft's later text, and links to
        # the diff to today only for who may read the result itself.
        assert LATER_TEXT not in body, where
        compare = reverse("projects:result-compare", args=[result.project.slug, result.pk])
        assert (compare in body) == (role in ("team", "office")), where
    else:
        check_answer(response, expected, url=url, where=where)
        if expected.status == 404:
            body = response.content.decode()
            assert PINNED_TEXT not in body and LATER_TEXT not in body, where


def test_a_delegate_reads_no_version_that_is_not_on_an_agenda(
    committee, proposed_project, coordinator
):
    """A proposal pinning a draft version but never put on an agenda gives the committee
    nothing to read: the rule is the agenda, not the seat."""
    from projects import services as project_services
    from projects.permissions import ProjectAccess, readable_versions

    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Skizze", body="Nicht auf der Tagesordnung"
    )
    row = result.history.get(revision=1)
    services.proposal_create(
        by=coordinator,
        kind=Proposal.Kind.APPROVE_RESULTS,
        title="Skizze vereinbaren",
        text="…",
        project=proposed_project,
        versions=[row],
    )
    delegate = committee.delegate
    access = ProjectAccess(delegate, proposed_project)
    assert readable_versions(delegate, [row], access) == set()
    assert readable_versions(coordinator, [row], ProjectAccess(coordinator, proposed_project)) == {
        row.history_id
    }
