"""Guides and the glossary in the browser: a term link followed from a guide, its definition
shown on hover and keyboard focus without script, axe on every guide and glossary page, print
without the site around the guide, and the XSS corpus of test_xss through guide bodies and
glossary definitions (and names and synonyms), which runs nowhere.

The seeded guides are only read here; the XSS test has the office enter its terms through the
glossary's form and creates its guide through the services (``manage``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_xss import PAYLOADS, Watch, payload, watch  # noqa: F401 – the fixture

START = "/leitfaeden/einen-smart-city-prozess-starten/"
START_TITLE = "Einen Smart-City-Prozess starten"
PLANNED = "/leitfaeden/foerdermittel-fuer-smart-city-vorhaben-finden-und-beantragen/"
PLANNED_TITLE = "Fördermittel für Smart-City-Vorhaben finden und beantragen"
AUTHOR = "koordination-menden"  # named author of the start guide


def h1(page: Page):
    return page.get_by_role("heading", level=1)


# --- a term link, followed -------------------------------------------------------------------


def test_a_glossary_link_in_a_guide_shows_its_definition_and_leads_to_the_term(page: Page):
    page.goto(START)
    expect(h1(page)).to_have_text(START_TITLE)
    body = page.locator("#leitfaden-inhalt")
    link = body.get_by_role("link", name="Smart City", exact=True)
    expect(link).to_have_count(1)  # the first occurrence only
    tip = body.locator(".kr-term__tip").first
    expect(tip).to_be_hidden()
    expect(link).to_have_accessible_description(
        "Smart City: Eine Kommune, die digitale Werkzeuge gezielt einsetzt, um das Leben vor "
        "Ort lebenswerter, die Verwaltung einfacher und den Ressourceneinsatz sparsamer zu "
        "machen. Im Mittelpunkt stehen die Menschen, nicht die Technik."
    )
    # Never inside code or headings (tests/guides/test_glossary.py checks every case).
    expect(body.locator("code .kr-term")).to_have_count(0)
    expect(body.get_by_role("heading").locator(".kr-term")).to_have_count(0)

    link.hover()
    expect(tip).to_be_visible()
    page.mouse.move(0, 0)
    expect(tip).to_be_hidden()
    link.focus()  # the keyboard's way, no script involved
    expect(tip).to_be_visible()
    assert_no_violations(page)  # with the definition shown

    link.click()
    expect(h1(page)).to_have_text("Smart City")
    assert page.url.endswith("/vokabelheft/smart-city/")
    expect(page.get_by_role("region", name="Verwandte Begriffe")).to_contain_text(
        "Smart-City-Strategie"
    )
    expect(page.get_by_role("region", name="In diesen Leitfäden")).to_contain_text(START_TITLE)


def test_a_to_z_leads_to_the_letter(page: Page):
    page.goto("/vokabelheft/")
    expect(h1(page)).to_have_text("Vokabelheft")
    nav = page.get_by_role("navigation", name="Von A bis Z")
    nav.get_by_role("link", name="O", exact=True).click()
    # One letter at a time: its own page, marked in the A–Z.
    assert page.url.endswith("/vokabelheft/?buchstabe=O")
    expect(nav.get_by_role("link", name="O", exact=True)).to_have_attribute("aria-current", "page")
    section = page.get_by_role("region", name="O", exact=True)
    expect(section.get_by_role("link", name="Open Data", exact=True)).to_be_visible()
    expect(nav.get_by_text("Y (keine Begriffe)")).to_be_visible()  # no terms: shown, not linked
    expect(nav.get_by_role("link", name="Y", exact=True)).to_have_count(0)


# --- axe on every page of guides and the glossary ----------------------------------------------

PAGES = [
    ("/leitfaeden/", "Leitfäden"),
    ("/leitfaeden/dieser-monat/", None),  # "Neu im <Monat Jahr>"
    ("/leitfaeden/themen/buergerbeteiligung/", "Leitfäden zum Thema „Bürgerbeteiligung“"),
    (START, START_TITLE),
    (PLANNED, PLANNED_TITLE),
    (f"{START}versionen/", f"Versionen von „{START_TITLE}“"),
    (f"{START}vergleich/?von=1&zu=3", f"„{START_TITLE}“: Versionen vergleichen"),
    ("/vokabelheft/", "Vokabelheft"),
    ("/vokabelheft/open-data/", "Open Data"),
]


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=[path for path, _ in PAGES])
def test_guide_and_glossary_pages_have_no_wcag_violations(page: Page, path, heading):
    page.goto(path)
    if heading is None:
        expect(h1(page)).to_contain_text("Neu im ")
        expect(page.get_by_role("link", name=START_TITLE)).to_be_visible()
    else:
        expect(h1(page)).to_have_text(heading)

    assert_no_violations(page)


AUTHOR_PAGES = [
    (f"{START}bearbeiten/", f"„{START_TITLE}“ bearbeiten"),
    (PLANNED, PLANNED_TITLE),
    (f"{PLANNED}versionen/", f"Versionen von „{PLANNED_TITLE}“"),
]


@pytest.mark.parametrize(("path", "heading"), AUTHOR_PAGES, ids=[p for p, _ in AUTHOR_PAGES])
def test_editor_pages_have_no_wcag_violations(page: Page, log_in, path, heading):
    log_in(page, "buero")
    page.goto(path)
    expect(h1(page)).to_have_text(heading)

    assert_no_violations(page)


def test_office_forms_for_guides_and_terms_have_no_wcag_violations(page: Page, log_in):
    log_in(page, "buero")
    for path, heading in [
        ("/leitfaeden/neu/", "Neuer Leitfaden"),
        ("/vokabelheft/neu/", "Neuer Begriff"),
        ("/vokabelheft/open-data/bearbeiten/", "„Open Data“ bearbeiten"),
    ]:
        page.goto(path)
        expect(h1(page)).to_have_text(heading)
        assert_no_violations(page)
    # And with its errors: a term without a definition.
    page.goto("/vokabelheft/neu/")
    page.get_by_label("Begriff", exact=True).fill("Leerstelle")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".kern-error").first).to_be_visible()
    assert_no_violations(page)


def test_a_planned_guide_is_coming_soon_for_readers(page: Page, log_in):
    page.goto(PLANNED)
    expect(h1(page)).to_have_text(PLANNED_TITLE)
    expect(page.locator("main")).to_contain_text("bald verfügbar")
    expect(page.locator("#leitfaden-inhalt")).to_have_count(0)
    log_in(page, "steuerkreis-arnsberg")  # its author
    page.goto(PLANNED)
    expect(page.locator("#leitfaden-inhalt")).to_contain_text("Geplante Abschnitte")


def test_a_guide_prints_without_the_site_around_it(page: Page):
    page.goto(START)
    expect(h1(page)).to_have_text(START_TITLE)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Bereiche des Leitfadens")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(h1(page)).to_be_visible()
    expect(page.locator("#leitfaden-inhalt")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()


def test_an_author_saves_a_new_version_and_sees_it_in_the_list(page: Page, log_in, manage):
    slug = _create_guide(manage, title=f"Notizen {uuid.uuid4().hex[:6]}", body="Erste Zeile.")
    log_in(page, AUTHOR)
    page.goto(f"/leitfaeden/{slug}/bearbeiten/?einfach=1")  # the plain form
    page.get_by_label("Inhalt (optional)", exact=True).fill("Erste Zeile.\n\nZweite Zeile.")
    page.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill("Zeile ergänzt")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".kr-messages")).to_contain_text("Gespeichert als Version 2.")
    page.goto(f"/leitfaeden/{slug}/versionen/")
    expect(page.get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("cell", name="Zeile ergänzt")).to_be_visible()


# --- XSS: the corpus through guide bodies and glossary definitions -----------------------------

_CREATE = """
import datetime, json
from django.contrib.auth import get_user_model
from network.guides import services
data = json.loads({data!r})
User = get_user_model()
office = User.objects.get(username="buero")
author = User.objects.get(username={author!r})
for term in data["terms"]:
    services.term_create(by=office, **term)
first, *rest = data["versions"]
guide = services.guide_create(
    by=office, authors=[author], status="published",
    published_in=datetime.date.today().replace(day=1), summary="Eine Probe.", **first
)
for version in rest:
    services.guide_update(guide=guide, by=author, base_revision=guide.revision, **version)
print(guide.slug)
"""


def _create_guide(manage: Callable[..., str], *, title: str, body: str, versions=(), terms=()):
    """A published guide by the office, authored by ``AUTHOR``, one version per entry; its slug.
    ``terms`` are created first (as the office)."""
    data = json.dumps(
        {"versions": [{"title": title, "body": body}, *versions], "terms": list(terms)}
    )
    return manage("shell", "-c", _CREATE.format(data=data, author=AUTHOR)).strip().splitlines()[-1]


HOVER = payload('" onmouseover="XSS')


def _hostile_terms(tag: str) -> list[dict[str, str]]:
    """Terms whose names and synonyms are payloads, with the corpus in their definitions."""
    return [
        {
            "name": f"{payload('<img src=x onerror=XSS>')} {tag}",
            "definition": "\n\n".join(PAYLOADS),
            "synonyms": f"{HOVER} {tag}",
        },
        {
            "name": f"Probe {tag}",
            "definition": " ".join(PAYLOADS[:20]),
            "synonyms": f"{payload('<svg onload=XSS>')} {tag}",
        },
    ]


def test_no_payload_runs_in_guides_or_the_glossary(
    watch: Watch,  # noqa: F811 – test_xss's fixture, imported above
    log_in,
    manage: Callable[..., str],
):
    """The office enters hostile terms through the glossary's form (so the server itself
    drops its cached term list), then a guide whose versions hold the corpus mentions them."""
    tag = uuid.uuid4().hex[:6]
    terms = _hostile_terms(tag)
    page = watch.new_page()
    log_in(page, "buero")
    term_pages = {}
    for term in terms:
        page.goto("/vokabelheft/neu/")
        page.get_by_label("Begriff", exact=True).fill(term["name"])
        page.get_by_label("Erklärung", exact=True).fill(term["definition"])
        page.get_by_label("Synonyme (optional)", exact=True).fill(term["synonyms"])
        page.get_by_role("button", name="Speichern").click()
        expect(page.locator(".kr-messages")).to_contain_text("steht jetzt im Vokabelheft")
        expect(h1(page)).to_have_text(term["name"])
        watch.check(page, page.url, shown=term["name"])
        term_pages[term["name"]] = page.url
    mentions = f"Erwähnt: {terms[0]['name']}.\n\nUnd {terms[1]['synonyms']} als Synonym."
    slug = _create_guide(
        manage,
        title=f"Sicherheitsprobe {tag} {PAYLOADS[0]}"[:200],
        body=f"{mentions}\n\n{PAYLOADS[0]}",
        versions=[{"body": f"{mentions}\n\n" + "\n\n".join(PAYLOADS), "note": PAYLOADS[1][:100]}],
    )
    guide = f"/leitfaeden/{slug}/"

    page.goto(guide)
    expect(page.locator("#leitfaden-inhalt")).to_contain_text(PAYLOADS[-1])
    term_links = page.locator("#leitfaden-inhalt .kr-term__link")
    expect(term_links).to_have_count(2)
    watch.check(page, guide)
    term_links.first.hover()  # the hostile definition, shown
    expect(page.locator("#leitfaden-inhalt .kr-term__tip").first).to_be_visible()
    watch.check(page, guide)

    for path in (
        f"{guide}versionen/",
        f"{guide}vergleich/?von=1&zu=2",
        "/leitfaeden/",
        "/leitfaeden/dieser-monat/",
        "/vokabelheft/",
    ):
        page.goto(path)
        expect(h1(page)).to_be_visible()
        watch.check(page, path, shown=None)

    # The glossary shows one letter at a time: each hostile term's page leads to its place.
    for term in terms:
        page.goto(term_pages[term["name"]])
        page.locator("main").get_by_role("link", name="Vokabelheft", exact=True).click()
        expect(page.get_by_role("link", name=term["name"], exact=True)).to_be_visible()
        expect(page.locator("main")).to_contain_text(term["synonyms"])
        if term is terms[0]:
            expect(page.locator("main")).to_contain_text(PAYLOADS[-1])  # its definition
        watch.check(page, page.url, shown=None)
    href = page.get_by_role("link", name=terms[-1]["name"], exact=True).get_attribute("href")
    page.goto(href)
    expect(h1(page)).to_have_text(terms[-1]["name"])
    watch.check(page, href)

    page.goto(f"{guide}bearbeiten/")
    assert PAYLOADS[-1] in page.get_by_label("Inhalt (optional)", exact=True).input_value()
    watch.check(page, f"{guide}bearbeiten/", shown=None)
