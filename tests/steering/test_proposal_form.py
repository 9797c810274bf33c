"""The committee's proposal form at national scale (issue #27): lead projects, results,
municipalities and agreements are named by their addresses, short names and numbers instead of
chosen from lists of every one in the network. The page costs the same for 10 and 1,000
projects and results; only what the drafter may see can be named; a bad line is told in
German and nothing is saved.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from projects.models import LeadProject, Result, TeamMembership, Visibility
from steering.models import Proposal
from tests.conftest import client_for
from tests.factories import MunicipalityFactory
from tests.projects.factories import lead_project

pytestmark = pytest.mark.django_db

URL = "/steuerkreis/vorlagen/neu/"


@pytest.fixture
def results(proposed_project, coordinator):
    """Two published results of the proposed (public) project."""
    return bulk_create_with_history(
        [
            Result(
                project=proposed_project,
                title=f"Ergebnis {n}",
                body="Text",
                maturity=Result.Maturity.TESTED,
                created_by=coordinator,
            )
            for n in (1, 2)
        ],
        Result,
        default_user=coordinator,
    )


@pytest.fixture
def hidden_project(office, menden):
    """A team-only project of a team neither the committee nor the coordinator belongs to."""
    return lead_project(
        coordinator=office, lead=menden, title="Vertrauliche Planung", visibility=Visibility.TEAM
    )


def _grow(project, coordinator, upto: int) -> None:
    have = LeadProject.objects.count()
    made = bulk_create_with_history(
        [
            LeadProject(
                title=f"Projekt {n}",
                slug=f"projekt-{n}",
                summary="…",
                lead_municipality=project.lead_municipality,
                visibility=Visibility.PUBLIC,
                created_by=coordinator,
            )
            for n in range(have, upto)
        ],
        LeadProject,
        default_user=coordinator,
    )
    bulk_create_with_history(
        [
            Result(
                project=row,
                title=f"Ergebnis von {row.title}",
                body="Text",
                maturity=Result.Maturity.TESTED,
                created_by=coordinator,
            )
            for row in made
        ],
        Result,
        default_user=coordinator,
    )


def _approve(project, agreed, **fields) -> dict:
    """The form agreeing the results ``agreed`` of ``project``; ``fields`` replace its lines."""
    return {
        "kind": Proposal.Kind.APPROVE_RESULTS,
        "title": "Ergebnisstände vereinbaren",
        "text": "Wir vereinbaren die Stände.",
        "project": project.get_absolute_url(),
        "results": "\n".join(r.url() for r in agreed),
    } | fields


@pytest.mark.parametrize("who", ["chair", "office", "coordinator"])
def test_the_form_costs_the_same_for_10_and_1000_projects_and_results(
    who, committee, proposed_project, coordinator
):
    drafter = {"chair": committee.chair, "office": committee.office, "coordinator": coordinator}
    client = client_for(drafter[who])
    _grow(proposed_project, coordinator, 10)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _grow(proposed_project, coordinator, 1000)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Projekt 999" not in page  # no list of every project


def test_the_form_says_what_to_paste(committee):
    page = client_for(committee.chair).get(URL).content.decode()
    for hint in (
        "Die Adresse des Leitprojekts aus der Adresszeile des Browsers",
        "Die Adressen veröffentlichter Ergebnisse des Leitprojekts, eine je Zeile",
        "Der Kurzname aus der Adresse der Kommunenseite",
        "Die Nummer der Vereinbarung",
    ):
        assert hint in page
    assert "<select" not in page.split('name="kind"', 1)[1]  # the only list is the kind


def test_results_named_by_their_addresses_are_agreed_in_their_current_version(
    committee, proposed_project, results
):
    whole = f"https://klassenraum.example{results[0].url()}"
    short = f"{proposed_project.slug}/{results[1].pk}  {results[1].title}"
    response = client_for(committee.chair).post(
        URL, _approve(proposed_project, [], results=f"{whole}\n\n{short}\n")
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.project == proposed_project
    pinned = sorted(v.history_row.id for v in proposal.versions.select_related("history_row"))
    assert pinned == sorted(r.pk for r in results)


def test_a_team_only_project_of_another_team_is_not_found_and_nothing_is_saved(
    committee, hidden_project
):
    hidden_result = bulk_create_with_history(
        [
            Result(
                project=hidden_project,
                title="Geheim",
                body="…",
                maturity=Result.Maturity.TESTED,
                created_by=committee.office,
            )
        ],
        Result,
        default_user=committee.office,
    )
    response = client_for(committee.chair).post(URL, _approve(hidden_project, hidden_result))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Zu „{hidden_project.get_absolute_url()}“ finden wir kein Leitprojekt" in page
    assert f"Zu „{hidden_result[0].url()}“ finden wir kein veröffentlichtes Ergebnis" in page
    assert "Vertrauliche Planung" not in page and "Geheim<" not in page
    assert not Proposal.objects.exists()


def test_a_coordinator_names_only_their_own_projects(
    committee, coordinator, proposed_project, hidden_project
):
    other = lead_project(
        coordinator=committee.office, lead=proposed_project.lead_municipality, title="Fremd"
    )
    client = client_for(coordinator)
    response = client.post(
        URL,
        {"kind": "complete", "title": "Abschließen", "text": "…", "project": other.slug},
    )
    assert response.status_code == 400
    assert "Zu „fremd“ finden wir kein Leitprojekt, das Sie sehen dürfen." in (
        response.content.decode()
    )
    assert not Proposal.objects.exists()
    assert TeamMembership.objects.filter(project=other, user=coordinator).count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("project", "keine adresse/mit/zu/vielen/teilen", "finden wir kein Leitprojekt"),
        ("results", "/leitprojekte/x/ergebnisse/99999999999999999999/", "kein veröffentlichtes"),
        ("lead", "Nirgendwo am See", "Zu „Nirgendwo am See“ gibt es keine Mitgliedskommune"),
        ("participant", "/kommunen/gibt-es-nicht/", "gibt es keine Mitgliedskommune"),
        ("amends", "1999-99", "Zu „1999-99“ finden wir keine Vereinbarung"),
    ],
)
def test_a_bad_line_is_told_in_german_and_nothing_is_saved(
    committee, proposed_project, results, coordinator, editor, field, value, message
):
    data = _approve(proposed_project, results) | {field: value}
    if field in ("lead", "participant"):
        data |= {f"{field}_person": coordinator.username}
    response = client_for(committee.chair).post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_only_a_member_municipality_can_take_part(committee, proposed_project, coordinator):
    MunicipalityFactory(name="Fernstadt", slug="fernstadt", is_member=False)
    response = client_for(committee.chair).post(
        URL,
        {
            "kind": "admit",
            "title": "Fernstadt aufnehmen",
            "text": "…",
            "project": proposed_project.slug,
            "participant": "Fernstadt",
            "participant_person": coordinator.username,
        },
    )
    assert response.status_code == 400
    assert "Zu „Fernstadt“ gibt es keine Mitgliedskommune im Netzwerk." in (
        response.content.decode()
    )
    assert not Proposal.objects.exists()


def test_an_amendment_names_the_agreement_by_number_or_address(public_world):
    world, agreement = public_world, public_world.extra["agreement"]
    for amends in (agreement.number, f"https://x.example{agreement.get_absolute_url()}"):
        response = client_for(world.chair).post(
            URL,
            {
                "kind": "free",
                "title": f"Änderung {amends}",
                "text": "…",
                "project": "",
                "amends": f"{amends} {agreement.title}",
            },
        )
        assert response.status_code == 302
        assert Proposal.objects.get(title=f"Änderung {amends}").amends == agreement


def test_the_permission_rules_of_the_page_stay(committee, outsider, as_user):
    assert as_user(None).get(URL)["Location"].startswith(reverse("login"))
    assert as_user(outsider).get(URL).status_code == 403
    assert as_user(committee.chair).get(URL).status_code == 200
