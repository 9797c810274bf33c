"""A person lists where they are logged in and ends another session from the browser."""

from __future__ import annotations

import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


def test_sessions_are_listed_and_another_one_is_ended(
    page: Page, browser: Browser, base_url: str, manage, log_in
):
    username = f"sitzungen-{uuid.uuid4().hex[:6]}"
    manage(
        "shell",
        "-c",
        "from workspace import services;"
        f"services.user_create(username={username!r}, password={DEMO_PASSWORD!r})",
    )
    elsewhere = browser.new_context(base_url=base_url, locale="de-DE")
    other_page = elsewhere.new_page()
    log_in(other_page, username)
    log_in(page, username)

    page.goto("/konto/")
    page.get_by_role("link", name="Ihre Sitzungen: wo Sie angemeldet sind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Sitzungen")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    rows.filter(has_not_text="diese Sitzung").get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("Die Sitzung ist beendet.")
    expect(page.locator("tbody tr")).to_have_count(1)

    other_page.goto("/konto/")
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    elsewhere.close()
