"""Each list of the API holds exactly what the page listing the same things shows the same
person: the projects of /leitprojekte/, the results linked from each project's page, the
templates and the register of adoptions of /vorlagen/, the guides, the glossary, the dates, the
member municipalities and the published issues.

The world is tests/api/world.py's, with a little more that only some may see: an archived
result (listed nowhere), Iserlohn's adoptions of the network-only and the team-only templates,
and a date that has passed. Roles: every role of the API matrix whose token works (the
expired and revoked ones get 401 on every list: test_api_matrix.py). The page is read as a
person reads it: the links of its list, resolved to the objects they lead to (tests/api/pages.py).
The committee's lists are compared in test_steering_api_matrix.py.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Result, Visibility
from tests.api.pages import linked, rows
from tests.api.world import PERSON, TESTED, bearer
from tests.matrix import client_for

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "editor", "office", "readonly")


@pytest.fixture
def world(api_world):
    world = api_world
    editor, iserlohn = world.users["editor"], world.municipalities["iserlohn"]
    public = world.projects[Visibility.PUBLIC]
    archived = services.result_create(
        project=public, by=editor, title="Altes Datenmodell", body="Alt.", maturity=TESTED
    )
    services.result_archive(result=archived, by=editor, base_revision=archived.revision)
    for vis in (Visibility.NETWORK, Visibility.TEAM):
        services.adoption_create(template=world.templates[vis], municipality=iserlohn, by=editor)
    from network.dates.models import Appointment

    start = timezone.now() - datetime.timedelta(days=60)
    Appointment.objects.create(
        kind=Appointment.Kind.PAUSENHOF,
        title="Pausenhof im Frühjahr",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        speaker=editor,
        created_by=world.users["office"],
    )
    world.archived = archived
    return world


def _api(world, role: str, url: str) -> list[dict]:
    """Every item of the list, page after page."""
    items = []
    while url:
        response = client_for(None).get(url, **bearer(world.tokens, role))
        assert response.status_code == 200, f"{url} als {role}: {response.status_code}"
        data = response.json()
        items += data["results"]
        url = data["next"] and urlsplit(data["next"])._replace(scheme="", netloc="").geturl()
    return items


def _page(world, role: str, url: str):
    person = world.users[PERSON[role]] if role != "anonymous" else None
    return client_for(person).get(url)


def _same(api: set, page: set, what: str, role: str) -> None:
    assert api == page, (
        f"{what} als {role}: nur in der API {sorted(map(str, api - page))}, "
        f"nur auf der Seite {sorted(map(str, page - api))}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_projects(world, role):
    api = {p["slug"] for p in _api(world, role, reverse("api:project-list"))}
    page = linked(_page(world, role, reverse("projects:list")), "projects:detail", "slug")
    assert api, "keine Leitprojekte: der Vergleich sagte nichts"
    _same(api, page, "Leitprojekte", role)


@pytest.mark.parametrize("role", ROLES)
def test_results_are_those_the_project_pages_link(world, role):
    """Each visible project's results as its page lists them (an archived result in neither);
    the adopted copies: those the registers of adoptions link to, and any other only if its
    page opens for the same person."""
    everything = {r["id"] for r in _api(world, role, reverse("api:result-list"))}
    in_projects, copies_linked = set(), set()
    for project in _api(world, role, reverse("api:project-list")):
        slug = project["slug"]
        answer = _page(world, role, reverse("projects:detail", kwargs={"slug": slug}))
        page = linked(answer, "projects:result", "result_id", section="ergebnisse")
        api = {r["id"] for r in _api(world, role, f"{reverse('api:result-list')}?project={slug}")}
        assert page, f"{slug}: keine Ergebnisse auf der Seite, der Vergleich sagte nichts"
        _same(api, page, f"Ergebnisse von {slug}", role)
        in_projects |= page
        copies_linked |= linked(answer, "copies:result", "result_id")
    assert world.archived.pk not in everything
    copies = everything - in_projects
    assert copies_linked <= copies, f"als {role}: {copies_linked - copies} fehlen in der API"
    owners = dict(Result.objects.filter(pk__in=copies).values_list("pk", "municipality__slug"))
    for pk in copies:
        assert owners[pk], f"Ergebnis {pk} ohne Leitprojekt und ohne Kommune"
        url = reverse("copies:result", kwargs={"municipality": owners[pk], "result_id": pk})
        assert _page(world, role, url).status_code == 200, f"{url} als {role}"


@pytest.mark.parametrize("role", ROLES)
def test_templates_and_adoptions(world, role):
    answer = _page(world, role, reverse("templates:list"))
    api = {t["id"] for t in _api(world, role, reverse("api:template-list"))}
    page = linked(answer, "templates:detail", "template_id", outside_tables=True)
    assert api, "keine Vorlagen: der Vergleich sagte nichts"
    _same(api, page, "Vorlagen", role)

    names = {m.slug: m.name for m in world.municipalities.values()}
    api = {
        (a["template"], names[a["municipality"]])
        for a in _api(world, role, reverse("api:adoption-list"))
    }
    page = set()
    for row in rows(answer, "tabelle-nachnutzungen"):
        (template,) = {
            link.kwargs["template_id"] for link in row.links if link.view == "templates:detail"
        }
        page.add((template, row.cells[1].strip()))
    assert api, "keine Nachnutzungen: der Vergleich sagte nichts"
    _same(api, page, "Nachnutzungen", role)


# The network's lists: (API list, page, the page's links, the key of each item, in the API).
NETWORK = {
    "guides": ("api:guide-list", "guides:list", ("guides:detail", "slug"), "slug"),
    "terms": ("api:term-list", "guides:glossary", ("guides:term", "slug"), "slug"),
    "appointments": ("api:appointment-list", "dates:list", ("dates:detail", "pk"), "id"),
    "municipalities": (
        "api:municipality-list",
        "municipality-list",
        ("municipality-detail", "slug"),
        "slug",
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", sorted(NETWORK))
def test_network_lists(world, kind, role):
    api_name, page_name, (view, key), field = NETWORK[kind]
    api = {item[field] for item in _api(world, role, reverse(api_name))}
    page = linked(_page(world, role, reverse(page_name)), view, key)
    assert api, f"{kind}: leer, der Vergleich sagte nichts"
    _same(api, page, kind, role)


@pytest.mark.parametrize("role", ROLES)
def test_published_issues(world, role):
    """The API has the published issues; the office's drafts stay on the archive page, in
    the editorial box above them."""
    api = {i["id"] for i in _api(world, role, reverse("api:issue-list"))}
    answer = _page(world, role, reverse("newsletter:archive"))
    page = linked(answer, "newsletter:issue", "issue_id", section="ausgaben")
    assert api, "keine Ausgaben: der Vergleich sagte nichts"
    _same(api, page, "Ausgaben", role)
    drafts = linked(answer, "newsletter:issue", "issue_id", section="redaktion")
    office = PERSON.get(role) == "office"
    assert drafts == ({world.issues["draft"].pk} if office else set())
    assert not drafts & api


def test_the_lists_differ_by_person(world):
    """The comparisons above are not of lists everyone sees alike."""
    projects = {
        role: {p["slug"] for p in _api(world, role, reverse("api:project-list"))}
        for role in ("anonymous", "member", "editor")
    }
    assert projects["anonymous"] < projects["member"] < projects["editor"]
    results = {
        role: {r["id"] for r in _api(world, role, reverse("api:result-list"))}
        for role in ("anonymous", "member", "editor")
    }
    assert results["anonymous"] < results["member"]
    assert results["member"] - results["editor"] == set()  # the team sees its drafts too
    adoptions = {
        role: len(_api(world, role, reverse("api:adoption-list")))
        for role in ("anonymous", "member", "editor")
    }
    assert adoptions["anonymous"] < adoptions["member"] < adoptions["editor"]
    assert Result.objects.filter(pk=world.archived.pk, is_archived=True).exists()
