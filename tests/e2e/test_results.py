"""Living results in the browser: every page passes axe, a real conflict is merged, print is clean.

The seeded, tested result "Datenmodell für offene Haushaltsdaten" is only read here (the one
test that writes to it lives in test_projects.py). Tests that save create a result of their own
through ``manage``, so they never depend on, or disturb, another test's revision numbers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.test_accessibility import assert_no_violations

PROJECT_SLUG = "offene-regionale-datenplattform"
PROJECT = f"/leitprojekte/{PROJECT_SLUG}/"
TESTED = "Datenmodell für offene Haushaltsdaten"  # tested, versions 1–3 from the seed
COORDINATOR = "koordination-menden"
EDITOR = "team-iserlohn"  # Ida Imhoff, editor in the project since the seed

# Creates a result through the services, as the app itself does, and prints its path.
# ``data``: {"by": username, "project": slug, "versions": [fields + note, …]}; the first
# version's fields go to result_create, each further one to result_update.
_CREATE_RESULT = """
import json
from django.contrib.auth import get_user_model
from projects import services
from projects.models import LeadProject
data = json.loads({data!r})
by = get_user_model().objects.get(username=data["by"])
project = LeadProject.objects.get(slug=data["project"])
first, *rest = data["versions"]
result = services.result_create(project=project, by=by, **first)
for version in rest:
    assert services.result_update(result=result, by=by, base_revision=result.revision, **version)
print(result.get_absolute_url())
"""


def create_result(
    manage: Callable[..., str],
    versions: list[dict[str, str]],
    *,
    by: str = COORDINATOR,
    project: str = PROJECT_SLUG,
) -> str:
    """A new result with one version per entry of ``versions``; its path (…/ergebnisse/<id>/)."""
    data = json.dumps({"by": by, "project": project, "versions": versions})
    path = manage("shell", "-c", _CREATE_RESULT.format(data=data)).strip().splitlines()[-1]
    assert path.startswith(f"/leitprojekte/{project}/ergebnisse/"), path
    return path


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def message(page: Page) -> Locator:
    return page.locator(".kr-messages").get_by_role("status")


def expect_live_settled(page: Page) -> None:
    """A logged-in result page's live region has connected, so axe sees its final state."""
    expect(page.locator("[data-live-url]")).to_have_attribute("data-live-connected", "true")
    expect(page.locator("#presence-status")).not_to_have_text("Verbindung wird aufgebaut …")


def result_path(page: Page, title: str) -> str:
    """The result's path, as the project page links it."""
    page.goto(PROJECT)
    href = page.get_by_role("link", name=title, exact=True).get_attribute("href")
    assert href and href.startswith(f"{PROJECT}ergebnisse/"), href
    return href


# --- WCAG 2.1 A/AA with axe: first the page's h1, then zero violations ----------------------


@pytest.mark.parametrize("who", [None, COORDINATOR], ids=["anonym", "koordination"])
def test_result_page_has_no_wcag_violations(page: Page, log_in, who: str | None):
    if who:
        log_in(page, who)
    page.goto(result_path(page, TESTED))
    expect(h1(page)).to_have_text(TESTED)
    expect(page.locator("#ergebnis-inhalt").get_by_role("heading", name="Formate")).to_be_visible()
    edit = page.get_by_role("navigation", name="Bereiche des Ergebnisses").get_by_role(
        "link", name="Bearbeiten", exact=True
    )
    expect(edit).to_have_count(1 if who else 0)
    if who:
        expect_live_settled(page)
    else:  # the live region needs a login
        expect(page.get_by_role("region", name="Gerade hier")).to_have_count(0)

    assert_no_violations(page)


def test_result_edit_page_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(f"{result_path(page, TESTED)}bearbeiten/")
    expect(h1(page)).to_have_text(f"„{TESTED}“ bearbeiten")
    # The shared editor is the default (tests/e2e/test_coedit_editor.py); axe sees it running.
    expect(page.get_by_role("textbox", name="Inhalt", exact=True)).to_be_visible()
    expect(page.locator("#coedit-status")).to_contain_text("Gemeinsame Bearbeitung läuft")
    expect_live_settled(page)

    assert_no_violations(page)


def test_result_versions_page_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(f"{result_path(page, TESTED)}versionen/")
    expect(h1(page)).to_have_text(f"Versionen von „{TESTED}“")
    expect(page.get_by_role("button", name="Version 1 wiederherstellen")).to_be_visible()

    assert_no_violations(page)


def test_result_compare_page_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(f"{result_path(page, TESTED)}vergleich/?von=1&zu=3")
    expect(h1(page)).to_have_text(f"„{TESTED}“: Versionen vergleichen")
    diff = page.get_by_role("region", name="Unterschiede")
    expect(diff.get_by_role("insertion").filter(has_text="Formate").first).to_be_visible()

    assert_no_violations(page)


def test_result_compare_page_with_invalid_versions_has_no_wcag_violations(page: Page, log_in):
    log_in(page, COORDINATOR)
    path = result_path(page, TESTED)
    response = page.goto(f"{path}vergleich/?von=0&zu=keine")
    assert response is not None and response.status == 400
    expect(h1(page)).to_have_text(f"„{TESTED}“: Versionen vergleichen")
    expect(page.get_by_role("alert")).to_contain_text("Bitte wählen Sie zwei Versionen zwischen 1")
    expect(page.get_by_role("region", name="Unterschiede")).to_have_count(0)

    assert_no_violations(page)


# --- A real conflict: two people, one revision ----------------------------------------------


def test_a_conflict_shows_both_texts_and_the_merge_saves(
    page: Page, new_context, log_in, manage: Callable[..., str]
):
    tag = uuid.uuid4().hex[:6]
    title = f"Checkliste Datenschutz {tag}"
    path = create_result(
        manage,
        [
            {
                "title": title,
                "summary": "Was vor dem Veröffentlichen zu prüfen ist.",
                "body": "# Checkliste\n\n- Personenbezug prüfen\n",
                "kind": "checklist",
                "maturity": "draft",
                "note": "Erste Fassung",
            }
        ],
    )
    edit = f"{path}bearbeiten/?einfach=1"  # the plain form: both save from version 1
    ours_line = "- Löschfristen festlegen (Koordination)"
    theirs_line = "- Einwilligungen dokumentieren (Iserlohn)"

    # Both open version 1 for editing.
    log_in(page, COORDINATOR)
    page.goto(edit)
    expect(h1(page)).to_have_text(f"„{title}“ bearbeiten")
    theirs = new_context().new_page()
    log_in(theirs, EDITOR)
    theirs.goto(edit)
    expect(h1(theirs)).to_have_text(f"„{title}“ bearbeiten")

    # The coordinator saves first: version 2.
    ours = page.get_by_label("Inhalt (optional)", exact=True)
    ours.fill(f"{ours.input_value().rstrip()}\n{ours_line}\n")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(message(page)).to_have_text("Gespeichert als Version 2.")

    # Her page already warns her, live (and the warning passes axe, too).
    warning = theirs.locator("#live-conflict")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("hat Version 2 gespeichert.")
    expect(warning).to_contain_text("Ihre Änderungen hier sind noch nicht gespeichert.")
    expect(warning.get_by_role("link", name="Unterschiede ansehen")).to_have_attribute(
        "href", f"{path}vergleich/?von=1&zu=2"
    )
    assert_no_violations(theirs)

    # The editor saves from version 1 all the same: nothing is written, both texts are shown.
    body = theirs.get_by_label("Inhalt (optional)", exact=True)
    body.fill(f"{body.input_value().rstrip()}\n{theirs_line}\n")
    theirs.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill("Einwilligungen")
    with theirs.expect_response(lambda r: r.request.method == "POST") as posted:
        theirs.get_by_role("button", name="Speichern", exact=True).click()
    assert posted.value.status == 409
    expect(h1(theirs)).to_have_text("Das Ergebnis wurde inzwischen geändert")
    current = theirs.get_by_role("region", name="Aktuelle Fassung (Version 2)")
    mine = theirs.get_by_role("region", name="Ihre Fassung")
    expect(current).to_contain_text(ours_line)
    expect(current).not_to_contain_text(theirs_line)
    expect(mine).to_contain_text(theirs_line)
    expect(mine).not_to_contain_text(ours_line)
    expect(current.locator("pre")).to_be_visible()
    expect(mine.locator("pre")).to_be_visible()
    diff = theirs.get_by_role("region", name="Unterschiede").first
    expect(diff.get_by_role("insertion").filter(has_text="Einwilligungen")).to_be_visible()
    expect(diff.get_by_role("deletion").filter(has_text="Löschfristen")).to_be_visible()

    assert_no_violations(theirs)

    # Merge: her text (already in the form) plus the coordinator's line, then save: version 3.
    merge = theirs.get_by_role("region", name="Zusammenführen und speichern")
    merged = merge.get_by_label("Inhalt (optional)", exact=True)
    # (The form strips trailing whitespace, as every save does.)
    expect(merged).to_have_value(f"# Checkliste\n\n- Personenbezug prüfen\n{theirs_line}")
    merged.fill(f"# Checkliste\n\n- Personenbezug prüfen\n{ours_line}\n{theirs_line}\n")
    merge.get_by_role("button", name="Zusammengeführte Fassung speichern", exact=True).click()

    expect(message(theirs)).to_have_text("Gespeichert als Version 3.")
    expect(h1(theirs)).to_have_text(title)
    content = theirs.locator("#ergebnis-inhalt")
    expect(content.get_by_role("listitem")).to_have_text(
        ["Personenbezug prüfen", ours_line[2:], theirs_line[2:]]
    )
    expect(theirs.locator("#ergebnis-stand")).to_contain_text("Version 3")


# --- Print -----------------------------------------------------------------------------------


def test_result_prints_without_navigation_and_forms(page: Page, log_in):
    log_in(page, COORDINATOR)
    page.goto(result_path(page, TESTED))
    expect(h1(page)).to_have_text(TESTED)
    forms = page.locator("main form")
    expect(forms.first).to_be_visible()  # upload and archive: the coordinator may edit
    expect(page.get_by_role("region", name="Gerade hier")).to_be_visible()
    assert forms.count() >= 2

    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()
    expect(page.locator("header")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Bereiche des Ergebnisses")).to_be_hidden()
    expect(page.locator("[data-live-url]")).to_be_hidden()  # "Gerade hier": not for paper
    for form in page.locator("form").all():
        expect(form).to_be_hidden()
    expect(h1(page)).to_be_visible()
    expect(page.locator("#ergebnis-inhalt")).to_be_visible()
    expect(page.locator("#ergebnis-inhalt").get_by_role("heading", name="Lizenz")).to_be_visible()

    # Back on screen, all of it is there again.
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    expect(forms.first).to_be_visible()
