"""Joining in the browser: a town asks, the office accepts, the invited person sets a password.

axe-core (WCAG 2.1 A/AA, no rule disabled) runs on the join form, the classes, the office's
review pages and every state of the invitation pages, each after its h1 is checked.
"""

from __future__ import annotations

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

BERLIN = ZoneInfo("Europe/Berlin")


def _known_invitation(manage, *, email: str, name: str) -> str:
    """An invitation to Menden whose token the test knows (the mail goes to the console)."""
    token = f"e2e-{uuid.uuid4().hex}"
    manage(
        "shell",
        "-c",
        "import datetime\n"
        "from django.utils import timezone\n"
        "from network.joining.models import Invitation\n"
        "from workspace.models import Municipality, User\n"
        "Invitation.objects.create(municipality=Municipality.objects.get(slug='menden'),"
        f" email={email!r}, name={name!r}, invited_by=User.objects.get(username='buero'),"
        f" token_hash=Invitation.find_hash({token!r}),"
        " expires_at=timezone.now() + datetime.timedelta(days=14))\n",
    )
    return token


@pytest.fixture
def hemer_leaves_again(manage):
    """The browser tests share one demo world: Hemer is no member again afterwards, so pages
    counting the network's members stay as the other tests expect them."""
    yield
    manage(
        "shell",
        "-c",
        "from workspace.models import Municipality\n"
        "Municipality.objects.filter(name='Hemer').update(is_member=False, cohort=None, joined_on=None)\n",
    )


def test_a_town_asks_to_join_and_the_office_accepts(page: Page, log_in, hemer_leaves_again):
    page.goto("/mitmachen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interessiert an einer Teilnahme?")
    assert_no_violations(page)

    # Sent empty: the messages are there and accessible, too.
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interessiert an einer Teilnahme?")
    expect(
        page.get_by_text("Bitte wählen Sie Ihre Kommune oder tragen Sie ihren Namen ein.")
    ).to_be_visible()
    assert_no_violations(page)

    page.get_by_label("Kommune", exact=True).select_option("Hemer")
    page.get_by_label("Ihr Name").fill("Hanna Hesse")
    page.get_by_label("Ihre Funktion in der Verwaltung").fill("Stabsstelle Digitales")
    page.get_by_label("Dienstliche E-Mail-Adresse").fill("hanna.hesse@hemer.example")
    page.get_by_label("Ihre Nachricht an die Geschäftsstelle").fill("Wir möchten mitmachen.")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danke für Ihre Anfrage")
    assert_no_violations(page)

    office = page
    log_in(office, "buero")
    office.goto("/mitmachen/anfragen/")
    expect(office.get_by_role("heading", level=1)).to_have_text("Beitrittsanfragen")
    assert_no_violations(office)
    office.get_by_role("link", name="Hemer").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Anfrage von Hemer")
    assert_no_violations(office)
    office.get_by_role("button", name="Annehmen und einladen").click()
    expect(office.get_by_text("Angenommen: Hemer gehört zum Netzwerk.")).to_be_visible()

    office.goto("/klassen/")
    expect(office.get_by_role("heading", level=1)).to_have_text("Die Klassen des Netzwerks")
    this_year = office.locator(f"section[id='{datetime.datetime.now(tz=BERLIN).year}']")
    expect(this_year).to_contain_text("Hemer")


def test_an_invited_person_sets_a_password_and_logs_in(page: Page, manage, log_in):
    token = _known_invitation(manage, email="ina.neu@menden.example", name="Ina Neu")
    page.goto(f"/einladung/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Willkommen im Klassenraum")
    assert_no_violations(page)

    page.get_by_label("Passwort", exact=True).fill("kurz")
    page.get_by_label("Passwort wiederholen").fill("anders")
    page.get_by_role("button", name="Konto einrichten").click()
    expect(page.get_by_text("Die beiden Passwörter stimmen nicht überein.")).to_be_visible()
    assert_no_violations(page)

    page.get_by_label("Anmeldename").fill("ina-neu")
    page.get_by_label("Passwort", exact=True).fill("Menden-Daten-2026")
    page.get_by_label("Passwort wiederholen").fill("Menden-Daten-2026")
    page.get_by_role("button", name="Konto einrichten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(
        page.get_by_text("Willkommen! Ihr Konto „ina-neu“ gehört jetzt zu Menden.")
    ).to_be_visible()
    log_in(page, "ina-neu", "Menden-Daten-2026")
    page.goto("/konto/")
    expect(page.get_by_role("main")).to_contain_text("Menden")

    # The link is used up: a clear page, and it stays accessible.
    page.goto(f"/einladung/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dieser Einladungslink gilt nicht")
    expect(page.get_by_text("schon angenommen")).to_be_visible()
    assert_no_violations(page)


@pytest.mark.parametrize("path", ["/einladung/ausgedacht-0123456789/"])
def test_a_forged_link_has_an_accessible_page(page: Page, path: str):
    response = page.goto(path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Dieser Einladungslink gilt nicht")
    assert_no_violations(page)


def test_an_account_holder_sees_how_to_take_the_invitation(page: Page, manage):
    token = _known_invitation(manage, email="bernd.brueggemann@example.org", name="Bernd")
    page.goto(f"/einladung/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Einladung annehmen")
    expect(page.get_by_role("link", name="Anmelden und Einladung annehmen")).to_be_visible()
    assert_no_violations(page)


def test_a_contact_invites_a_colleague(page: Page, log_in):
    log_in(page, "koordination-menden")
    page.goto("/kommunen/menden/")
    page.get_by_role("link", name="Einladung schreiben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kolleg*innen aus Menden einladen")
    assert_no_violations(page)
    page.get_by_label("Name der Kollegin oder des Kollegen").fill("Paul Peters")
    page.get_by_label("Dienstliche E-Mail-Adresse").fill("paul.peters@menden.example")
    page.get_by_role("button", name="Einladung senden").click()
    expect(
        page.get_by_text("Die Einladung an paul.peters@menden.example ist verschickt.")
    ).to_be_visible()
    expect(
        page.get_by_role("button", name="Einladung an paul.peters@menden.example zurückziehen")
    ).to_be_visible()
    assert_no_violations(page)


def test_the_classes_page_has_no_violations(page: Page):
    page.goto("/klassen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Die Klassen des Netzwerks")
    expect(page.locator("svg.kr-chart")).to_be_visible()
    assert_no_violations(page)
