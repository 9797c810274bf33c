"""The glossary and its term links: first occurrence per text, never inside code, links,
headings or a longer word, synonyms too, accessible markup, one cached term list."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.guides import services
from network.guides.glossary import CACHE_KEY, INDEX_KEY
from network.guides.models import Term
from tests.guides.conftest import write_guide
from workspace.markdown import render_markdown

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="kr-term__link" href="([^"]+)"[^>]*>([^<]*)</a>')


@pytest.fixture
def terms(office):
    open_data = services.term_create(
        by=office,
        name="Open Data",
        definition="Daten der Verwaltung, **offen** für alle.",
        synonyms="Offene Daten\noffene Verwaltungsdaten",
    )
    sensor = services.term_create(
        by=office, name="Sensor", definition="Ein Messfühler im öffentlichen Raum."
    )
    return {"open_data": open_data, "sensor": sensor}


def links(html: str) -> list[tuple[str, str]]:
    return LINK.findall(str(html))


def test_the_first_occurrence_is_linked_and_only_that(terms):
    html = render_markdown("Open Data hilft. Noch einmal Open Data.\n\nUnd Open Data.")
    assert links(html) == [("/vokabelheft/open-data/", "Open Data")]
    assert str(html).count("Open Data") == 4  # three in the text, one in the tooltip


def test_synonyms_link_to_their_term_and_count_as_it(terms):
    html = render_markdown("Wir veröffentlichen offene Daten. Später auch Open Data.")
    assert links(html) == [("/vokabelheft/open-data/", "offene Daten")]
    assert links(render_markdown("Offene\nVerwaltungsdaten sind gut.")) == [
        ("/vokabelheft/open-data/", "Offene\nVerwaltungsdaten")
    ]


def test_code_links_and_headings_stay_untouched(terms):
    html = render_markdown(
        "# Open Data im Überblick\n\n"
        "`Open Data` und\n\n```\nOpen Data\n```\n\n"
        "[mehr zu Open Data](https://example.org/) und **Sensor**-freie Zonen.\n\n"
        "Erst hier: Open Data."
    )
    assert '<h2 id="abschnitt-open-data-im-ueberblick">Open Data im Überblick</h2>' in str(html)
    assert "<code>Open Data</code>" in str(html)
    assert ">mehr zu Open Data</a>" in str(html)
    assert links(html) == [("/vokabelheft/open-data/", "Open Data")]
    assert str(html).index("kr-term") > str(html).index("Erst hier")


def test_never_inside_a_longer_word(terms):
    html = render_markdown(
        "Sensoren, Sensorik, Funksensor, Sensor-Netz und OpenDataPortal bleiben Wörter."
    )
    assert links(html) == []
    assert links(render_markdown("Ein Sensor.")) == [("/vokabelheft/sensor/", "Sensor")]


def test_each_text_is_its_own_document(terms):
    assert links(render_markdown("Open Data")) and links(render_markdown("Open Data"))


def test_the_markup_carries_the_definition_accessibly(terms):
    html = str(render_markdown("Hier geht es um Open Data."))
    match = re.search(
        r'<span class="kr-term"><a class="kr-term__link" href="/vokabelheft/open-data/" '
        r'aria-describedby="(begriff-open-data-[0-9a-f]+)">Open Data</a>'
        r'<span class="kr-term__tip" id="([^"]+)" role="tooltip">([^<]*)</span></span>',
        html,
    )
    assert match, html
    assert match.group(1) == match.group(2)
    assert match.group(3) == "Open Data: Daten der Verwaltung, offen für alle."
    assert "style=" not in html and "<script" not in html and " on" not in html.split("kr-term")[1]


def test_text_with_entities_keeps_them_escaped(terms):
    html = str(render_markdown("Open Data & <Sensor> \"quoted\" 'x'"))
    assert "&lt;" in html and "&amp;" in html and "<Sensor>" not in html
    assert len(links(html)) == 2


def test_a_hostile_definition_is_only_text(office):
    services.term_create(
        by=office,
        name="Gefahr",
        definition='<img src=x onerror=alert(1)> "><script>alert(2)</script> [x](javascript:alert(3))',
        synonyms='"><svg onload=alert(4)>',
    )
    html = str(render_markdown('Gefahr und "><svg onload=alert(4)> im Text.'))
    assert "<img" not in html and "<script" not in html and "<svg" not in html
    assert 'href="javascript' not in html  # left as text by the Markdown parser
    assert [text for _url, text in links(html)] == ["Gefahr"]
    alone = str(render_markdown('Nur "><svg onload=alert(4)> hier.'))
    assert [text for _url, text in links(alone)] == ["&quot;&gt;&lt;svg onload=alert(4)&gt;"]
    assert "<svg" not in alone
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the tooltip: the definition as text


def test_a_changed_term_is_linked_on_the_next_render(terms, office):
    assert links(render_markdown("Ein Messfühler.")) == []
    services.term_update(
        term=terms["sensor"],
        by=office,
        name="Sensor",
        definition=terms["sensor"].definition,
        synonyms="Messfühler",
    )
    assert links(render_markdown("Ein Messfühler.")) == [("/vokabelheft/sensor/", "Messfühler")]
    services.term_create(by=office, name="LoRaWAN", definition="Ein Funknetz.")
    assert links(render_markdown("Über LoRaWAN.")) == [("/vokabelheft/lorawan/", "LoRaWAN")]
    Term.objects.get(name="LoRaWAN").delete()  # the admin's way: signals drop the cache, too
    assert links(render_markdown("Über LoRaWAN.")) == []


def test_the_term_list_is_read_once_and_then_cached(terms, django_assert_num_queries):
    cache.delete(CACHE_KEY)
    with django_assert_num_queries(1):
        render_markdown("Open Data und Sensor.")
    with django_assert_num_queries(0):
        render_markdown("Open Data und Sensor, noch einmal.")


def _grow_glossary(office, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        Term.objects.create(
            name=f"Fachwort{i}",
            slug=f"fachwort-{i}",
            definition=f"Erklärung {i}.",
            synonyms=f"Synonym{i}",
        )


def test_a_guide_page_costs_the_same_with_10_and_500_terms(
    client, office, django_assert_num_queries
):
    body = " ".join(f"Fachwort{i} und Synonym{i + 1}." for i in range(0, 500, 7))
    guide = write_guide(by=office, body=body)
    _grow_glossary(office, 10)
    client.get(guide.get_absolute_url())
    cache.delete(CACHE_KEY)  # both measured with a cold cache: the list costs one query
    with CaptureQueriesContext(connection) as small:
        first = client.get(guide.get_absolute_url())
    assert len(links(first.content.decode())) == 4  # Fachwort0, Synonym1, Fachwort7, Synonym8
    _grow_glossary(office, 490, start=10)
    cache.delete(CACHE_KEY)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(guide.get_absolute_url())
    assert len(links(response.content.decode())) == 2 * len(range(0, 500, 7))
    with django_assert_num_queries(len(small.captured_queries) - 1):
        client.get(guide.get_absolute_url())  # warm: no query for the glossary at all


def test_names_and_synonyms_are_unique_across_the_glossary(terms, office):
    with pytest.raises(ValidationError) as error:
        services.term_create(by=office, name="open data", definition="Doppelt.")
    assert error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.term_create(by=office, name="Datenschatz", definition="x", synonyms="Offene Daten")
    assert "Open Data" in str(error.value)


# --- pages ---------------------------------------------------------------------------------


def test_the_glossary_shows_one_letter_at_a_time(client, terms, office):
    services.term_create(by=office, name="Ämterlotse", definition="Führt durch die Ämter.")
    services.term_create(by=office, name="Anfrage", definition="Eine Frage an das Amt.")
    services.term_create(by=office, name="Zuständigkeit", definition="Wer es tut.")
    page = client.get(reverse("guides:glossary"))
    glossary = page.context["page"]
    # The first letter with terms; "Ä" stands with "A" and sorts as "a" does (DIN 5007).
    assert glossary.letter == "A" and [t.name for t in glossary.terms] == ["Ämterlotse", "Anfrage"]
    assert glossary.count == 5
    counts = {group.letter: group.count for group in glossary.letters}
    assert counts["A"] == 2 and counts["O"] == 1 and counts["B"] == 0 and len(counts) == 27
    text = page.content.decode()
    assert '<a class="kern-link kr-az__letter" href="?buchstabe=A" aria-current="page">' in text
    assert 'href="?buchstabe=O">O</a>' in text and 'id="buchstabe-a"' in text
    assert 'href="?buchstabe=B"' not in text  # no terms: shown, not linked
    assert "Open Data" not in text and 'id="anfrage"' in text
    assert "kr-term__link" not in text  # definitions are not linked among themselves

    other = client.get(reverse("guides:glossary"), {"buchstabe": "o"})
    assert [t.name for t in other.context["page"].terms] == ["Open Data"]
    assert 'href="?buchstabe=O" aria-current="page"' in other.content.decode()
    umlaut = client.get(reverse("guides:glossary"), {"buchstabe": "Ä"}).context["page"]
    assert umlaut.letter == "A"
    empty = client.get(reverse("guides:glossary"), {"buchstabe": "B"})
    assert (
        empty.status_code == 200 and "Unter „B“ steht noch kein Begriff." in empty.content.decode()
    )
    assert client.get(reverse("guides:glossary"), {"buchstabe": "AB"}).status_code == 404


def test_a_long_letter_is_cut_into_pages_and_a_term_page_leads_to_its_place(client, office):
    _grow_glossary(office, 120)  # "Fachwort0" … "Fachwort119"
    first = client.get(reverse("guides:glossary"))
    assert first.context["page"].letter == "F" and len(first.context["page"].terms) == 50
    text = first.content.decode()
    assert 'href="?seite=2#buchstabe-f"' in text
    third = client.get(reverse("guides:glossary"), {"buchstabe": "F", "seite": "3"})
    names = [t.name for t in third.context["page"].terms]
    assert len(names) == 20 and names == sorted(names)
    term = client.get(reverse("guides:term", kwargs={"slug": "fachwort-99"})).content.decode()
    place = sorted(f"Fachwort{i}" for i in range(120)).index("Fachwort99") // 50 + 1
    assert f'href="/vokabelheft/?buchstabe=F&amp;seite={place}#fachwort-99"' in term


def test_the_glossary_caches_its_a_to_z_and_drops_it_when_a_term_changes(client, terms, office):
    client.get(reverse("guides:glossary"))
    services.term_create(by=office, name="Bürgerkonto", definition="Ein Konto.")
    page = client.get(reverse("guides:glossary"), {"buchstabe": "B"}).context["page"]
    assert [t.name for t in page.terms] == ["Bürgerkonto"] and page.count == 3
    Term.objects.filter(name="Bürgerkonto").delete()
    page = client.get(reverse("guides:glossary"), {"buchstabe": "B"}).context["page"]
    assert page.terms == [] and page.count == 2


def test_the_glossary_costs_the_same_with_10_and_1000_terms(
    client, office, django_assert_num_queries
):
    """Warm: the A–Z from the cache, the letter's page of terms and their related terms (two
    queries). Cold: one more, the names of all terms for the A–Z."""
    _grow_glossary(office, 10)
    url = reverse("guides:glossary")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert len(response.context["page"].terms) == 10
    cache.delete(INDEX_KEY)
    with CaptureQueriesContext(connection) as small_cold:
        client.get(url)
    # Counted now: the connection's log of queries is cut off while the glossary grows.
    warm, cold = len(small), len(small_cold)
    assert warm == 2 and cold == warm + 1
    _grow_glossary(office, 990, start=10)
    client.get(url)
    with django_assert_num_queries(warm):
        response = client.get(url)
    assert len(response.context["page"].terms) == 50
    assert response.context["page"].count == 1000
    cache.delete(INDEX_KEY)
    with django_assert_num_queries(cold):
        client.get(url, {"buchstabe": "F", "seite": "20"})


def test_term_page_shows_synonyms_related_terms_and_guides(client, terms, office):
    services.term_update(
        term=terms["open_data"],
        by=office,
        name="Open Data",
        definition=terms["open_data"].definition,
        synonyms=terms["open_data"].synonyms,
        related=[terms["sensor"]],
    )
    write_guide(by=office, title="Daten teilen", body="Wie offene Daten entstehen.")
    page = client.get(terms["open_data"].get_absolute_url()).content.decode()
    assert "Offene Daten, offene Verwaltungsdaten" in page
    assert 'href="/vokabelheft/sensor/"' in page and "Daten teilen" in page
    # Relations are mutual.
    assert 'href="/vokabelheft/open-data/"' in client.get("/vokabelheft/sensor/").content.decode()


def test_the_office_keeps_the_glossary(as_user, office, outsider, terms):
    data = {"name": "Reallabor", "definition": "Ein Versuch im Alltag.", "synonyms": ""}
    assert as_user(outsider).post(reverse("guides:term-create"), data).status_code == 403
    response = as_user(office).post(reverse("guides:term-create"), data)
    assert response.status_code == 302 and response["Location"] == "/vokabelheft/reallabor/"
    again = as_user(office).post(reverse("guides:term-create"), data)
    assert again.status_code == 200 and Term.objects.filter(name="Reallabor").count() == 1
    edit = reverse("guides:term-edit", kwargs={"slug": "sensor"})
    response = as_user(office).post(
        edit, {"name": "Sensor", "definition": "Misst.", "synonyms": "Messfühler"}
    )
    assert response.status_code == 302
    assert Term.objects.get(slug="sensor").synonym_list == ["Messfühler"]


def _longest_first(words: list[str]) -> re.Pattern:
    """The list the prefix tree replaced: one alternative per word, longest first."""
    alternatives = "|".join(
        r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def test_the_prefix_tree_finds_exactly_what_the_longest_first_list_found():
    """Terms that are prefixes of each other, several words, German letters, characters that
    mean something in a regular expression: every match, its place and its length are the
    same as with one alternative per term, longest first."""
    from network.guides.glossary import _alternation

    words = [
        "daten", "datenplattform", "datenschutz", "offene daten", "offene", "offene data",
        "smart city", "smart", "c++", "e-government", "straße", "ö(pnv)", "a.b", "daten raum",
        "datenraum", "sensor", "sensornetz", "netz",
    ]  # fmt: skip
    text = (
        "Offene  Daten im Datenraum, Datenplattform und DATENSCHUTZ; die Smart\nCity mit "
        "C++ und E-Government an der Straße. Ö(PNV) und a.b, nicht axb. Daten Raum, "
        "Sensornetz, Sensornetze, Netz-Ausbau, offene data und offene datenbank, smartness."
    )
    tree = re.compile(rf"(?<![\w-])(?:{_alternation(words)})(?![\w-])", re.IGNORECASE)
    expected = [(m.start(), m.group()) for m in _longest_first(words).finditer(text)]
    assert [(m.start(), m.group()) for m in tree.finditer(text)] == expected
    assert ("Offene  Daten", "Datenplattform") == (expected[0][1], expected[2][1])
