"""The search at national size (issue 27): stored vectors, a count that stops at ``MAX_HITS``
("mehr als 200 Treffer") with pages as far, the bound on what is ranked, a save found at
once through the stored vectors and triggers, and the municipality filter as a name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.guides.models import Term
from projects import services as projects
from projects.models import Result, Template
from tests.projects.factories import lead_project
from workspace import search as search_module
from workspace.search import MAX_HITS, PAGE_SIZE, search
from workspace.search_index import index_objects

pytestmark = pytest.mark.django_db
URL = reverse("search")
PAGES = MAX_HITS // PAGE_SIZE


def _terms(n: int, start: int = 0) -> None:
    made = Term.objects.bulk_create(
        Term(name=f"Zählwort {i}", slug=f"zaehlwort-{i}", definition=f"Eintrag {i} im Heft.")
        for i in range(start, start + n)
    )
    index_objects(Term, [term.pk for term in made])  # a bulk write sends no signal


def _hits(html: str) -> int:
    return html.count('class="kr-search-hit"')


def test_up_to_the_bound_the_count_is_exact(client):
    _terms(MAX_HITS)
    html = client.get(URL, {"q": "Zählwort"}).content.decode()
    assert f"{MAX_HITS} Treffer für „Zählwort“" in html
    assert "Mehr als" not in html
    assert f"Seite 1 von {PAGES}" in html


def test_beyond_the_bound_the_page_says_more_and_pages_as_far(client):
    _terms(MAX_HITS + 5)
    first = client.get(URL, {"q": "Zählwort"}).content.decode()
    assert f"Mehr als {MAX_HITS} Treffer für „Zählwort“" in first
    assert "Mit weiteren Wörtern oder einem Filter" in first
    assert f"Seite 1 von {PAGES}" in first
    assert _hits(first) == PAGE_SIZE
    last = client.get(URL, {"q": "Zählwort", "seite": PAGES}).content.decode()
    assert _hits(last) == PAGE_SIZE
    assert 'rel="next"' not in last
    assert f"q=Z%C3%A4hlwort&amp;seite={PAGES - 1}" in last  # the way back
    # Past the end (or below 1) answers with the last page, as every list does; not a number
    # with the first.
    for beyond in (PAGES + 1, 10_000, 0):
        html = client.get(URL, {"q": "Zählwort", "seite": beyond}).content.decode()
        assert f"Seite {PAGES} von {PAGES}" in html, beyond
    html = client.get(URL, {"q": "Zählwort", "seite": "zwei"}).content.decode()
    assert f"Seite 1 von {PAGES}" in html


def test_pages_continue_each_other(client):
    _terms(45)
    seen = []
    for number in (1, 2, 3):
        html = client.get(URL, {"q": "Zählwort", "seite": number}).content.decode()
        seen += [f"Zählwort {i}" for i in range(45) if f">Zählwort {i}<" in html]
    assert sorted(seen) == sorted(f"Zählwort {i}" for i in range(45))  # each once


def test_a_page_costs_the_same_beyond_the_bound(as_user, outsider):
    client = as_user(outsider)
    client.get(URL, {"q": "Zählwort"})  # sessions, caches and the like warmed up once

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"q": "Zählwort", **params}).status_code == 200
        return len(captured)

    _terms(10)
    with_10 = queries()
    past_the_end_10 = queries(seite=PAGES + 7)
    _terms(3 * MAX_HITS, start=10)
    assert queries() == with_10
    assert queries(seite=PAGES + 7) == past_the_end_10
    # Past the last page there can be: the count, then the last page (one query more).
    assert past_the_end_10 == with_10 + 1


# --- the bound on what is ranked ---------------------------------------------------------------


@pytest.fixture
def project(coordinator, menden):
    return lead_project(coordinator=coordinator, lead=menden, title="Digitales Lernen")


def published(project, by, title: str, body: str) -> Result:
    return projects.result_create(
        project=project, by=by, title=title, body=body, maturity=Result.Maturity.TESTED
    )


def test_within_the_bound_a_title_hit_ranks_first(project, coordinator, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_HITS", 3)
    for n in range(4):
        published(project, coordinator, f"Bericht {n}", "Ein Abend zur Beteiligung.")
    published(project, coordinator, "Beteiligung der Eltern", "Ein Abend in der Schule.")
    hits = search(AnonymousUser(), "Beteiligungen")
    assert hits[0]["s_title"] == "Beteiligung der Eltern"


def test_beyond_the_bound_postgres_ranks_the_newest_of_a_kind(project, coordinator, monkeypatch):
    """What a very common word gets on PostgreSQL: the best of the newest ``MAX_HITS + 1`` of
    each kind. SQLite ranks every match."""
    monkeypatch.setattr(search_module, "MAX_HITS", 3)
    published(project, coordinator, "Beteiligung der Eltern", "Ein Abend in der Schule.")
    for n in range(5):
        published(project, coordinator, f"Bericht {n}", "Ein Abend zur Beteiligung.")
    titles = [row["s_title"] for row in search(AnonymousUser(), "Beteiligungen")]
    if connection.vendor == "postgresql":
        assert titles == ["Bericht 1", "Bericht 2", "Bericht 3"]  # of the four newest
    else:
        assert titles == ["Beteiligung der Eltern", "Bericht 0", "Bericht 1"]


# --- a save is found at once (stored vectors, the template's triggers) -------------------------


def test_a_template_is_found_by_its_new_notes_at_once(project, coordinator):
    result = published(project, coordinator, "Konzept", "Für alle.")

    def publish(prerequisites: str) -> None:
        projects.template_publish(
            result=result,
            by=coordinator,
            licence=Template.Licence.CC_BY,
            recommended_revision=1,
            prerequisites=prerequisites,
        )

    publish("Ein Glasfaseranschluss.")
    assert [r["s_kind"] for r in search(AnonymousUser(), "Glasfaseranschluss")] == ["vorlage"]
    publish("Ein Serverraum.")
    assert search(AnonymousUser(), "Glasfaseranschluss") == []
    assert [r["s_kind"] for r in search(AnonymousUser(), "Serverraum")] == ["vorlage"]


def test_a_results_new_summary_reaches_its_template_at_once(project, coordinator):
    result = published(project, coordinator, "Konzept", "Für alle.")
    projects.template_publish(
        result=result, by=coordinator, licence=Template.Licence.CC_BY, recommended_revision=1
    )
    projects.result_update(
        result=result, by=coordinator, base_revision=result.revision, summary="Mit Lüftung."
    )
    found = {r["s_kind"] for r in search(AnonymousUser(), "Lüftung")}
    assert found == {"ergebnis", "vorlage"}


# --- the municipality filter: a name, not a list of every municipality -------------------------


def test_the_municipality_filter_takes_a_short_name_or_a_name(client, project, coordinator):
    published(project, coordinator, "Konzept", "Wir planen Tablets.")
    for name in ("menden", "Menden", "/kommunen/menden/"):
        html = client.get(URL, {"q": "Tablets", "kommune": name}).content.decode()
        assert "1 Treffer" in html, name
    html = client.get(URL, {"q": "Tablets"}).content.decode()
    assert "<select" not in html.split('name="kommune"')[0].rsplit("<", 1)[-1]


def test_an_unknown_municipality_gets_a_message(client, project, coordinator):
    published(project, coordinator, "Konzept", "Wir planen Tablets.")
    response = client.get(URL, {"q": "Tablets", "kommune": "gibt-es-nicht"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "keine Mitgliedskommune" in html
    assert "Konzept" not in html
