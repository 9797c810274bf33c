"""The steering committee in the browser: votes appear live, and its pages pass axe.

The demo world has the committee (the five pioneers' delegates, chaired by the network office),
the held meeting that agreed Menden's project and the planned one with the Soest proposal. The
live test opens a meeting of its own, so the demo's meetings stay as every other test expects.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

CHAIR = "buero"
ANNA = "steuerkreis-arnsberg"
OLGA = "steuerkreis-olpe"

_OPEN_MEETING = """
import uuid
from django.utils import timezone
from steering import services
from steering.models import Seat
from workspace.models import User
office = User.objects.get(username="buero")
delegate = User.objects.get(username="steuerkreis-arnsberg")
proposal = services.proposal_create(
    by=delegate, kind="free", title="Pausenhof jeden Monat", text="Einmal im Monat."
)
meeting = services.meeting_create(
    by=office, title="Sondersitzung " + uuid.uuid4().hex[:6], starts_at=timezone.now(),
    video_url="https://video.example.org/sondersitzung",
)
item = services.agenda_item_add(by=office, meeting=meeting, proposal=proposal)
services.meeting_invite(by=office, meeting=meeting, notify=False)
services.meeting_open(by=office, meeting=meeting, present=Seat.objects.active())
print(meeting.pk, item.pk)
"""


def h1(page: Page):
    return page.get_by_role("heading", level=1)


@pytest.fixture
def held_meeting(manage: Callable[..., str]) -> tuple[int, int]:
    meeting_id, item_id = manage("shell", "-c", _OPEN_MEETING).strip().splitlines()[-1].split()
    return int(meeting_id), int(item_id)


def _meeting_page(new_context, log_in, username: str, meeting_id: int) -> Page:
    page = new_context().new_page()
    log_in(page, username)
    page.goto(f"/steuerkreis/sitzungen/{meeting_id}/")
    # The socket is up before anyone votes, so the tally can only change live.
    expect(page.locator("[data-live-url]")).to_have_attribute("data-live-state", "open")
    return page


def test_two_delegates_vote_and_a_third_page_sees_the_tally_live(new_context, log_in, held_meeting):
    meeting_id, item_id = held_meeting
    chair = _meeting_page(new_context, log_in, CHAIR, meeting_id)
    anna = _meeting_page(new_context, log_in, ANNA, meeting_id)
    olga = _meeting_page(new_context, log_in, OLGA, meeting_id)
    loads: list[str] = []
    chair.on("load", lambda loaded: loads.append(loaded.url))
    tally = chair.locator(f'[data-tally="{item_id}"]')
    expect(tally.locator('[data-count="yes"]')).to_have_text("0")

    anna.get_by_role("button", name="Ja", exact=True).click()
    expect(anna.locator(".kr-messages")).to_contain_text("Ihre Stimme ist gezählt.")
    expect(tally.locator('[data-count="yes"]')).to_have_text("1")
    expect(tally.locator('[data-count="no"]')).to_have_text("0")

    olga.get_by_role("button", name="Nein", exact=True).click()
    expect(tally.locator('[data-count="no"]')).to_have_text("1")
    expect(tally.locator('[data-count="yes"]')).to_have_text("1")
    expect(chair.locator("#live-status")).to_have_text("TOP 1: 1 Ja, 1 Nein, 0 Enthaltungen.")
    # Olga's vote reached Anna's page, too, without a reload.
    expect(anna.locator(f'[data-tally="{item_id}"] [data-count="no"]')).to_have_text("1")
    assert loads == [], "Die Seite der Sitzungsleitung wurde neu geladen"

    # A second vote of the same municipality is refused: Anna's page offers no button now.
    expect(anna.get_by_role("button", name="Ja", exact=True)).to_have_count(0)
    expect(anna.get_by_text("Ihre Kommune hat abgestimmt.")).to_be_visible()
    assert_no_violations(anna)


def test_steering_pages_have_no_wcag_violations(page: Page, log_in):
    log_in(page, CHAIR)

    page.goto("/steuerkreis/")
    expect(h1(page)).to_have_text("Steuerkreis")
    expect(page.get_by_role("cell", name="Anna Albers", exact=True)).to_be_visible()
    assert_no_violations(page)

    page.goto("/steuerkreis/sitzungen/")
    expect(h1(page)).to_have_text("Sitzungen des Steuerkreises")
    page.get_by_role("link", name="1. Sitzung des Steuerkreises").click()
    expect(h1(page)).to_have_text("1. Sitzung des Steuerkreises")
    expect(page.get_by_role("heading", name="Protokoll")).to_be_visible()
    assert_no_violations(page)

    page.goto("/steuerkreis/sitzungen/")
    page.get_by_role("link", name="2. Sitzung des Steuerkreises").click()
    expect(h1(page)).to_have_text("2. Sitzung des Steuerkreises")
    assert_no_violations(page)

    page.goto("/steuerkreis/vorlagen/")
    expect(h1(page)).to_have_text("Beschlussvorlagen")
    title = "Kooperatives Leitprojekt „Digitale Bürgerbeteiligung“ beginnen"
    page.get_by_role("link", name=title).click()
    expect(h1(page)).to_have_text(title)
    assert_no_violations(page)

    page.goto("/steuerkreis/vereinbarungen/")
    expect(h1(page)).to_have_text("Vereinbarungen")
    assert_no_violations(page)
    page.locator("tbody").get_by_role("link").first.click()
    expect(h1(page)).to_contain_text("Offene regionale Datenplattform")
    expect(page.get_by_role("cell", name="Pilotdaten und gemeinsames Datenmodell")).to_be_visible()
    assert_no_violations(page)


def test_the_project_page_shows_the_agreement_that_started_it(page: Page):
    page.goto("/leitprojekte/offene-regionale-datenplattform/")
    section = page.get_by_role("region", name="Vereinbarungen des Steuerkreises")
    expect(section.get_by_role("link")).to_contain_text(["Offene regionale Datenplattform"])
    assert_no_violations(page)


def test_the_public_committee_pages_anonymous_have_no_wcag_violations(page: Page):
    """Without login: the composition, the held meeting (not the planned one), its public
    page and the proposal its agreement adopted (steering.public)."""
    page.goto("/steuerkreis/")
    expect(h1(page)).to_have_text("Steuerkreis")
    expect(page.get_by_role("heading", name="Sitze")).to_be_visible()
    assert_no_violations(page)

    page.goto("/steuerkreis/sitzungen/")
    expect(h1(page)).to_have_text("Sitzungen des Steuerkreises")
    expect(page.get_by_role("link", name="2. Sitzung des Steuerkreises")).to_have_count(0)
    assert_no_violations(page)
    page.get_by_role("link", name="1. Sitzung des Steuerkreises").click()
    expect(h1(page)).to_have_text("1. Sitzung des Steuerkreises")
    expect(page.get_by_role("heading", name="Tagesordnung")).to_be_visible()
    expect(page.get_by_role("heading", name="Protokoll")).to_be_visible()
    assert_no_violations(page)

    page.get_by_role("link", name="Vereinbarung").first.click()
    expect(h1(page)).to_contain_text("Offene regionale Datenplattform")
    assert_no_violations(page)
    page.get_by_role("link", name="Beschlussvorlage").first.click()
    expect(h1(page)).to_contain_text("Offene regionale Datenplattform")
    assert_no_violations(page)


def test_the_proposal_form_takes_addresses_and_names_a_bad_line(page: Page, log_in):
    """A coordinator drafts for their project by its address; a result line that names no
    published result of a project they may see is told at its field, and nothing is saved."""
    log_in(page, "koordination-menden")
    page.goto("/steuerkreis/vorlagen/neu/")
    expect(h1(page)).to_have_text("Beschlussvorlage entwerfen")
    page.get_by_label("Art", exact=True).select_option(label="Ergebnisstände vereinbaren")
    page.get_by_label("Titel", exact=True).fill("Stände der Datenplattform")
    page.get_by_label("Beschlusstext", exact=True).fill("Wir vereinbaren die Stände.")
    project = page.get_by_label("Leitprojekt (optional)", exact=True)
    expect(project).to_have_accessible_description(re.compile("Adresszeile des Browsers"))
    project.fill("/leitprojekte/offene-regionale-datenplattform/")
    results = page.get_by_label("Ergebnisse, deren aktuelle Version vereinbart wird")
    expect(results).to_have_accessible_description(re.compile("eine je Zeile"))
    results.fill("offene-regionale-datenplattform/999999")
    page.get_by_role("button", name="Vorlage anlegen", exact=True).click()
    expect(page.locator("#id_results_error")).to_have_text(
        re.compile("Zu „offene-regionale-datenplattform/999999“ finden wir kein veröffentlichtes")
    )
    expect(project).to_have_value("/leitprojekte/offene-regionale-datenplattform/")
    assert_no_violations(page)
    page.goto("/steuerkreis/vorlagen/")
    expect(page.get_by_text("Stände der Datenplattform")).to_have_count(0)
