"""The Schülerzeitung in the browser: subscribe → confirm → unsubscribe, a member submits news
and the editorial team accepts it; axe on every newsletter page on the way.

The server of the browser run sends mail to its console (no EMAIL_URL), so the confirmation
link is read from the server's log, as a person would read it from their inbox.
"""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_accessibility import assert_no_violations


def _h1(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _confirmation_link(server, email: str) -> str:
    deadline = time.monotonic() + 10
    pattern = re.compile(
        r"To: " + re.escape(email) + r".*?(http://\S+/schuelerzeitung/bestaetigen/\S+/)", re.S
    )
    while time.monotonic() < deadline:
        match = pattern.search(server.log.read_text(errors="replace"))
        if match:
            return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"Keine Bestätigungsmail an {email} im Log des Servers")


def test_subscribe_confirm_and_unsubscribe(page: Page, app_server, base_url, manage):
    email = f"leserin-{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/schuelerzeitung/")
    _h1(page, "Schülerzeitung")
    expect(page.get_by_role("link", name=re.compile("Ausgabe 2: Sommer"))).to_be_visible()
    assert_no_violations(page)

    # Without consent: the form again, with its message, and accessible.
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("button", name="Schülerzeitung abonnieren").click()
    _h1(page, "Schülerzeitung abonnieren")
    expect(page.get_by_text("Bitte willigen Sie in den Empfang ein.")).to_be_visible()
    assert_no_violations(page)

    page.get_by_label(re.compile("Ich möchte die Schülerzeitung")).check()
    page.get_by_role("button", name="Schülerzeitung abonnieren").click()
    _h1(page, "Bitte bestätigen Sie Ihre Anmeldung")
    assert_no_violations(page)

    link = _confirmation_link(app_server, email).replace("http://127.0.0.1:8000", base_url)
    page.goto(link)
    _h1(page, "Anmeldung bestätigen")
    assert_no_violations(page)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    expect(page.get_by_text("Ihre Anmeldung ist bestätigt")).to_be_visible()
    assert_no_violations(page)

    page.goto(link)  # the link is spent
    expect(page.get_by_text("bereits verwendet")).to_be_visible()

    unsubscribe = (
        manage(
            "shell",
            "-c",
            "from network.newsletter import mails; from network.newsletter.models import Subscriber; "
            f"print(mails.unsubscribe_url(Subscriber.objects.get(email='{email}')))",
        )
        .strip()
        .splitlines()[-1]
    )
    page.goto(unsubscribe.replace("http://127.0.0.1:8000", base_url))
    _h1(page, "Schülerzeitung abbestellen")
    assert_no_violations(page)
    page.get_by_role("button", name="Abmelden", exact=True).click()
    expect(page.get_by_text(f"{email} ist abgemeldet")).to_be_visible()
    assert_no_violations(page)


def test_a_member_submits_news_and_the_editorial_team_accepts_it(
    page: Page, browser: Browser, base_url, log_in
):
    title = f"Brilon eröffnet ein Reallabor {uuid.uuid4().hex[:4]}"
    log_in(page, "kommune-brilon")
    page.goto("/schuelerzeitung/beitraege/neu/")
    _h1(page, "Beitrag einreichen")
    assert_no_violations(page)
    page.get_by_label("Überschrift").fill(title)
    page.get_by_label("Text", exact=True).fill("Am **Marktplatz** wird ausprobiert.")
    page.get_by_role("button", name="Einreichen").click()
    _h1(page, title)
    expect(page.locator(".kern-badge")).to_have_text("Eingereicht")
    assert_no_violations(page)
    item_url = page.url

    office = browser.new_context(base_url=base_url, locale="de-DE")
    try:
        editor = office.new_page()
        log_in(editor, "buero")
        editor.goto("/schuelerzeitung/beitraege/")
        _h1(editor, "Beiträge für die Schülerzeitung")
        assert_no_violations(editor)
        editor.get_by_role("link", name=title).click()
        _h1(editor, title)
        assert_no_violations(editor)
        editor.get_by_label("Notiz an die Einreichung").fill("Schön, kommt in die Herbstausgabe.")
        editor.get_by_role("button", name="Annehmen").click()
        expect(editor.get_by_text("Der Beitrag ist angenommen.")).to_be_visible()

        editor.goto("/schuelerzeitung/ausgaben/neu/")
        _h1(editor, "Neue Ausgabe")
        assert_no_violations(editor)
        editor.goto("/schuelerzeitung/")
        editor.get_by_role("link", name="Herbst: Stadtgrün").click()
        _h1(editor, "Herbst: Stadtgrün")
        assert_no_violations(editor)
        editor.get_by_role("link", name="Ausgabe versenden").click()
        _h1(editor, "Ausgabe versenden")
        assert_no_violations(editor)
        editor.goto("/schuelerzeitung/")
        editor.get_by_role("link", name=re.compile("Ausgabe 1: Frühjahr")).click()
        editor.get_by_role("link", name="Versand ansehen").click()
        _h1(editor, "Versand: Ausgabe 1: Frühjahr: offene Daten")
        expect(editor.get_by_text("Der Versand ist abgeschlossen.")).to_be_visible()
        assert_no_violations(editor)
    finally:
        office.close()

    page.goto(item_url)
    expect(page.locator(".kern-badge")).to_have_text("Angenommen")
    expect(page.get_by_text("Schön, kommt in die Herbstausgabe.")).to_be_visible()


def test_published_issue_page_has_no_wcag_violations(page: Page):
    page.goto("/schuelerzeitung/")
    page.get_by_role("link", name=re.compile("Ausgabe 1: Frühjahr")).click()
    _h1(page, "Ausgabe 1: Frühjahr: offene Daten")
    expect(page.get_by_role("heading", name="Iserlohn öffnet seine Parkdaten")).to_be_visible()
    assert_no_violations(page)
