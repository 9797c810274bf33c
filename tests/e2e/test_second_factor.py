"""Second factors in the browser: the office's TOTP login (codes computed with pyotp), and an
office account without one that must set it up before it can reach the administration."""

from __future__ import annotations

import uuid

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


def assert_no_violations(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def test_the_office_logs_in_with_its_app_and_reaches_the_administration(page: Page, log_in):
    log_in(page, "buero")  # password, then the code of the demo secret (README)
    page.goto("/verwaltung/")
    expect(page.get_by_role("heading", name="Verwaltung des Netzwerks")).to_be_visible()


def test_the_code_page_has_no_wcag_violations(page: Page):
    page.goto("/konto/anmelden/")
    page.get_by_label("Benutzername", exact=True).fill("buero")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden: zweiter Faktor")
    assert_no_violations(page)

    page.get_by_label("Code aus der Authenticator-App").fill("000000")
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden: zweiter Faktor")
    expect(page.locator(".kern-error")).to_be_visible()
    expect(page.get_by_role("link", name="Mein Konto")).to_have_count(0)
    assert_no_violations(page)


def test_an_office_account_without_a_factor_sets_one_up_before_it_can_use_its_rights(
    page: Page, manage
):
    username = f"buero-neu-{uuid.uuid4().hex[:6]}"
    manage(
        "shell",
        "-c",
        "from workspace import services;"
        f"u = services.user_create(username={username!r}, password={DEMO_PASSWORD!r});"
        "services.network_office_add(user=u)",
    )
    page.goto("/konto/anmelden/?next=/verwaltung/")
    page.get_by_label("Benutzername", exact=True).fill(username)
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "Rechte, die einen zweiten Faktor brauchen"
    )
    assert_no_violations(page)
    page.goto("/verwaltung/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")
    page.goto("/postausgang/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")

    page.get_by_role("link", name="Authenticator-App einrichten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-App einrichten")
    assert_no_violations(page)
    secret = page.get_by_label("Schlüssel zum Eintippen").input_value()
    page.get_by_label("Code aus der App").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Einrichten").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wiederherstellungscodes")
    expect(page.locator(".kr-recovery-codes li")).to_have_count(10)
    assert_no_violations(page)
    page.goto("/verwaltung/")
    expect(page.get_by_role("heading", name="Verwaltung des Netzwerks")).to_be_visible()
    page.goto("/konto/zweiter-faktor/")
    expect(page.get_by_text("Eine Authenticator-App ist eingerichtet.")).to_be_visible()
    assert_no_violations(page)

    # The pages that renew the codes and remove the app (each asks before it acts).
    page.goto("/konto/zweiter-faktor/codes/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Wiederherstellungscodes")
    assert_no_violations(page)
    page.goto("/konto/zweiter-faktor/app/entfernen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-App entfernen")
    assert_no_violations(page)
