"""Issue 21, done-when 4: the shared editor is the default editor of results and guides.

Opening ``…/bearbeiten/`` of a living result and of a guide (with JavaScript) starts the
shared editor for the text, beside a small form of the other fields. Two browsers typing at
once converge; "Version speichern" asks for an optional note and writes one version that
carries it; the form beside saves the other fields as a version of their own; the switch
leads to the simple form, which saves as before; axe finds nothing on either page. Each
test works on a text of its own, created through ``manage``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

PROJECT_SLUG = "offene-regionale-datenplattform"
OFFICE = "buero"
COORDINATOR = ("koordination-menden", "Mehmet Mertens")
EDITOR = ("team-iserlohn", "Ida Imhoff")

# Who edits which kind: the first creates the text, both may edit it.
KINDS = {
    "result": {"first": COORDINATOR, "second": EDITOR},
    "guide": {"first": COORDINATOR, "second": (OFFICE, "")},
}

_CREATE = """
import datetime, json
from django.contrib.auth import get_user_model
from network.guides import services as guides
from projects import services as projects
from projects.models import LeadProject
data = json.loads({data!r})
User = get_user_model()
by = User.objects.get(username=data["by"])
if data["kind"] == "result":
    project = LeadProject.objects.get(slug=data["project"])
    text = projects.result_create(
        project=project, by=by, title=data["title"], body=data["body"], maturity="tested"
    )
else:
    office = User.objects.get(username="buero")
    text = guides.guide_create(
        by=office, authors=[by], status="published", title=data["title"], body=data["body"],
        published_in=datetime.date.today().replace(day=1), summary="Eine Probe.",
    )
print(json.dumps({{"path": text.get_absolute_url(), "id": text.pk}}))
"""

_STORED = """
import json
from network.guides.models import Guide
from projects.models import Result
model = {{"result": Result, "guide": Guide}}[{kind!r}]
text = model.objects.get(pk={pk})
rows = text.history.order_by("history_date")
print(json.dumps({{"title": text.title, "body": text.body, "revision": text.revision,
                   "versions": rows.count(),
                   "reasons": list(rows.values_list("history_change_reason", flat=True)),
                   "bodies": list(rows.values_list("body", flat=True))}}))
"""


def create(manage: Callable[..., str], kind: str, body: str) -> dict:
    data = {
        "kind": kind,
        "by": KINDS[kind]["first"][0],
        "project": PROJECT_SLUG,
        "title": f"Gemeinsam {kind} {uuid.uuid4().hex[:6]}",
        "body": body,
    }
    out = manage("shell", "-c", _CREATE.format(data=json.dumps(data)))
    return {**json.loads(out.strip().splitlines()[-1]), "kind": kind, "title": data["title"]}


def stored(manage: Callable[..., str], text: dict) -> dict:
    out = manage("shell", "-c", _STORED.format(kind=text["kind"], pk=text["id"]))
    return json.loads(out.strip().splitlines()[-1])


def shared_text(page: Page, expected: str) -> None:
    page.wait_for_function(
        "expected => window.klassenraumCoedit && "
        "window.klassenraumCoedit.ytext.toString() === expected",
        arg=expected,
    )


def open_editor(page: Page, text: dict) -> None:
    page.goto(text["path"] + "bearbeiten/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"„{text['title']}“ bearbeiten")
    expect(page.locator("#coedit-status")).to_contain_text("Gemeinsame Bearbeitung läuft")


def editor(page: Page):
    return page.get_by_role("textbox", name="Inhalt", exact=True)


@pytest.fixture(params=list(KINDS))
def kind(request) -> str:
    return request.param


def test_the_edit_page_starts_the_shared_editor_and_two_browsers_converge(
    kind, new_context, log_in, manage
):
    text = create(manage, kind, "Start.")
    first = new_context().new_page()
    log_in(first, KINDS[kind]["first"][0])
    second = new_context().new_page()
    log_in(second, KINDS[kind]["second"][0])
    open_editor(first, text)
    open_editor(second, text)
    # The text is in the shared editor; the form beside keeps the other fields, not the text.
    for page in (first, second):
        expect(editor(page)).to_be_visible()
        expect(page.get_by_label("Inhalt (optional)", exact=True)).to_be_hidden()
        expect(page.get_by_label("Titel", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Zum einfachen Formular")).to_be_visible()
        shared_text(page, "Start.")

    editor(first).click()
    first.keyboard.press("Control+End")
    editor(second).click()
    second.keyboard.press("Control+Home")
    for one, two in zip(" Eins", "Vorne", strict=True):
        first.keyboard.type(one)
        second.keyboard.type(two)
    shared_text(first, "VorneStart. Eins")
    shared_text(second, "VorneStart. Eins")
    # Each sees the other's cursor, named by the server.
    expect(first.locator(".cm-ySelectionInfo")).to_have_count(1)
    expect(second.locator(".cm-ySelectionInfo")).to_have_text(KINDS[kind]["first"][1])

    assert_no_violations(first)


def test_version_speichern_asks_for_a_note_and_writes_one_version_carrying_it(
    kind, page: Page, log_in, manage
):
    text = create(manage, kind, "Erste Fassung.")
    log_in(page, KINDS[kind]["first"][0])
    open_editor(page, text)
    shared_text(page, "Erste Fassung.")
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Ergänzt.")
    shared_text(page, "Erste Fassung. Ergänzt.")
    before = stored(manage, text)["versions"]

    page.get_by_role("button", name="Version speichern", exact=True).click()
    dialog = page.get_by_role("dialog", name="Version speichern")
    expect(dialog).to_be_visible()
    note = dialog.get_by_label("Notiz zur Version (optional)", exact=True)
    expect(note).to_be_focused()
    assert_no_violations(page)  # with the dialog open
    note.fill("Abschnitt ergänzt")
    dialog.get_by_role("button", name="Version speichern", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#coedit-status")).to_contain_text(f"Gespeichert als Version {before + 1}.")

    after = stored(manage, text)
    assert after["versions"] == before + 1
    assert after["body"] == "Erste Fassung. Ergänzt."
    assert after["reasons"][-1].startswith("Abschnitt ergänzt (")

    # The note is in the version list.
    page.goto(text["path"] + "versionen/")
    expect(page.get_by_text("Abschnitt ergänzt", exact=False)).to_be_visible()

    # Cancelling writes nothing.
    open_editor(page, text)
    page.get_by_role("button", name="Version speichern", exact=True).click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Version speichern", exact=True)).to_be_focused()
    assert stored(manage, text)["versions"] == before + 1


def test_the_form_beside_saves_the_other_fields_as_a_version_of_their_own(
    kind, page: Page, log_in, manage
):
    text = create(manage, kind, "Der Text bleibt.")
    log_in(page, KINDS[kind]["first"][0])
    open_editor(page, text)
    shared_text(page, "Der Text bleibt.")
    before = stored(manage, text)
    page.get_by_label("Titel", exact=True).fill(text["title"] + " neu")
    page.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill("Titel geschärft")
    page.get_by_role("button", name="Angaben speichern", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["title"] + " neu")
    after = stored(manage, text)
    assert after["title"] == text["title"] + " neu"
    assert after["versions"] == before["versions"] + 1
    assert after["body"] == "Der Text bleibt."
    assert after["reasons"][-1] == "Titel geschärft"


def test_the_switch_leads_to_the_simple_form_which_saves_as_before(
    kind, page: Page, log_in, manage
):
    text = create(manage, kind, "Einfach.")
    log_in(page, KINDS[kind]["first"][0])
    open_editor(page, text)
    page.get_by_role("link", name="Zum einfachen Formular").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?einfach=1")
    expect(page.locator("#coedit")).to_have_count(0)
    body = page.get_by_label("Inhalt (optional)", exact=True)
    expect(body).to_be_visible()
    expect(page.get_by_role("link", name="Gemeinsam bearbeiten")).to_be_visible()
    assert_no_violations(page)
    body.fill("Einfach. Im Formular ergänzt.")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".kr-messages")).to_contain_text("Gespeichert als Version 2.")
    assert stored(manage, text)["body"] == "Einfach. Im Formular ergänzt."


def test_without_javascript_the_plain_form_saves_everything(kind, new_context, log_in, manage):
    text = create(manage, kind, "Ohne Skript.")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, KINDS[kind]["first"][0])
    page.goto(text["path"] + "bearbeiten/")
    expect(page.locator("#coedit")).to_be_hidden()
    body = page.get_by_label("Inhalt (optional)", exact=True)
    body.fill("Ohne Skript, gespeichert.")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".kr-messages")).to_contain_text("Gespeichert als Version 2.")
    assert stored(manage, text)["body"] == "Ohne Skript, gespeichert."
