"""WCAG 2.1 A/AA with axe-core on the pages that exist, anonymous and logged in.

Each page's h1 is checked first, so an error page (which is accessible, too) can never pass in
place of the page meant. No axe rule is disabled.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}

PAGES = [
    ("/", "Smart Cities: Schule – das Netzwerk auf einen Blick"),
    ("/kommunen/", "Die Kommunen im Netzwerk"),
    ("/kommunen/menden/", "Menden"),
    ("/konto/anmelden/", "Anmelden"),
]


def assert_no_violations(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=[path for path, _ in PAGES])
def test_page_has_no_wcag_violations(page: Page, path: str, heading: str):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    assert_no_violations(page)


def test_start_page_logged_in_has_no_wcag_violations(page: Page, log_in):
    log_in(page, "kommune-brilon")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGES[0][1])
    # The live part is on the page and has settled (connected), so axe sees its final state.
    expect(page.locator("#presence-status")).not_to_have_text("Verbindung wird aufgebaut …")

    assert_no_violations(page)


def test_login_form_with_errors_has_no_wcag_violations(page: Page):
    page.goto("/konto/anmelden/")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.locator(".kern-error").first).to_be_visible()

    assert_no_violations(page)


def test_axe_really_runs_under_the_content_security_policy(page: Page):
    """Guards the zeros above: on a page with the CSP in force, axe does find a planted fault."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGES[0][1])
    page.evaluate(
        "document.querySelector('main').append("
        "Object.assign(document.createElement('img'), {src: 'data:,'}))"
    )

    results = Axe().run(page, options=AXE_OPTIONS)

    assert [violation["id"] for violation in results.response["violations"]] == ["image-alt"]
