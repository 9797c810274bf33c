"""The API tests' world: the team of a Menden-led project in each visibility, and tokens.

- ``coordinator`` (Menden) coordinates, ``editor`` (Iserlohn) edits each project;
- ``member`` is staff of Brilon, a member in no project; ``office`` the network office;
- each project has a tested result and a draft, two versions each;
- tokens: a write token each for member, editor, office; a read-only, an expired and a
  revoked token of the editor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from projects import services
from projects.models import LeadProject, Result, TeamMembership, Visibility
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from tests.projects.factories import lead_project
from workspace import services as workspace_services
from workspace.api import services as token_services
from workspace.api.models import AccessToken

VISIBILITIES = (Visibility.PUBLIC, Visibility.NETWORK, Visibility.TEAM)
TESTED, DRAFT = Result.Maturity.TESTED, Result.Maturity.DRAFT
# The roles of every API matrix: who calls, and with which token.
ROLES = ("anonymous", "member", "editor", "office", "readonly", "expired", "revoked")
# The person behind each role (the page is asked as that person, logged in).
PERSON = {
    "member": "member",
    "editor": "editor",
    "office": "office",
    "readonly": "editor",
    "expired": "editor",
    "revoked": "editor",
}
# The roles with a write token of their own.
WRITERS = ("member", "editor", "office")

# The answers of every API matrix: the pages' answers spoken to a machine. The page's login
# redirect is 401 (with ``WWW-Authenticate``), 404 stays 404 (hidden), 403 stays 403 (may see,
# may not act) with the German reason; a method the URL does not take is 405.
OK, UNAUTH, DENY, HIDE, NOPE = 200, 401, 403, 404, 405
# A page's answer, as the API gives it.
PAGE_ANSWER = {200: OK, 302: UNAUTH, 403: DENY, 404: HIDE}


def cells(*statuses: int, roles: tuple[str, ...] = ROLES) -> dict[str, int]:
    """One answer per role, in the order of ``roles``."""
    return dict(zip(roles, statuses, strict=True))


def check(response, expected: int, where: str) -> None:
    """The status; a 401 names the Bearer scheme, a 403 gives its reason."""
    assert response.status_code == expected, f"{where}: {response.status_code}, erwartet {expected}"
    if expected == UNAUTH:
        assert response["WWW-Authenticate"].startswith("Bearer"), where
    if expected == DENY:
        assert response.json()["detail"], where


@dataclass
class World:
    users: dict = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    projects: dict[str, LeadProject] = field(default_factory=dict)
    results: dict[tuple[str, str], Result] = field(default_factory=dict)
    municipalities: dict = field(default_factory=dict)
    guides: dict = field(default_factory=dict)
    term: object = None
    appointment: object = None
    issues: dict = field(default_factory=dict)
    templates: dict = field(default_factory=dict)


def build() -> World:
    world = World()
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True)
    iserlohn = MunicipalityFactory(name="Iserlohn", slug="iserlohn")
    brilon = MunicipalityFactory(name="Brilon", slug="brilon")
    world.municipalities = {"menden": menden, "iserlohn": iserlohn, "brilon": brilon}
    coordinator = MembershipFactory(
        user__username="koordination-menden", municipality=menden, role="contact"
    ).user
    editor = MembershipFactory(user__username="team-iserlohn", municipality=iserlohn).user
    member = MembershipFactory(user__username="kommune-brilon", municipality=brilon).user
    office = UserFactory(username="buero", display_name="Geschäftsstelle")
    workspace_services.network_office_add(user=office)
    world.users = {
        "coordinator": coordinator,
        "editor": editor,
        "member": member,
        "office": office,
    }
    for vis in VISIBILITIES:
        project = lead_project(
            coordinator=coordinator,
            lead=menden,
            title=f"Datenplattform ({vis})",
            visibility=vis,
            team=[(editor, TeamMembership.Role.EDITOR)],
        )
        world.projects[vis] = project
        for stage in (TESTED, DRAFT):
            result = services.result_create(
                project=project,
                by=editor,
                title=f"Datenmodell {vis} {stage}",
                body="Eins.",
                maturity=stage,
            )
            services.result_update(result=result, by=editor, base_revision=1, body="Eins.\n\nZwei.")
            world.results[vis, stage] = result
        world.templates[vis] = services.template_publish(
            result=world.results[vis, TESTED],
            by=coordinator,
            licence="cc-by-4.0",
            recommended_revision=2,
        )
    # Brilon reuses the public project's template (a copy, keeping its source version).
    services.adoption_create(
        template=world.templates[Visibility.PUBLIC], municipality=brilon, by=member
    )
    _network(world)
    world.tokens = tokens_for(world.users)
    return world


def tokens_for(users: dict, writers: tuple[str, ...] = WRITERS) -> dict[str, str]:
    """The tokens of the roles: a write token for each of ``writers``; the editor's read-only
    token, and two write tokens of theirs that no longer work: one expired, one revoked."""
    later = timezone.now() + datetime.timedelta(days=30)
    tokens = {}
    for role in writers:
        _row, tokens[role] = token_services.access_token_create(
            user=users[role], name=role, scope=AccessToken.Scope.WRITE, expires_at=later
        )
    editor = users["editor"]
    _row, tokens["readonly"] = token_services.access_token_create(
        user=editor, name="lesen", scope=AccessToken.Scope.READ, expires_at=later
    )
    expired, tokens["expired"] = token_services.access_token_create(
        user=editor, name="alt", scope=AccessToken.Scope.WRITE, expires_at=later
    )
    AccessToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    revoked, tokens["revoked"] = token_services.access_token_create(
        user=editor, name="widerrufen", scope=AccessToken.Scope.WRITE, expires_at=later
    )
    token_services.access_token_revoke(token=revoked, by=editor)
    return tokens


def bearer(tokens: dict[str, str], role: str) -> dict:
    """The request headers of ``role``: its token, or none (anonymous)."""
    token = tokens.get(role)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def headers(world: World, role: str) -> dict:
    return bearer(world.tokens, role)


def _network(world: World) -> None:
    """A published and a planned guide (the editor writes both), a glossary term, a
    Klassentreffen in a month, a published newsletter issue and a draft."""
    from network.dates import services as dates
    from network.dates.models import Appointment
    from network.guides import services as guides
    from network.guides.models import Guide
    from network.newsletter import services as newsletter

    office, editor = world.users["office"], world.users["editor"]
    for status in (Guide.Status.PUBLISHED, Guide.Status.PLANNED):
        world.guides[status] = guides.guide_create(
            by=office,
            title=f"Beteiligung planen ({status})",
            summary="Worum es geht.",
            body="Geheimer Entwurf." if status == Guide.Status.PLANNED else "Offen.",
            status=status,
            published_in=datetime.date(2025, 3, 1) if status == Guide.Status.PUBLISHED else None,
            authors=[editor],
        )
    world.term = guides.term_create(by=office, name="Datenraum", definition="Ein Raum für Daten.")
    start = timezone.now() + datetime.timedelta(days=30)
    world.appointment = dates.appointment_create(
        by=office,
        kind=Appointment.Kind.KLASSENTREFFEN,
        title="Klassentreffen in Olpe",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Kreishaus Olpe",
        capacity=20,
    )
    published = newsletter.issue_create(by=office, title="Erste Ausgabe", editorial="Hallo!")
    newsletter.issue_send(issue=published, by=office)
    published.refresh_from_db()
    draft = newsletter.issue_create(by=office, title="Zweite Ausgabe", editorial="Entwurf")
    world.issues = {"published": published, "draft": draft}
