"""A guide names the lead projects and results it came from by their addresses, one per line:
whole, as a path or short. Only what the editor may see can be named; whatever else is named is
refused with one message that says which line, and then nothing is saved. The form costs the
same queries whether the network has ten projects or a thousand."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from network.guides import services
from network.guides.models import Guide
from projects.forms import project_address
from projects.models import LeadProject, Result, Visibility

pytestmark = pytest.mark.django_db


def _data(guide: Guide | None = None, **fields) -> dict:
    data = {
        "title": "Daten teilen",
        "summary": "Wie eine Kommune ihre Daten teilt.",
        "status": "planned",
        "body": "Erst der Plan.",
        "lead_projects": "",
        "results": "",
    }
    if guide is not None:
        data.update(title=guide.title, summary=guide.summary, base_revision=guide.revision)
    return {**data, **fields}


@pytest.mark.parametrize(
    ("line", "address"),
    [
        ("https://klassenraum.example/leitprojekte/offene-daten/", ("offene-daten", None)),
        ("/leitprojekte/offene-daten/team/", ("offene-daten", None)),
        ("offene-daten", ("offene-daten", None)),
        ("/leitprojekte/offene-daten/ Offene Daten", ("offene-daten", None)),
        ("https://x.example/leitprojekte/offene-daten/ergebnisse/12/?v=1", ("offene-daten", 12)),
        ("/leitprojekte/offene-daten/ergebnisse/12/bearbeiten/", ("offene-daten", 12)),
        ("offene-daten/12", ("offene-daten", 12)),
        ("offene-daten/ergebnisse/12", ("offene-daten", 12)),
        ("/leitprojekte/neu/", None),
        ("/leitprojekte/", None),
        ("offene-daten/zwölf", None),
        ("https://", None),
        ("/", None),
        # A number no database key holds names nothing (and reaches no query).
        ("offene-daten/" + "9" * 30, None),
        ("/leitprojekte/offene-daten/ergebnisse/" + "9" * 30 + "/", None),
    ],
)
def test_the_addresses_a_line_may_hold(line, address):
    assert project_address(line) == address


def test_the_office_names_projects_and_results_by_their_addresses(as_user, office, projects):
    public, shown = projects["public"], projects["shown"]
    response = as_user(office).post(
        reverse("guides:create"),
        _data(
            lead_projects=f"http://testserver{public.get_absolute_url()}\n\n{projects['secret'].slug}",
            results=f"{shown.url()}  Datenmodell Haushalt\n{public.slug}/{shown.pk}",
        ),
    )
    assert response.status_code == 302
    guide = Guide.objects.get(title="Daten teilen")
    assert set(guide.lead_projects.all()) == {public, projects["secret"]}  # the office sees all
    assert list(guide.results.all()) == [shown]
    assert guide.revision == 1 and guide.history.count() == 1


@pytest.mark.parametrize("who", ["unknown", "team-only", "draft", "wrong project", "no address"])
def test_what_the_editor_cannot_see_is_refused_like_what_does_not_exist(
    as_user, editor, office, projects, who
):
    """Iserlohn's editor, an author, is in no team: the team-only project is "not found" for
    her exactly like a project that does not exist; nothing of the form is saved."""
    guide = services_guide(office, editor)
    public, shown = projects["public"], projects["shown"]
    bad_project, bad_result = {
        "unknown": ("gibt-es-nicht", f"gibt-es-nicht/{shown.pk}"),
        "team-only": (projects["secret"].slug, projects["hidden"].url()),
        "draft": (public.slug, projects["draft"].url()),
        "wrong project": (public.slug, f"{projects['secret'].slug}/{shown.pk}"),
        "no address": ("https://", "/leitprojekte/"),
    }[who]
    response = as_user(editor).post(
        guide.edit_url,
        _data(
            guide,
            body="Eine neue Fassung.",
            lead_projects=f"{public.slug}\n{bad_project}",
            results=f"{shown.url()}\n{bad_result}",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["results"] == [
        f"Zu „{bad_result.split()[0]}“ finden wir kein veröffentlichtes Ergebnis eines "
        "Leitprojekts, das Sie sehen dürfen. Bitte prüfen Sie die Adresse."
    ]
    if bad_project != public.slug:
        assert errors["lead_projects"] == [
            f"Zu „{bad_project}“ finden wir kein Leitprojekt, das Sie sehen dürfen. "
            "Bitte prüfen Sie die Adresse."
        ]
    guide.refresh_from_db()
    assert guide.revision == 1 and guide.body == "Erst der Plan."
    assert not guide.lead_projects.exists() and not guide.results.exists()


def test_a_pasted_export_is_refused_before_any_line_is_looked_up(as_user, office, projects):
    public = projects["public"]
    lines = "\n".join([public.slug] * 3000)  # 36,000 characters
    response = as_user(office).post(
        reverse("guides:create"), _data(lead_projects=lines, authors=lines)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "lead_projects" in errors and "authors" in errors
    assert not Guide.objects.filter(title="Daten teilen").exists()


def services_guide(office, editor) -> Guide:
    return services.guide_create(
        by=office, title="Daten teilen", summary="Wie.", body="Erst der Plan.", authors=[editor]
    )


def test_the_edit_form_shows_the_links_the_editor_may_see(as_user, office, editor, projects):
    guide = services_guide(office, editor)
    services.guide_update(
        guide=guide,
        by=office,
        base_revision=guide.revision,
        lead_projects=[projects["public"], projects["secret"]],
        results=[projects["shown"], projects["hidden"], projects["draft"]],
    )
    office_form = as_user(office).get(guide.edit_url).context["form"]
    assert office_form["lead_projects"].value() == "\n".join(
        [
            "/leitprojekte/offene-datenplattform/ Offene Datenplattform",
            "/leitprojekte/vertrauliche-personalplanung/ Vertrauliche Personalplanung",
        ]
    )
    page = as_user(editor).get(guide.edit_url)
    form = page.context["form"]
    assert form["lead_projects"].value() == (
        "/leitprojekte/offene-datenplattform/ Offene Datenplattform"
    )
    assert form["results"].value() == f"{projects['shown'].url()} Datenmodell Haushalt"
    text = page.content.decode()
    assert "Vertrauliche Personalplanung" not in text and "Geheime Stellenliste" not in text
    assert "Unfertiger Entwurf" not in text

    # Saved as shown: what she cannot see stays linked; the text becomes version 2.
    response = as_user(editor).post(
        guide.edit_url,
        _data(
            guide,
            body="Zweite Fassung.",
            note="Links geprüft",
            lead_projects=form["lead_projects"].value(),
            results="",
            authors=editor.username,
        ),
    )
    assert response.status_code == 302
    assert set(guide.lead_projects.all()) == {projects["public"], projects["secret"]}
    assert {r.title for r in guide.results.all()} == {"Geheime Stellenliste", "Unfertiger Entwurf"}
    guide.refresh_from_db()
    assert guide.revision == 2
    assert guide.history.first().history_change_reason == "Links geprüft"


# --- the form costs the same at any size of the network ---------------------------------------


def _grow(coordinator, menden, project: LeadProject, have: int, upto: int) -> None:
    projects = [
        LeadProject(
            title=f"Projekt {i}",
            slug=f"projekt-{i}",
            summary="…",
            lead_municipality=menden,
            visibility=Visibility.PUBLIC if i % 2 else Visibility.NETWORK,
            created_by=coordinator,
        )
        for i in range(have, upto)
    ]
    bulk_create_with_history(projects, LeadProject, default_user=coordinator)
    results = [
        Result(
            project=project,
            title=f"Ergebnis {i}",
            body="Text",
            maturity=Result.Maturity.TESTED,
            created_by=coordinator,
        )
        for i in range(have, upto)
    ]
    bulk_create_with_history(results, Result, default_user=coordinator)


def test_the_guide_form_costs_the_same_with_10_and_1000_projects_and_results(
    as_user, office, editor, coordinator, menden, projects
):
    guide = services_guide(office, editor)
    services.guide_update(
        guide=guide,
        by=office,
        base_revision=guide.revision,
        lead_projects=[projects["public"]],
        results=[projects["shown"]],
    )
    client = as_user(office)
    pages = [reverse("guides:create"), guide.edit_url]
    lines = {
        "lead_projects": f"{projects['public'].slug}\nprojekt-1\nprojekt-3",
        # One line not found: the form is refused after looking every line up.
        "results": f"{projects['shown'].url()}\ngibt-es-nicht/1",
    }

    def measure() -> list[int]:
        counts = []
        for url in pages:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                pages[0], _data(title="Zählprobe", summary="x", body="y", **lines)
            )
        assert response.context["form"].errors["results"]
        counts.append(len(queries))
        return counts

    _grow(coordinator, menden, projects["public"], 0, 10)
    small = measure()
    _grow(coordinator, menden, projects["public"], 10, 1000)
    assert LeadProject.objects.count() > 1000 and Result.objects.count() > 1000
    assert measure() == small
    page = client.get(reverse("guides:create")).content.decode()
    assert "Projekt 999" not in page and "Ergebnis 999" not in page
