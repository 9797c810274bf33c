"""Passkeys through Chromium's virtual authenticator (DevTools protocol). WebAuthn refuses IP
addresses as relying party, so these tests talk to the server as ``localhost``."""

from __future__ import annotations

import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


def assert_no_violations(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def scripts_ready(page: Page) -> None:
    """Wait until allauth's deferred WebAuthn scripts have wired the passkey buttons.

    They attach their click handlers on DOMContentLoaded, and the heading of a page reached
    by a click shows before that; on a busy machine a click in between did nothing (the
    second factor's button is ``type="button"``). ``goto`` already waits for the load event.
    """
    page.wait_for_load_state("load")


def _virtual_authenticator(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_a_passkey_is_added_and_then_logs_in_alone_and_as_second_factor(
    page: Page, base_url: str, manage, log_in
):
    local = base_url.replace("127.0.0.1", "localhost")
    username = f"passkey-{uuid.uuid4().hex[:6]}"
    manage(
        "shell",
        "-c",
        "from workspace import services;"
        f"services.user_create(username={username!r}, password={DEMO_PASSWORD!r})",
    )
    _virtual_authenticator(page)
    log_in(page, username, base=local)

    page.goto(f"{local}/konto/zweiter-faktor/schluessel/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passkey hinzufügen")
    assert_no_violations(page)
    page.get_by_label("Name des Schlüssels").fill("Laptop im Büro")
    page.get_by_role("button", name="Schlüssel hinzufügen").click()
    # The first factor brings the recovery codes along.
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiederherstellungscodes")
    # The security log holds the new key once.
    logged = manage(
        "shell",
        "-c",
        "from workspace.audit.models import SecurityEvent;"
        f"print(list(SecurityEvent.objects.filter(account__username={username!r},"
        " kind='second_factor_added').values_list('detail', flat=True)))",
    )
    assert logged.strip().splitlines()[-1] == "[{'type': 'webauthn'}]"
    page.goto(f"{local}/konto/zweiter-faktor/schluessel/")
    expect(page.get_by_role("cell", name="Laptop im Büro", exact=True)).to_be_visible()
    assert_no_violations(page)
    # The page that asks before a key is removed (left without removing it).
    page.get_by_role("link", name="„Laptop im Büro“ entfernen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("„Laptop im Büro“ entfernen")
    assert_no_violations(page)

    # A passkey alone logs in.
    page.get_by_role("button", name="Abmelden").click()
    page.goto(f"{local}/konto/anmelden/")
    page.get_by_role("button", name="Mit Passkey anmelden").click()
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()

    # After the password, the key is the second factor.
    page.get_by_role("button", name="Abmelden").click()
    page.goto(f"{local}/konto/anmelden/")
    page.get_by_label("Benutzername", exact=True).fill(username)
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden: zweiter Faktor")
    expect(page.get_by_role("link", name="Mein Konto")).to_have_count(0)
    scripts_ready(page)
    page.get_by_role("button", name="Passkey oder Sicherheitsschlüssel verwenden").click()
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
