"""The security log in the browser: a person finds their own entries from their account page,
the office filters the whole log by keyboard; a form sent too often answers with its own page
shell and a German reason. axe-core (WCAG 2.1 A/AA, no rule disabled) on each page, after its
h1 is checked."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations


def test_a_person_reads_their_own_security_log(page: Page, log_in):
    log_in(page, "kommune-brilon")
    page.goto("/konto/")
    page.get_by_role("link", name="Anmeldungen und Änderungen an Ihrem Konto ansehen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Sicherheitsprotokoll")
    table = page.get_by_role("table", name="Ihre Einträge, neueste zuerst")
    expect(table.get_by_role("rowheader", name="Anmeldung").first).to_be_visible()
    assert_no_violations(page)


def test_the_office_filters_the_security_log_by_keyboard(page: Page, log_in):
    log_in(page, "kommune-brilon")  # an entry to find
    page.context.clear_cookies()
    log_in(page, "buero")
    page.goto("/sicherheitsprotokoll/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sicherheitsprotokoll")
    page.get_by_label("Ereignis").select_option(label="Anmeldung")
    page.get_by_label("Benutzername").fill("kommune-brilon")
    page.get_by_label("Benutzername").press("Enter")
    expect(page).to_have_url("/sicherheitsprotokoll/?art=login&person=kommune-brilon&von=&bis=")
    table = page.get_by_role("table", name="Einträge, neueste zuerst")
    expect(table.get_by_role("row").nth(1)).to_contain_text("kommune-brilon")
    expect(table.get_by_role("rowheader", name="Anmeldung", exact=True).first).to_be_visible()
    expect(table.get_by_role("rowheader", name="Fehlgeschlagene Anmeldung")).to_have_count(0)
    assert_no_violations(page)


def test_a_form_sent_too_often_explains_itself(page: Page):
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    for _ in range(4):  # three per e-mail address and hour, then the limit
        page.goto("/schuelerzeitung/anmelden/")
        page.get_by_label("E-Mail-Adresse").fill(email)
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Schülerzeitung abonnieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schülerzeitung abonnieren")
    expect(page.get_by_role("alert")).to_contain_text("Zu viele Anfragen in kurzer Zeit")
    assert_no_violations(page)
