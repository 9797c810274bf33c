"""The own account, the people pages and the four legal pages in the browser, checked by axe
(WCAG 2.1 A/AA, no rule disabled) after each page's h1."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

FOOTER_LINK = {
    "/impressum/": "Impressum",
    "/datenschutz/": "Datenschutz",
    "/barrierefreiheit/": "Barrierefreiheit",
    "/leichte-sprache/": "Leichte Sprache",
}
LEGAL = [
    ("/impressum/", "Impressum"),
    ("/datenschutz/", "Datenschutzerklärung"),
    ("/barrierefreiheit/", "Erklärung zur Barrierefreiheit"),
    ("/leichte-sprache/", "Leichte Sprache"),
]


@pytest.mark.parametrize(("path", "heading"), LEGAL, ids=[p for p, _ in LEGAL])
def test_legal_pages_are_reached_from_the_footer_and_accessible(page: Page, path, heading):
    page.goto("/")
    footer = page.get_by_role("navigation", name="Rechtliches und Barrierefreiheit")
    footer.get_by_role("link", name=FOOTER_LINK[path], exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_violations(page)


def test_a_barrier_is_reported(page: Page):
    page.goto("/barrierefreiheit/")
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erklärung zur Barrierefreiheit")
    expect(page.locator(".kern-error").first).to_be_visible()
    assert_no_violations(page)
    page.get_by_label("Welche Barriere ist Ihnen aufgefallen?").fill("Die Tabelle ist zu breit.")
    page.get_by_label("Auf welcher Seite?").fill("/klassen/")
    page.get_by_role("button", name="Meldung senden").click()
    expect(
        page.get_by_text("Danke! Ihre Meldung ist bei der Geschäftsstelle angekommen.")
    ).to_be_visible()


def test_the_profile_and_own_data(page: Page, log_in):
    log_in(page, "kommune-brilon")
    page.goto("/konto/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    assert_no_violations(page)
    page.get_by_label("Funktion in Ihrer Kommune").fill("Hauptamt und Digitales")
    page.get_by_label("Mein Name darf auf öffentlichen Seiten erscheinen").check()
    page.get_by_role("button", name="Angaben speichern").click()
    expect(page.get_by_text("Ihre Angaben sind gespeichert.")).to_be_visible()
    expect(page.get_by_label("Funktion in Ihrer Kommune")).to_have_value("Hauptamt und Digitales")
    page.get_by_role("link", name="Alle über mich gespeicherten Daten ansehen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Daten")
    assert_no_violations(page)
    page.goto("/konto/passwort/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")
    assert_no_violations(page)


def test_the_contact_sees_the_staff_and_the_offboarding_page(page: Page, log_in):
    log_in(page, "koordination-menden")
    page.goto("/kommunen/menden/")
    page.get_by_role("link", name="Mitarbeitende verwalten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitarbeitende von Menden")
    assert_no_violations(page)
    page.get_by_role("link", name="Mitarbeit von Mehmet Mertens beenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mitarbeit von Mehmet Mertens beenden"
    )
    expect(page.get_by_text("braucht eine Nachfolge").first).to_be_visible()
    assert_no_violations(page)
    # Without a successor the coordinator cannot leave: the page says why, accessibly.
    page.get_by_role("button", name="Mitarbeit beenden").click()
    expect(page.get_by_text("Benennen Sie eine Nachfolge").first).to_be_visible()
    assert_no_violations(page)
