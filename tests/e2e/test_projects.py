"""Lead projects in the browser: a team grows and edits, every page passes axe, keys reach roles.

All tests share the session's seeded database; the running Menden-led project is the stage. The
one test that changes it only adds a new account to the team, which then saves version 4 of the
tested result "Datenmodell für offene Haushaltsdaten": status, title and the demo team stay as
every other test expects them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.test_accessibility import assert_no_violations

TITLE = "Offene regionale Datenplattform"
PROJECT = "/leitprojekte/offene-regionale-datenplattform/"
EDIT = f"{PROJECT}bearbeiten/"
TEAM = f"{PROJECT}team/"
EDIT_HEADING = f"„{TITLE}“ bearbeiten"
TEAM_HEADING = f"Team von „{TITLE}“"
COORDINATOR = "koordination-menden"
EDITOR_NAME = "Ida Imhoff"  # team-iserlohn, editor in the project since the seed
RESULT_TITLE = "Datenmodell für offene Haushaltsdaten"  # tested, versions 1–3 from the seed


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str


@pytest.fixture
def colleague(manage: Callable[..., str]) -> Account:
    """A new account of the coordinator's municipality (Menden), in no project team yet."""
    tag = uuid.uuid4().hex[:6]
    account = Account(username=f"kollegin-{tag}", display_name=f"Klara Kollmann {tag}")
    manage(
        "shell",
        "-c",
        "from workspace import services\n"
        "from workspace.models import Municipality\n"
        f"user = services.user_create(username={account.username!r}, password='demo', "
        f"display_name={account.display_name!r}, email='{account.username}@example.org')\n"
        "services.membership_start(user=user, municipality=Municipality.objects.get(slug='menden'))\n",
    )
    return account


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def message(page: Page) -> Locator:
    """The success or info message at the top of the page (role=status)."""
    return page.locator(".kr-messages").get_by_role("status")


def team_row(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def column_cell(table: Locator, row: Locator, header: str) -> Locator:
    """The cell of ``row`` under the column headed ``header`` in ``table`` (found by the header,
    so a column added to the shared template does not shift what the test reads)."""
    headers = [text.strip() for text in table.get_by_role("columnheader").all_inner_texts()]
    assert headers.count(header) == 1, (header, headers)
    return row.locator(":scope > th, :scope > td").nth(headers.index(header))


def project_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Bereiche des Leitprojekts")


def result_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Bereiche des Ergebnisses")


def expect_forbidden(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 403, path
    expect(h1(page)).to_have_text("Keine Berechtigung")


# --- The acceptance test --------------------------------------------------------------------


def test_coordinator_adds_a_colleague_who_can_then_edit_the_project(
    page: Page, new_context, log_in, colleague: Account
):
    """DESIGN.md: editor → view + edit *results*; changing the project itself is the
    coordinator's. So "edit the project" is: save a new version of one of its results. The
    project's own settings stay the coordinator's (403 for the editor, before and after).
    """
    name = colleague.display_name
    theirs = new_context().new_page()
    log_in(theirs, colleague.username)

    # Before: a colleague in the network sees the project and its tested result, but may not
    # edit either (the result is not a draft, so she may read it: 403, not 404).
    theirs.goto(PROJECT)
    expect(h1(theirs)).to_have_text(TITLE)
    expect(project_nav(theirs).get_by_role("link", name="Bearbeiten")).to_have_count(0)
    result = theirs.get_by_role("link", name=RESULT_TITLE, exact=True).get_attribute("href")
    assert result and result.startswith(f"{PROJECT}ergebnisse/"), result
    theirs.goto(result)
    expect(h1(theirs)).to_have_text(RESULT_TITLE)
    expect(result_nav(theirs).get_by_role("link", name="Versionen", exact=True)).to_be_visible()
    expect(result_nav(theirs).get_by_role("link", name="Bearbeiten")).to_have_count(0)
    expect_forbidden(theirs, f"{result}bearbeiten/")
    expect_forbidden(theirs, EDIT)

    # The coordinator takes her into the team, by user name, as editor.
    log_in(page, COORDINATOR)
    page.goto(TEAM)
    expect(h1(page)).to_have_text(TEAM_HEADING)
    add = page.get_by_role("region", name="Jemanden ins Team aufnehmen")
    add.get_by_label("Benutzername oder E-Mail-Adresse", exact=True).fill(colleague.username)
    add.get_by_label("Rolle", exact=True).select_option(label="Bearbeitung")
    add.get_by_role("button", name="Aufnehmen", exact=True).click()

    expect(message(page)).to_have_text(f"{name} gehört jetzt zum Team.")
    expect(h1(page)).to_have_text(TEAM_HEADING)
    row = team_row(page, name)
    expect(row.get_by_role("cell").nth(0)).to_have_text("Menden")
    expect(row.get_by_role("cell").nth(1)).to_have_text("Bearbeitung")

    # Now she edits the tested result, from its own page: version 4 is hers.
    addition = f"Ansprechpartnerin für Rückfragen zum Datenmodell: {name}."
    note = "Ansprechpartnerin ergänzt"
    theirs.goto(result)
    expect(h1(theirs)).to_have_text(RESULT_TITLE)
    result_nav(theirs).get_by_role("link", name="Bearbeiten", exact=True).click()
    expect(h1(theirs)).to_have_text(f"„{RESULT_TITLE}“ bearbeiten")
    # The page opens the shared editor; she takes the switch to the plain form.
    theirs.get_by_role("link", name="Zum einfachen Formular").click()
    body = theirs.get_by_label("Inhalt (optional)", exact=True)
    body.fill(f"{body.input_value().rstrip()}\n\n{addition}\n")
    theirs.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill(note)
    theirs.get_by_role("button", name="Speichern", exact=True).click()

    expect(message(theirs)).to_have_text("Gespeichert als Version 4.")
    expect(h1(theirs)).to_have_text(RESULT_TITLE)
    expect(theirs.locator("#ergebnis-inhalt").get_by_text(addition, exact=True)).to_be_visible()
    expect(theirs.locator("#ergebnis-stand")).to_contain_text("Version 4, zuletzt geändert")
    expect(theirs.locator("#ergebnis-stand")).to_contain_text(f"von {name}: „{note}“")

    # The versions list names her as the author of version 4, the newest.
    result_nav(theirs).get_by_role("link", name="Versionen", exact=True).click()
    expect(h1(theirs)).to_have_text(f"Versionen von „{RESULT_TITLE}“")
    versions = theirs.get_by_role("table", name="Versionen, neueste zuerst")
    newest = versions.get_by_role("row").nth(1)
    expect(column_cell(versions, newest, "Version")).to_have_text("4 aktuell")
    expect(column_cell(versions, newest, "Wer")).to_have_text(name)
    expect(column_cell(versions, newest, "Notiz")).to_have_text(note)

    # The project's own settings stay the coordinator's.
    expect_forbidden(theirs, EDIT)


# --- WCAG 2.1 A/AA with axe: first the page's h1, then zero violations ----------------------


@pytest.mark.parametrize("who", [None, COORDINATOR], ids=["anonym", "angemeldet"])
def test_project_list_has_no_wcag_violations(page: Page, log_in, who: str | None):
    if who:
        log_in(page, who)
    page.goto("/leitprojekte/")
    expect(h1(page)).to_have_text("Leitprojekte")
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    if who:
        expect(page.get_by_role("link", name="Neues Leitprojekt anlegen")).to_be_visible()

    assert_no_violations(page)


def test_project_page_as_coordinator_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(PROJECT)
    expect(h1(page)).to_have_text(TITLE)
    expect(project_nav(page).get_by_role("link", name="Bearbeiten", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Team verwalten", exact=True)).to_be_visible()

    assert_no_violations(page)


def test_project_page_as_network_office_has_no_wcag_violations(page: Page, log_in):
    log_in(page, "buero")
    page.goto(PROJECT)
    expect(h1(page)).to_have_text(TITLE)
    status = page.get_by_role("region", name="Stand ändern")
    expect(status.get_by_label("Neuer Stand", exact=True)).to_be_visible()
    expect(status.get_by_role("button", name="Stand ändern", exact=True)).to_be_visible()

    assert_no_violations(page)


def test_team_page_as_coordinator_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(TEAM)
    expect(h1(page)).to_have_text(TEAM_HEADING)
    expect(page.get_by_label(f"Rolle von {EDITOR_NAME}", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Jemanden ins Team aufnehmen")).to_be_visible()

    assert_no_violations(page)


def test_team_form_with_errors_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(TEAM)
    add = page.get_by_role("region", name="Jemanden ins Team aufnehmen")
    add.get_by_label("Benutzername oder E-Mail-Adresse", exact=True).fill("niemand-bekanntes")
    add.get_by_role("button", name="Aufnehmen", exact=True).click()
    expect(h1(page)).to_have_text(TEAM_HEADING)
    expect(page.locator(".kern-error")).to_contain_text("niemand-bekanntes")

    assert_no_violations(page)


def test_edit_page_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(EDIT)
    expect(h1(page)).to_have_text(EDIT_HEADING)

    assert_no_violations(page)


def test_edit_page_with_errors_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(EDIT)
    page.get_by_label("Titel", exact=True).fill("")
    page.get_by_role("button", name="Änderungen speichern", exact=True).click()
    expect(h1(page)).to_have_text(EDIT_HEADING)
    expect(page.locator("#id_title_error")).to_be_visible()

    assert_no_violations(page)


def test_the_edit_form_names_municipalities_by_short_name(page: Page, log_in):
    """The lead and the participants as short names, one a line; a name that is no member
    is told at its field (axe checks the page with the error), and nothing is saved."""
    log_in(page, COORDINATOR)
    page.goto(EDIT)
    lead = page.get_by_label("Federführung", exact=True)
    participants = page.get_by_label("Beteiligte Kommunen")
    expect(lead).to_have_value("menden")
    expect(participants).to_have_value(re.compile(r"(^|\n)iserlohn($|\n)"))
    expect(participants).to_have_accessible_description(re.compile("eine je Zeile"))
    participants.fill("iserlohn\nNirgendwo am See")
    page.get_by_role("button", name="Änderungen speichern", exact=True).click()
    expect(h1(page)).to_have_text(EDIT_HEADING)
    expect(page.locator("#id_participants_error")).to_have_text(
        re.compile("Zu „Nirgendwo am See“ finden wir keine Mitgliedskommune im Netzwerk.")
    )
    assert_no_violations(page)
    page.goto(PROJECT)
    expect(page.get_by_text("Nirgendwo am See")).to_have_count(0)


def test_new_project_page_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto("/leitprojekte/neu/")
    expect(h1(page)).to_have_text("Neues Leitprojekt")

    assert_no_violations(page)


# --- Keyboard ---------------------------------------------------------------------------------


def test_a_members_role_form_is_reachable_by_keyboard(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(TEAM)
    expect(h1(page)).to_have_text(TEAM_HEADING)
    row = team_row(page, EDITOR_NAME)
    select = row.get_by_role("combobox")
    save = row.get_by_role("button", name=f"Rolle speichern für {EDITOR_NAME}", exact=True)
    expect(select).to_have_accessible_name(f"Rolle von {EDITOR_NAME}")
    expect(save).to_have_accessible_name(f"Rolle speichern für {EDITOR_NAME}")

    # From the page's own navigation, Tab alone gets there, and the button follows the select.
    project_nav(page).get_by_role("link", name="Team", exact=True).focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if select.evaluate("element => element === document.activeElement"):
            break
    expect(select).to_be_focused()
    page.keyboard.press("Tab")
    expect(save).to_be_focused()
