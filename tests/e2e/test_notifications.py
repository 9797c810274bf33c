"""Discussion and notifications in the browser: B follows a result, A comments, and B's bell
count rises without a reload (the comment appears on B's open page, too); axe finds nothing
on the comment forms and on the notifications page."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_accessibility import assert_no_violations

PROJECT_SLUG = "offene-regionale-datenplattform"
A = "koordination-menden"
B = "kommune-brilon"

_CREATE = """
import json
from django.contrib.auth import get_user_model
from projects import services
from projects.models import LeadProject
by = get_user_model().objects.get(username={by!r})
project = LeadProject.objects.get(slug={slug!r})
result = services.result_create(
    project=project, by=by, title={title!r}, body="Die Schnittstelle liefert offene Daten.",
    maturity="tested",
)
print(json.dumps(result.get_absolute_url()))
"""


@pytest.fixture(scope="module")
def result_path(manage: Callable[..., str]) -> tuple[str, str]:
    title = f"Diskussions-Ergebnis {uuid.uuid4().hex[:6]}"
    output = manage("shell", "-c", _CREATE.format(by=A, slug=PROJECT_SLUG, title=title))
    return json.loads(output.strip().splitlines()[-1]), title


def bell(page: Page):
    return page.locator("[data-bell]")


def unread(page: Page) -> int:
    expect(bell(page)).to_have_attribute("data-bell-unread", re.compile(r"^\d+$"))
    return int(bell(page).get_attribute("data-bell-unread"))


def test_b_follows_a_comments_and_bs_bell_rises_without_a_reload(
    page: Page, browser: Browser, base_url: str, log_in, result_path, manage
):
    path, title = result_path
    # What earlier tests left for the background worker is told first, so B's bell counts
    # only this test's comment below.
    manage("db_worker", "--batch", "--no-startup-delay", "--queue-name=*")
    # B (Brilon) follows the result.
    log_in(page, B)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Folgen", exact=True).click()
    expect(page.get_by_role("button", name="Nicht mehr folgen")).to_be_visible()
    before = unread(page)
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))

    # A (Menden's coordination) comments in another browser.
    context = browser.new_context(base_url=base_url, locale="de-DE", timezone_id="Europe/Berlin")
    other = context.new_page()
    try:
        log_in(other, A)
        other.goto(path)
        other.get_by_label("Ihr Kommentar").fill("Bitte prüft den Abschnitt **Schnittstellen**.")
        other.get_by_role("button", name="Kommentieren", exact=True).click()
        expect(other.locator(".kr-messages")).to_contain_text("Ihr Kommentar ist veröffentlicht.")
    finally:
        context.close()
    # The background worker tells the followers (as `make run`'s and production's does).
    manage("db_worker", "--batch", "--no-startup-delay", "--queue-name=*")

    # B's bell counts it, and the comment is on B's open page — no reload.
    expect(bell(page)).to_have_attribute("data-bell-unread", str(before + 1), timeout=5000)
    expect(page.locator("[data-bell-count]")).to_have_text(str(before + 1))
    expect(page.locator(".kr-discussion")).to_contain_text("Schnittstellen")
    assert loads == []

    # The notification is on the page of notifications; opening it leads to the comment.
    page.goto("/benachrichtigungen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Benachrichtigungen")
    expect(page.locator(".kr-notifications")).to_contain_text(f"„{title}“ kommentiert")
    assert_no_violations(page)
    page.locator(".kr-notification").first.get_by_role("button", name="Ansehen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert unread(page) == before


def test_comment_forms_have_no_wcag_violations(page: Page, log_in, result_path):
    path, title = result_path
    log_in(page, A)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("Ihr Kommentar").fill("Eine Frage an @kommune-brilon.")
    page.get_by_role("button", name="Kommentieren", exact=True).click()
    expect(page.locator(".kr-messages")).to_contain_text("Ihr Kommentar ist veröffentlicht.")
    # The reply form open, so axe sees it as a person does.
    page.locator(".kr-reply summary").last.click()
    expect(page.get_by_label("Ihre Antwort").last).to_be_visible()
    assert_no_violations(page)

    # The edit page of one's own comment, and the moderator's page to hide one.
    page.locator(".kr-comment__actions").last.get_by_role("link", name="Bearbeiten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommentar bearbeiten")
    assert_no_violations(page)
    page.go_back()
    page.locator(".kr-comment__actions").last.get_by_role("link", name="Ausblenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommentar ausblenden")
    assert_no_violations(page)
    # An empty reason comes back with its message, accessible too.
    page.get_by_role("button", name="Ausblenden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommentar ausblenden")
