"""Logging in and out through the real forms, and the keyboard path into the page."""

from playwright.sync_api import Page, expect


def test_login_with_a_demo_account_and_logout(page: Page, base_url: str, log_in):
    log_in(page, "koordination-menden")

    expect(page).to_have_url(f"{base_url}/")
    page.get_by_role("link", name="Mein Konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    expect(page.get_by_text("Mehmet Mertens", exact=True)).to_be_visible()

    page.get_by_role("button", name="Abmelden").click()

    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("link", name="Anmelden", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mein Konto")).to_have_count(0)
    # The account page is closed again: it sends the visitor back to the login form.
    page.goto("/konto/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


def test_wrong_password_shows_a_german_error_and_stays_on_the_login_page(page: Page, base_url: str):
    page.goto("/konto/anmelden/")
    page.get_by_label("Benutzername", exact=True).fill("buero")
    page.get_by_label("Passwort", exact=True).fill("falsch")
    page.get_by_role("button", name="Anmelden", exact=True).click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    expect(alert).to_contain_text("Passwort")
    expect(page).to_have_url(f"{base_url}/konto/anmelden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_label("Benutzername", exact=True)).to_have_value("buero")
    expect(page.get_by_role("link", name="Mein Konto")).to_have_count(0)


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#inhalt")).to_be_focused()
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    expect(page.locator("main#inhalt :focus")).to_have_count(1)
