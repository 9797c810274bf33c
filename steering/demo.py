"""The steering committee of the demo world (DESIGN.md), written through the services.

The committee of the five pioneers' delegates, chaired by the network office without a vote;
the held meeting whose agreement started the Menden-led project; the planned meeting with
the Soest proposal on its agenda. Runs after the projects (which leave Menden's proposed)
and before their results.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from projects import services as project_services
from projects.demo import PARTICIPATION, PLATFORM
from projects.models import LeadProject
from steering import services
from steering.models import Meeting, Proposal, Seat
from steering.services import Party
from workspace import services as workspace_services
from workspace.demo import DEMO_PASSWORD
from workspace.models import Membership, Municipality, User

HELD = "1. Sitzung des Steuerkreises"
PLANNED = "2. Sitzung des Steuerkreises"
SINCE = datetime.date(2020, 9, 1)

# town → (user name, display name); Arnsberg's delegate is a demo account of the core.
DELEGATES = {
    "Arnsberg": ("steuerkreis-arnsberg", "Anna Albers"),
    "Bad Berleburg": ("steuerkreis-bad-berleburg", "Bettina Berg"),
    "Menden": ("steuerkreis-menden", "Martin Mohr"),
    "Olpe": ("steuerkreis-olpe", "Olga Otten"),
    "Soest": ("steuerkreis-soest", "Sven Sommer"),
}


def _person(username: str, display_name: str, town: Municipality) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = workspace_services.user_create(
            username=username,
            password=DEMO_PASSWORD,
            display_name=display_name,
            email=f"{username}@example.org",
        )
    workspace_services.membership_start(
        user=user, municipality=town, role=Membership.Role.CONTACT, started_on=SINCE
    )
    return user


def seed_steering(*, stdout) -> None:
    office = User.objects.get(username="buero")
    town = {m.name: m for m in Municipality.objects.all()}
    delegates = {
        name: _person(username, display, town[name])
        for name, (username, display) in DELEGATES.items()
    }
    if not Seat.objects.exists():
        for name, person in delegates.items():
            role = Seat.Role.DEPUTY if name == "Arnsberg" else Seat.Role.MEMBER
            services.seat_assign(
                by=office, person=person, municipality=town[name], role=role, starts_on=SINCE
            )
        services.seat_assign(
            by=office, person=office, municipality=None, role=Seat.Role.CHAIR, starts_on=SINCE
        )
    if not Meeting.objects.filter(title=HELD).exists():
        _held_meeting(office, delegates, town)
    if not Meeting.objects.filter(title=PLANNED).exists():
        _planned_meeting(office, delegates, town)


def _held_meeting(office: User, delegates: dict[str, User], town: dict) -> None:
    project = LeadProject.objects.get(slug=PLATFORM)
    coordinator = User.objects.get(username="koordination-menden")
    editor = User.objects.get(username="team-iserlohn")
    today = timezone.localdate()
    proposal = services.proposal_create(
        by=coordinator,
        kind=Proposal.Kind.START,
        title="Kooperatives Leitprojekt „Offene regionale Datenplattform“ beginnen",
        text=(
            "Der Steuerkreis vereinbart das kooperative Leitprojekt *Offene regionale "
            "Datenplattform* unter Federführung der Stadt Menden. Iserlohn bringt Pilotdaten "
            "und das Datenmodell ein; Arnsberg beteiligt sich an der Betriebsfrage."
        ),
        project=project,
        parties=[
            Party(town["Menden"], coordinator, "Projektleitung, Plattform und Betrieb", True),
            Party(town["Iserlohn"], editor, "Pilotdaten und gemeinsames Datenmodell"),
        ],
        starts_on=today - datetime.timedelta(days=240),
        ends_on=today + datetime.timedelta(days=490),
    )
    meeting = services.meeting_create(
        by=office,
        title=HELD,
        starts_at=timezone.now() - datetime.timedelta(days=250),
        place="Südwestfalen Agentur, Olpe",
    )
    [item] = [services.agenda_item_add(by=office, meeting=meeting, proposal=proposal)]
    # The invitations went out back then; the demo sends no mails for the past.
    services.meeting_invite(by=office, meeting=meeting, notify=False)
    services.meeting_open(by=office, meeting=meeting, present=Seat.objects.active().order_by("pk"))
    for person in delegates.values():
        services.vote_cast(by=person, item=item, choice="yes")
    services.vote_close(by=office, item=item)
    project_services.project_change_status(
        project=LeadProject.objects.get(slug=PLATFORM), by=coordinator, to="running"
    )
    services.minutes_approve(
        by=office,
        meeting=meeting,
        minutes=(
            "## TOP 1\n\nDie Stadt Menden stellt das Vorhaben vor. Der Steuerkreis vereinbart "
            "das Leitprojekt einstimmig (5 Ja)."
        ),
    )


def _planned_meeting(office: User, delegates: dict[str, User], town: dict) -> None:
    project = LeadProject.objects.get(slug=PARTICIPATION)
    contact = _person("kontakt-lippstadt", "Lea Lindner", town["Lippstadt"])
    proposal = services.proposal_create(
        by=delegates["Soest"],
        kind=Proposal.Kind.START,
        title="Kooperatives Leitprojekt „Digitale Bürgerbeteiligung“ beginnen",
        text=(
            "Der Steuerkreis vereinbart das kooperative Leitprojekt *Digitale "
            "Bürgerbeteiligung* unter Federführung der Stadt Soest, mit Lippstadt."
        ),
        project=project,
        parties=[
            Party(
                town["Soest"], delegates["Soest"], "Projektleitung und Beteiligungsplattform", True
            ),
            Party(town["Lippstadt"], contact, "Erprobung in zwei Quartieren"),
        ],
    )
    meeting = services.meeting_create(
        by=office,
        title=PLANNED,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        place="Rathaus Soest",
        video_url="https://video.example.org/steuerkreis",
    )
    services.agenda_item_add(by=office, meeting=meeting, title="Bericht der Geschäftsstelle")
    services.agenda_item_add(by=office, meeting=meeting, proposal=proposal)
