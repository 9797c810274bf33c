"""Every list endpoint costs the same number of queries for 10 and for 1,000 items.

Each list is asked as the team editor (the most expensive caller: team grants, drafts, names),
once with 10 items and once with 1,000; the counts must be equal. Projects and results are
made in bulk with their history rows (simple-history's helper), versions through the service.
The committee's agreements: the first ten as the committee makes them (proposal, agenda, vote,
close); the other 990 are inserted as copies of those records, as the services insert them
(the database refuses only changing or deleting an agreement), because voting 1,000 times
through the services would take half a minute.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects import services
from projects.models import LeadProject, Result, TeamMembership, Visibility
from tests.factories import CohortFactory, MunicipalityFactory
from tests.projects.factories import lead_project
from tests.steering.conftest import committee, open_meeting  # noqa: F401 – the committee
from workspace.api import routes
from workspace.api import services as token_services
from workspace.api.models import AccessToken
from workspace.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(editor):
    _row, token = token_services.access_token_create(
        user=editor,
        name="Zählung",
        scope=AccessToken.Scope.READ,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def team_project(coordinator, editor, menden):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        visibility=Visibility.TEAM,
        team=[(editor, TeamMembership.Role.EDITOR)],
    )


def _grow(kind: str, world: dict, upto: int) -> None:
    """Make the list of ``kind`` hold ``upto`` items."""
    if kind == "municipalities":
        have = world.setdefault("municipalities", 0)
        cohort = world.setdefault("cohort", CohortFactory(year=2020))
        for n in range(have, upto):
            MunicipalityFactory(name=f"Musterort {n}", cohort=cohort)
        world["municipalities"] = upto
    elif kind == "cohorts":
        have = Cohort.objects.count()
        for n in range(have, upto):
            CohortFactory(year=2000 + n)
    elif kind in ("projects", "results"):
        project, menden, coordinator = world["project"], world["menden"], world["coordinator"]
        have = world.setdefault(kind, 0)
        n = upto - have
        if kind == "projects":
            rows = [
                LeadProject(
                    title=f"Projekt {i}",
                    slug=f"projekt-{have + i}",
                    summary="…",
                    lead_municipality=menden,
                    visibility=Visibility.PUBLIC if i % 2 else Visibility.NETWORK,
                    created_by=coordinator,
                )
                for i in range(n)
            ]
            created = bulk_create_with_history(rows, LeadProject, default_user=coordinator)
            topics = list(project.topics.all())
            for row in created:
                row.participants.add(menden)
                row.topics.set(topics)
        else:
            rows = [
                Result(
                    project=project,
                    title=f"Ergebnis {have + i}",
                    body="Text",
                    maturity=Result.Maturity.DRAFT if i % 2 else Result.Maturity.TESTED,
                    created_by=coordinator,
                )
                for i in range(n)
            ]
            bulk_create_with_history(rows, Result, default_user=coordinator)
        world[kind] = upto
    elif kind in NETWORK:
        have = world.setdefault(kind, 0)
        NETWORK[kind](world, have, upto)
        world[kind] = upto
    elif kind == "versions":
        # Each save is a version (Result.save); the service's events and mails would only
        # make the setup slow.
        result = world["result"]
        for _ in range(result.revision, upto):
            result.body = f"Fassung {result.revision + 1}"
            result._history_user = world["coordinator"]
            result.save()


def _guides(world, have, upto):
    from network.guides.models import Authorship, Guide

    office = world["coordinator"]
    rows = [
        Guide(
            title=f"Leitfaden {n}",
            slug=f"leitfaden-{n}",
            summary="…",
            body="Text",
            status=Guide.Status.PUBLISHED,
            published_in=datetime.date(2025, 3, 1),
            created_by=office,
        )
        for n in range(have, upto)
    ]
    for guide in bulk_create_with_history(rows, Guide, default_user=office):
        Authorship.objects.create(guide=guide, person=world["coordinator"])


def _terms(world, have, upto):
    from network.guides.models import Term

    Term.objects.bulk_create(
        Term(name=f"Begriff {n}", slug=f"begriff-{n}", definition="…") for n in range(have, upto)
    )


def _appointments(world, have, upto):
    from network.dates.models import Appointment

    start = timezone.now() + datetime.timedelta(days=3)
    Appointment.objects.bulk_create(
        Appointment(
            title=f"Pausenhof {n}",
            kind=Appointment.Kind.PAUSENHOF,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            speaker=world["coordinator"],
            created_by=world["coordinator"],
        )
        for n in range(have, upto)
    )


def _issues(world, have, upto):
    from network.newsletter.models import Issue

    Issue.objects.bulk_create(
        Issue(
            title=f"Ausgabe {n}",
            number=n + 1,
            state=Issue.State.SENT,
            published_at=timezone.now(),
            created_by=world["coordinator"],
        )
        for n in range(have, upto)
    )


def _templates(world, have, upto):
    from projects.models import Template

    coordinator, project = world["coordinator"], world["project"]
    results = bulk_create_with_history(
        [
            Result(
                project=project,
                title=f"Vorlage {n}",
                body="Text",
                maturity=Result.Maturity.TESTED,
                created_by=coordinator,
            )
            for n in range(have, upto)
        ],
        Result,
        default_user=coordinator,
    )
    rows = {row.id: row for row in Result.history.filter(id__in=[r.pk for r in results])}
    return Template.objects.bulk_create(
        Template(result=r, licence="cc0", recommended=rows[r.pk], published_by=coordinator)
        for r in results
    )


def _adoptions(world, have, upto):
    """Menden adopts a template of each of the team's new results: its own copy (a result of
    the municipality, with its first history row) of the recommended version."""
    from projects.models import Adoption

    coordinator, menden = world["coordinator"], world["menden"]
    templates = _templates(world, have, upto)
    copies = bulk_create_with_history(
        [
            Result(
                municipality=menden,
                upstream=t.recommended,
                title=t.recommended.title,
                body=t.recommended.body,
                maturity=Result.Maturity.DRAFT,
                created_by=coordinator,
            )
            for t in templates
        ],
        Result,
        default_user=coordinator,
    )
    Adoption.objects.bulk_create(
        Adoption(
            template=t,
            municipality=menden,
            copy=copy,
            adopted_row=t.recommended,
            adopted_by=coordinator,
        )
        for t, copy in zip(templates, copies, strict=True)
    )


def _meetings(world, have, upto):
    from steering.models import Meeting

    start = timezone.now() - datetime.timedelta(days=upto)
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Sitzung {n}",
            starts_at=start + datetime.timedelta(days=n),
            place="Kreishaus",
            video_url="https://video.example.org/steuerkreis" if n % 2 else "",
            state=Meeting.State.APPROVED if n % 2 else Meeting.State.HELD,
            created_by=world["coordinator"],
        )
        for n in range(have, upto)
    )


def _agreements(world, have, upto):
    """Free resolutions, every other one about the team's project (with its lead), every
    third amending the first; the first ten through the committee's services."""
    from steering import services as steering
    from steering.models import AgendaItem, Agreement, Proposal

    steering_committee = world["request"].getfixturevalue("committee")
    if have == 0:
        proposals = [
            steering.proposal_create(
                by=steering_committee.delegate,
                kind=Proposal.Kind.FREE,
                title=f"Beschluss {n}",
                text="Der Steuerkreis beschließt.",
                project=world["project"] if n % 2 else None,
            )
            for n in range(10)
        ]
        _meeting, items = open_meeting(steering_committee, *proposals)
        for item in items:
            steering.vote_cast(by=steering_committee.delegate, item=item, choice="yes")
            steering.vote_close(by=steering_committee.chair, item=item)
        have = 10
    first = Agreement.objects.order_by("pk").first()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            kind=Proposal.Kind.FREE,
            state=Proposal.State.ADOPTED,
            title=f"Beschluss {n}",
            text=first.text,
            project=world["project"] if n % 2 else None,
            drafted_by=steering_committee.delegate,
        )
        for n in range(have, upto)
    )
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=first.meeting,
            position=n + 1,
            title=p.title,
            proposal=p,
            outcome=AgendaItem.Outcome.ADOPTED,
            closed_at=first.item.closed_at,
        )
        for n, p in zip(range(have, upto), proposals, strict=True)
    )
    Agreement.objects.bulk_create(
        Agreement(
            number=f"{first.adopted_on.year}-{n + 1}",
            kind=p.kind,
            title=p.title,
            text=p.text,
            proposal=p,
            project=p.project,
            lead=world["menden"] if p.project else None,
            meeting=first.meeting,
            item=item,
            votes_yes=first.votes_yes,
            votes_no=first.votes_no,
            votes_abstain=first.votes_abstain,
            present=first.present,
            voting=first.voting,
            amends=first if n % 3 == 0 else None,
            adopted_on=first.adopted_on,
            recorded_by=first.recorded_by,
        )
        for n, p, item in zip(range(have, upto), proposals, items, strict=True)
    )


NETWORK = {
    "adoptions": _adoptions,
    "agreements": _agreements,
    "meetings": _meetings,
    "templates": _templates,
    "guides": _guides,
    "terms": _terms,
    "appointments": _appointments,
    "issues": _issues,
}

LISTS = {
    "adoptions": lambda world: "/api/v1/nachnutzungen/",
    "agreements": lambda world: "/api/v1/vereinbarungen/",
    "meetings": lambda world: "/api/v1/sitzungen/",
    "templates": lambda world: "/api/v1/vorlagen/",
    "guides": lambda world: "/api/v1/leitfaeden/",
    "terms": lambda world: "/api/v1/vokabelheft/",
    "appointments": lambda world: "/api/v1/termine/",
    "issues": lambda world: "/api/v1/schuelerzeitung/",
    "municipalities": lambda world: "/api/v1/kommunen/",
    "cohorts": lambda world: "/api/v1/klassen/",
    "projects": lambda world: "/api/v1/leitprojekte/",
    "results": lambda world: "/api/v1/ergebnisse/",
    "versions": lambda world: f"/api/v1/ergebnisse/{world['result'].pk}/versionen/",
}
# Cohorts are years between 2000 and 2100: 101 at most.
SIZES = {"cohorts": (10, 100)}


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_list_query_count_does_not_grow(
    kind, request, client, token, team_project, coordinator, menden
):
    result = services.result_create(project=team_project, by=coordinator, title="Datenmodell")
    world = {
        "request": request,
        "project": team_project,
        "menden": menden,
        "coordinator": coordinator,
        "result": result,
    }
    # The token's first use is written once (last use, at most once a minute); not counted.
    client.get("/api/v1/klassen/", **token)
    counts = {}
    for size in SIZES.get(kind, (10, 1000)):
        _grow(kind, world, size)
        url = LISTS[kind](world)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **token)
        assert response.status_code == 200, response.content
        listed = len(response.json()["results"])
        # The world has a few more (the editor's project, its result); a page holds 50.
        assert listed == 50 if size > 50 else listed >= size, f"{kind}: {listed} bei {size}"
        counts[size] = len(queries)
    small, large = counts.values()
    assert small == large, f"{kind}: {counts}"


def test_every_list_endpoint_is_counted():
    """A new list endpoint without a line in LISTS fails here."""
    endpoints = {
        reverse(f"api:{route.basename}-list")
        for route in routes()
        if hasattr(route.viewset, "list")
    }
    counted = {url({}) for kind, url in LISTS.items() if kind != "versions"}
    assert endpoints == counted
