"""The committee world of the steering tests, on top of tests/conftest.py.

Five pioneers hold a voting seat each: Arnsberg (``delegate``, a member), Olpe (``chair``),
Menden, Soest and Bad Berleburg (three more delegates). The network office holds the chair's
seat without a vote. ``coordinator`` (Menden staff) coordinates the Menden-led project but
sits in no committee; ``outsider`` (Brilon) is a member in no project and no committee.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from projects import services as project_services
from projects.models import LeadProject, TeamMembership
from steering import services
from steering.models import Proposal, Seat
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.projects.factories import lead_project

Role = TeamMembership.Role
SINCE = datetime.date(2024, 1, 1)


@dataclass
class Committee:
    office: object
    chair: object
    delegate: object
    delegates: dict[str, object]  # town slug → delegate
    seats: dict[str, Seat]  # town slug (or "office") → seat
    towns: dict[str, object]
    extra: dict = field(default_factory=dict)

    def present(self, *slugs: str) -> list[Seat]:
        return [self.seats[s] for s in slugs]


@pytest.fixture
def committee(office, delegate, arnsberg, menden):
    towns = {"arnsberg": arnsberg, "menden": menden}
    for name, slug in [("Olpe", "olpe"), ("Soest", "soest"), ("Bad Berleburg", "bad-berleburg")]:
        towns[slug] = MunicipalityFactory(name=name, slug=slug, is_pioneer=True, cohort=None)
    delegates = {"arnsberg": delegate}
    for slug in ("olpe", "soest", "bad-berleburg", "menden"):
        delegates[slug] = MembershipFactory(
            user__username=f"steuerkreis-{slug}", municipality=towns[slug], role="contact"
        ).user
    seats = {
        slug: services.seat_assign(
            by=office,
            person=person,
            municipality=towns[slug],
            role=Seat.Role.CHAIR if slug == "olpe" else Seat.Role.MEMBER,
            starts_on=SINCE,
        )
        for slug, person in delegates.items()
    }
    seats["office"] = services.seat_assign(
        by=office, person=office, municipality=None, role=Seat.Role.DEPUTY, starts_on=SINCE
    )
    return Committee(
        office=office,
        chair=delegates["olpe"],
        delegate=delegate,
        delegates=delegates,
        seats=seats,
        towns=towns,
    )


@pytest.fixture
def proposed_project(coordinator, menden, iserlohn, editor):
    """Menden's cooperative project, proposed to the committee; Iserlohn wants to join."""
    project = lead_project(coordinator=coordinator, lead=menden, title="Offene Datenplattform")
    project_services.project_change_status(
        project=project, by=coordinator, to=LeadProject.Status.PROPOSED
    )
    return project


def in_days(n: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=n)


def open_meeting(committee: Committee, *proposals, present=("arnsberg", "olpe", "soest")):
    """A meeting with ``proposals`` on its agenda, invited and opened with ``present``."""
    meeting = services.meeting_create(
        by=committee.chair, title="Sitzung des Steuerkreises", starts_at=in_days(0), place="Olpe"
    )
    items = [
        services.agenda_item_add(by=committee.chair, meeting=meeting, proposal=p) for p in proposals
    ]
    services.meeting_invite(by=committee.chair, meeting=meeting)
    services.meeting_open(by=committee.chair, meeting=meeting, present=committee.present(*present))
    return meeting, items


# --- the public part (steering.public) -------------------------------------------------------
#
# One held meeting with approved minutes and three items: an adopted free resolution about the
# public project, a free resolution for the network without a project, and an adopted resolution
# about a team-only project. One planned meeting by video with a draft on its agenda. Delegates
# have not agreed to public names, except Soest's.

MINUTES = "Die Sitzung beschloss die Datenplattform."


def _adopt(world, meeting_items, index):
    item = meeting_items[index]
    for slug in ("arnsberg", "soest"):
        services.vote_cast(by=world.delegates[slug], item=item, choice="yes")
    return services.vote_close(by=world.chair, item=item)


@pytest.fixture
def public_world(committee, proposed_project, coordinator, outsider, menden):
    secret = lead_project(
        coordinator=coordinator, lead=menden, title="Vertrauliche Planung", visibility="team"
    )

    def free(title, project):
        return services.proposal_create(
            by=committee.delegate, kind=Proposal.Kind.FREE, title=title, text="…", project=project
        )

    adopted = free("Datenplattform beschließen", proposed_project)
    network = free("Netzwerkinterner Beschluss", None)
    hidden = free("Geheimer Beschluss", secret)
    held, items = open_meeting(committee, adopted, network, hidden)
    agreement = _adopt(committee, items, 0)
    _adopt(committee, items, 1)
    secret_agreement = _adopt(committee, items, 2)
    services.minutes_approve(by=committee.chair, meeting=held, minutes=MINUTES)

    draft = free("Vertrauliche Vorlage", proposed_project)
    planned = services.meeting_create(
        by=committee.chair,
        title="Geplante Sitzung",
        starts_at=in_days(30),
        video_url="https://video.example.org/geheim",
    )
    services.agenda_item_add(by=committee.chair, meeting=planned, proposal=draft)
    soest = committee.delegates["soest"]
    soest.display_name, soest.public_name = "Sabine Soest", True
    soest.save()
    arnsberg = committee.delegate
    arnsberg.display_name = "Arne Arnsberg"
    arnsberg.save()
    committee.extra.update(
        users={"anonymous": None, "member": outsider, "committee": committee.delegate},
        held=held,
        planned=planned,
        agreement=agreement,
        secret_agreement=secret_agreement,
        adopted=adopted,
        hidden=hidden,
        draft=draft,
    )
    return committee
