"""Search in the browser (issue 14): from the header's box to a hit and on to its page; axe on
the search page with hits and with the message for an empty query (no rule disabled)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

GUIDE = "Einen Smart-City-Prozess starten"  # a seeded, published guide
HEADING = "Suche im Netzwerk"


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def test_searching_from_the_header_leads_to_the_hit(page: Page):
    page.goto("/")
    box = page.get_by_role("searchbox", name="Im Netzwerk suchen")
    box.fill("Prozess")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/suche/\?q=Prozess$"))
    expect(h1(page)).to_have_text(HEADING)
    expect(
        page.get_by_role("heading", level=2, name=re.compile(r"Treffer für „Prozess“"))
    ).to_be_visible()
    hit = page.locator(".kr-search-hit").filter(has_text=GUIDE)
    expect(hit.locator("mark").first).to_have_text(re.compile("Prozess", re.I))
    hit.get_by_role("link", name=GUIDE).click()
    expect(h1(page)).to_have_text(GUIDE)


def test_the_page_with_hits_has_no_wcag_violations(page: Page):
    page.goto("/suche/?q=Smart")
    expect(h1(page)).to_have_text(HEADING)
    expect(page.locator(".kr-search-hit").first).to_be_visible()

    assert_no_violations(page)


def test_the_message_for_an_empty_query_has_no_wcag_violations(page: Page):
    page.goto("/")
    page.get_by_role("button", name="Suchen", exact=True).click()
    expect(h1(page)).to_have_text(HEADING)
    expect(page.locator(".kern-error")).to_contain_text("Bitte geben Sie einen Suchbegriff ein")

    assert_no_violations(page)


def test_a_filtered_search_with_the_form_on_the_page(page: Page, log_in):
    log_in(page, "kommune-brilon")
    page.goto("/suche/")
    expect(h1(page)).to_have_text(HEADING)
    page.get_by_label("Suchbegriff").fill("Smart")
    page.get_by_label("Art").select_option(label="Leitfäden")
    page.get_by_role("main").get_by_role("button", name="Suchen").click()
    expect(h1(page)).to_have_text(HEADING)
    kinds = page.locator(".kr-search-hit__kind")
    expect(kinds.first).to_be_visible()
    for text in kinds.all_inner_texts():
        assert text.startswith("Leitfaden")

    assert_no_violations(page)
