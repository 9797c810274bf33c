"""The search page: whole words, a clear message for a bad query, filters, pages of 20, the
same number of queries however many hits, marked snippets that stay text; on PostgreSQL
German stemming, ranking and results current after a save (issue 14)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from network.guides import services as guides
from network.guides.models import Term
from projects import services as projects
from projects.models import Result
from tests.projects.factories import lead_project
from workspace.search import MAX_QUERY_LENGTH, PAGE_SIZE, search
from workspace.search_index import index_objects

pytestmark = pytest.mark.django_db
URL = reverse("search")


def titles(user, q: str, **kwargs) -> list[str]:
    hits = search(user or AnonymousUser(), q, **kwargs)
    return [row["s_title"] for row in hits] if hits is not None else []


def test_without_a_query_the_page_offers_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    assert "Suchbegriff ein" not in response.content.decode()


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_query_gets_a_clear_message(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Suchbegriff ein" in response.content.decode()


def test_an_overlong_query_gets_a_clear_message(client):
    response = client.get(URL, {"q": "Schulweg " * 30})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"höchstens {MAX_QUERY_LENGTH} Zeichen" in html
    assert "Ihrer hat 269" in html


def test_an_unknown_filter_gets_a_message_and_nothing_is_searched(client, world):
    response = client.get(URL, {"q": "Schulweg", "thema": "gibt-es-nicht"})
    assert response.status_code == 400
    assert "Öffentlicher Schulweg Alpha" not in response.content.decode()


def test_the_header_carries_a_search_box(client):
    html = client.get("/").content.decode()
    assert f'action="{URL}"' in html
    assert 'id="kopf-suche"' in html


def test_whole_words_are_found_and_parts_of_words_are_not(world):
    assert "Öffentlicher Schulweg Alpha" in titles(None, "Schulweg")
    assert "Öffentlicher Schulweg Alpha" in titles(None, "schulweg alpha")
    assert titles(None, "Schulwe") == []
    assert titles(None, "Schulweg Nirgendwo") == []  # every word must occur


def test_filters_by_kind_topic_and_municipality(client, world):
    def found(**params):
        html = client.get(URL, {"q": "Schulweg", **params}).content.decode()
        # Whole titles: two letters alone turn up by chance in the page's random tokens.
        titles = {
            "Alpha": "Öffentlicher Schulweg Alpha",
            "Delta": "Schulweg-Konzept Delta",
            "Iota": "Schulweg-Leitfaden Iota",
            "Sigma": "Pausenhof Schulweg Sigma",
            "My": "Schulweg-Begriff My",
            "Xi": "Schulweg-Nachricht Xi",
            "Pi": "Schulweg-Ausgabe Pi",
        }
        return {short for short, title in titles.items() if title in html}

    assert found() == {"Alpha", "Delta", "Iota", "Sigma", "My", "Xi", "Pi"}
    assert found(art="leitprojekt") == {"Alpha"}
    assert found(art="termin") == {"Sigma"}
    # The topic: the project, its results, the guide and the date carry it; terms, news and
    # issues have no topic and drop out.
    assert found(thema="mobilitaet") == {"Alpha", "Delta", "Iota", "Sigma"}
    # Iserlohn takes part in the project and printed news; Menden's speaker holds the date.
    assert found(kommune="iserlohn") == {"Alpha", "Delta", "Xi"}
    assert found(kommune="menden") >= {"Alpha", "Sigma"}


def test_hits_link_to_their_pages(client, world):
    html = client.get(URL, {"q": "Alpha"}).content.decode()
    assert 'href="/leitprojekte/oeffentlicher-schulweg-alpha/"' in html


def _terms(n: int, start: int = 0) -> None:
    made = Term.objects.bulk_create(
        Term(name=f"Zählwort {i}", slug=f"zaehlwort-{i}", definition=f"Eintrag {i} im Heft.")
        for i in range(start, start + n)
    )
    index_objects(Term, [term.pk for term in made])  # a bulk write sends no signal


def test_twenty_hits_a_page_and_the_next_pages(client, db):
    _terms(45)
    first = client.get(URL, {"q": "Zählwort"}).content.decode()
    assert "45 Treffer" in first
    assert first.count('class="kr-search-hit"') == PAGE_SIZE
    assert "Seite 1 von 3" in first
    last = client.get(URL, {"q": "Zählwort", "seite": 3}).content.decode()
    assert last.count('class="kr-search-hit"') == 5
    assert "q=Z%C3%A4hlwort&amp;seite=2" in last


def test_the_page_costs_the_same_for_10_and_1000_hits(
    as_user, outsider, world, django_assert_num_queries
):
    client = as_user(outsider)
    client.get(URL, {"q": "Zählwort"})  # sessions, caches and the like warmed up once

    def queries_for_a_page() -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "Zählwort"})
        assert response.status_code == 200
        return len(captured)

    _terms(10)
    with_10 = queries_for_a_page()
    _terms(990, start=10)
    # Measured: the session and the user; the user's global permissions and their groups'
    # (visible_projects, visible_results); member of the network?; in the office?; the count
    # and the page over every source (one UNION ALL each); on PostgreSQL the page's snippets
    # (one ts_headline over the page); the filter's topics and municipalities: 10 on
    # SQLite, 11 on PostgreSQL — for 10 hits as for 1,000.
    assert with_10 == (11 if connection.vendor == "postgresql" else 10)
    with django_assert_num_queries(with_10):
        response = client.get(URL, {"q": "Zählwort"})
    assert "1.000 Treffer" in response.content.decode() or "1000 Treffer" in (
        response.content.decode()
    )
    assert response.content.decode().count('class="kr-search-hit"') == PAGE_SIZE
    # A page of mixed kinds costs no more than a page of one kind.
    with django_assert_num_queries(with_10):
        client.get(URL, {"q": "Schulweg"})


def test_snippets_mark_the_words_and_stay_text(client, office):
    guides.term_create(
        by=office,
        name="Hinweis",
        definition='Der Schulweg <script>alert("x")</script> ist **wichtig**.',
    )
    html = client.get(URL, {"q": "Schulweg"}).content.decode()
    assert "<mark>Schulweg</mark>" in html
    assert "<script>alert" not in html
    assert "alert(&quot;x&quot;)" in html  # what is left of it is text, not markup


# --- PostgreSQL: German full text -----------------------------------------------------------


@pytest.fixture
def menden_project(coordinator, menden):
    return lead_project(coordinator=coordinator, lead=menden, title="Digitale Schule")


@pytest.mark.services
def test_an_inflected_word_finds_its_base_form(menden_project, coordinator, client):
    projects.result_create(
        project=menden_project,
        by=coordinator,
        title="Konzept",
        body="Die Beteiligung der Eltern beginnt früh.",
        maturity=Result.Maturity.TESTED,
    )
    assert titles(None, "Beteiligungen") == ["Konzept"]
    html = client.get(URL, {"q": "Beteiligungen"}).content.decode()
    assert "<mark>Beteiligung</mark>" in html


@pytest.mark.services
def test_a_title_hit_ranks_above_a_body_hit(menden_project, coordinator):
    for title, body in [
        ("Elternabend vorbereiten", "Wie die Beteiligung gelingt, steht im Anhang."),
        ("Beteiligung der Eltern", "Ein Abend in der Schule."),
    ]:
        projects.result_create(
            project=menden_project,
            by=coordinator,
            title=title,
            body=body,
            maturity=Result.Maturity.TESTED,
        )
    assert titles(None, "Beteiligung") == ["Beteiligung der Eltern", "Elternabend vorbereiten"]


@pytest.mark.services
def test_results_are_current_after_a_save(menden_project, coordinator):
    result = projects.result_create(
        project=menden_project,
        by=coordinator,
        title="Konzept",
        body="Wir planen Tablets.",
        maturity=Result.Maturity.TESTED,
    )
    assert titles(None, "Tablets") == ["Konzept"]
    projects.result_update(
        result=result,
        by=coordinator,
        base_revision=result.revision,
        body="Wir planen Elternabende.",
    )
    assert titles(None, "Tablets") == []
    assert titles(None, "Elternabend") == ["Konzept"]


@pytest.mark.services
def test_matching_uses_the_gin_indexes(world):
    """The expression the search builds is the one the migrations indexed."""
    from django.contrib.postgres.search import SearchQuery

    from projects.models import Result as ResultModel
    from projects.search import RESULT_DOCUMENT
    from workspace.search import CONFIG, document_vector

    query = (
        ResultModel.objects.annotate(v=document_vector(*RESULT_DOCUMENT))
        .filter(v=SearchQuery("Schulweg", search_type="websearch", config=CONFIG))
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(query.explain().splitlines())
    assert "projects_result_search" in plan, plan
