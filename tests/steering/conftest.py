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
from steering.models import Seat
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
