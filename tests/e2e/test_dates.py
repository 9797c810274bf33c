"""The dates in the browser: registering for the Klassentreffen and cancelling again, and
axe on every page of the dates (anonymous, member, office).

The demo world has the next Klassentreffen in Olpe (two registrations, 40 seats) and a
Pausenhof series; Brilon's colleague is registered for nothing, and leaves it that way.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

KLASSENTREFFEN = "Klassentreffen in Olpe"
PAUSENHOF = "Pausenhof: Offene Daten in der Praxis"


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def open_date(page: Page, title: str) -> None:
    page.goto("/termine/")
    page.get_by_role("link", name=title, exact=True).first.click()
    expect(h1(page)).to_have_text(title)


def test_a_member_registers_and_cancels(page: Page, log_in):
    log_in(page, "kommune-brilon")
    open_date(page, KLASSENTREFFEN)
    seats = page.locator("#belegung")
    expect(seats).to_contain_text("2 von 40 Plätzen")

    page.get_by_role("button", name="Zum Klassentreffen anmelden").click()

    expect(page.locator(".kr-messages")).to_contain_text("Sie sind angemeldet.")
    expect(seats).to_contain_text("3 von 40 Plätzen")
    expect(page.locator("#mein-status")).to_have_text("Sie sind angemeldet.")
    page.goto("/termine/meine/")
    expect(page.locator("#meine-anmeldungen")).to_contain_text(KLASSENTREFFEN)
    assert_no_violations(page)

    open_date(page, KLASSENTREFFEN)
    page.get_by_role("button", name="Vom Klassentreffen abmelden").click()

    expect(page.locator(".kr-messages")).to_contain_text("Sie sind abgemeldet.")
    expect(seats).to_contain_text("2 von 40 Plätzen")
    expect(page.get_by_role("button", name="Zum Klassentreffen anmelden")).to_be_visible()


def test_the_pausenhof_needs_no_login(page: Page):
    open_date(page, PAUSENHOF)
    expect(page.get_by_text("Für den Pausenhof braucht es keine Anmeldung")).to_be_visible()
    expect(page.locator("#videolink")).to_contain_text("eine Viertelstunde vor Beginn")
    expect(page.get_by_role("link", name="Anmelden", exact=True)).to_be_visible()  # not logged in


ANONYMOUS_PAGES = [
    ("/termine/", "Termine des Netzwerks"),
    ("/termine/?art=pausenhof", "Termine des Netzwerks"),
    ("/termine/pausenhof/thema-vorschlagen/", "Ein Thema für den Pausenhof vorschlagen"),
]


@pytest.mark.parametrize(("path", "heading"), ANONYMOUS_PAGES, ids=[p for p, _ in ANONYMOUS_PAGES])
def test_date_pages_have_no_wcag_violations(page: Page, path: str, heading: str):
    page.goto(path)
    expect(h1(page)).to_have_text(heading)
    assert_no_violations(page)


@pytest.mark.parametrize("title", [KLASSENTREFFEN, PAUSENHOF])
def test_a_date_page_has_no_wcag_violations(page: Page, title: str):
    open_date(page, title)
    assert_no_violations(page)


def test_the_start_page_with_the_next_dates_has_no_wcag_violations(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Nächste Termine")).to_be_visible()
    assert_no_violations(page)


def test_the_topic_form_with_errors_has_no_wcag_violations(page: Page):
    page.goto("/termine/pausenhof/thema-vorschlagen/")
    page.get_by_role("button", name="Vorschlag senden").click()
    expect(h1(page)).to_have_text("Ein Thema für den Pausenhof vorschlagen")
    expect(page.locator(".kern-error, .kern-alert--danger").first).to_be_visible()
    assert_no_violations(page)


def test_the_office_pages_have_no_wcag_violations(page: Page, log_in):
    log_in(page, "buero")
    open_date(page, KLASSENTREFFEN)
    expect(page.locator("#teilnehmende")).to_contain_text("Ida Imhoff")
    assert_no_violations(page)

    page.goto("/termine/neu/")
    expect(h1(page)).to_have_text("Neuer Termin")
    assert_no_violations(page)

    page.goto("/termine/pausenhof/themenvorschlaege/")
    expect(h1(page)).to_have_text("Themenvorschläge für den Pausenhof")
    expect(page.get_by_text("Digitale Schulanmeldung")).to_be_visible()
    assert_no_violations(page)

    page.goto("/termine/pausenhof/reihe/neu/")
    expect(h1(page)).to_have_text("Pausenhof-Reihe planen")
    page.get_by_label("Erster Termin am").fill("2031-03-18")
    page.get_by_label("Videolink").fill("https://video.example.org/pausenhof")
    page.get_by_role("button", name="Vorschau zeigen").click()
    expect(page.locator("#vorschau-liste li")).to_have_count(6)
    # Over the change to summer time on 30 March: still 12:00–13:00 each time.
    expect(page.locator("#vorschau-liste")).not_to_contain_text("11:00")
    expect(page.locator("#vorschau-liste li").nth(1)).to_contain_text("1. April 2031, 12:00–13:00")
    assert_no_violations(page)
