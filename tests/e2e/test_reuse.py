"""Reuse in the browser: adopting a template, following its changes, offering back; axe on it all.

The seeded world is only read here, with one exception the acceptance test needs: the network
office adds a section to the source of the streetlight template (which also shows Warstein a
newer version; the Warstein adoption itself stays untouched). Brilon adopting that template is
new data only this file makes, and only once, in the acceptance test. Every other test that
needs a copy, an upstream change or an offer gets a template of its own through ``manage``, so
no test depends on another's order or revision numbers.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.test_accessibility import assert_no_violations

BRILON = "kommune-brilon"  # Bernd Brüggemann, Brilon staff, in no project
OFFICE = "buero"
COORDINATOR = "koordination-menden"
TENDER = "Ausschreibungsvorlage Smarte Straßenbeleuchtung"
LIGHTING = "smarte-strassenbeleuchtung"
CATALOGUE = "Vorlagen zur Nachnutzung"
LED_LINE = "Geliefert werden LED-Leuchten mit Bewegungssensoren, die bei Bedarf heller werden."

# A template of its own in the (completed) streetlight project, as the app makes one: the office
# writes a tested result and publishes it; then, as asked, Brilon adopts it (and edits its
# copy), the office changes the source, Brilon offers its copy back, and a new account joins
# the project's team as editor (the source team, who decides on offers). Prints the paths.
_CREATE_TEMPLATE = """
import json
from django.urls import reverse
from projects import services
from projects.models import LeadProject, Result, Template, TeamMembership
from workspace import services as core
from workspace.models import Municipality, User
data = json.loads({data!r})
office = User.objects.get(username="buero")
staff = User.objects.get(username="kommune-brilon")
project = LeadProject.objects.get(slug=data["project"])
source = services.result_create(
    project=project, by=office, title=data["title"], summary="Für die Tests der Nachnutzung.",
    body=data["body"], kind=Result.Kind.TENDER, maturity=Result.Maturity.TESTED,
    note="Erste Fassung",
)
template = services.template_publish(
    result=source, by=office, licence=Template.Licence.CC_BY, recommended_revision=1,
    prerequisites="Ein Wartungsbudget.", effort="Eine Woche.", contact="Stadt Arnsberg",
)
out = {{"template": template.get_absolute_url(), "source": source.get_absolute_url()}}
if data.get("adopt"):
    adoption = services.adoption_create(
        template=template, municipality=Municipality.objects.get(slug="brilon"), by=staff
    )
    copy = adoption.copy
    out["copy"] = copy.get_absolute_url()
    if data.get("copy_body"):
        assert services.result_update(
            result=copy, by=staff, base_revision=copy.revision, note="An Brilon angepasst",
            body=data["copy_body"],
        )
    if data.get("upstream_body"):
        assert services.result_update(
            result=source, by=office, base_revision=source.revision, note="Ergänzt",
            body=data["upstream_body"],
        )
    if data.get("offer"):
        offer = services.offer_create(adoption=adoption, by=staff, message=data["offer"])
        out["offer"] = reverse(
            "templates:offer", kwargs={{"template_id": template.pk, "offer_id": offer.pk}}
        )
if data.get("source_team"):
    member = core.user_create(
        username=data["source_team"], password="demo", display_name="Tilo Tiefbau"
    )
    core.membership_start(
        user=member, municipality=Municipality.objects.get(slug="arnsberg"), function="Tiefbau"
    )
    services.team_member_add(
        project=project, by=office, user=member, role=TeamMembership.Role.EDITOR
    )
print(json.dumps(out))
"""

MAINTENANCE = """# Wartungsvertrag Straßenbeleuchtung

## Leistungen

- Sichtprüfung zweimal im Jahr
- Austausch defekter Leuchten binnen zehn Tagen

## Laufzeit

Der Vertrag läuft fünf Jahre.
"""
BRILON_MAINTENANCE = MAINTENANCE.replace("binnen zehn Tagen", "binnen fünf Werktagen")
UPSTREAM_MAINTENANCE = MAINTENANCE.replace("binnen zehn Tagen", "binnen einer Woche").replace(
    "fünf Jahre.", "fünf Jahre.\n\n## Abrechnung\n\nQuartalsweise nach Aufwand."
)


def create_template(manage: Callable[..., str], **options: object) -> dict[str, str]:
    """A fresh template (and, per ``options``, copy, upstream change, offer, source team)."""
    tag = uuid.uuid4().hex[:6]
    data = {
        "project": LIGHTING,
        "title": f"Wartungsvertrag Straßenbeleuchtung {tag}",
        "body": MAINTENANCE,
        **options,
    }
    out = manage("shell", "-c", _CREATE_TEMPLATE.format(data=json.dumps(data)))
    paths = json.loads(out.strip().splitlines()[-1])
    return {**paths, "title": data["title"]}


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def message(page: Page) -> Locator:
    return page.locator(".kr-messages").get_by_role("status")


def result_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Bereiche des Ergebnisses")


def catalogue_card(page: Page, title: str) -> Locator:
    """The template's link in its card of the catalogue (the register below links it, too)."""
    return page.get_by_role("heading", name=title, exact=True).get_by_role("link")


def upstream_alert(page: Page) -> Locator:
    return page.locator(".kern-alert").filter(has_text="Die Vorlage hat sich geändert")


def saved_revision(page: Page) -> int:
    """The version number of the success message "Gespeichert als Version N."."""
    expect(message(page)).to_have_text(re.compile(r"Gespeichert als Version \d+\."))
    return int(re.search(r"\d+", message(page).inner_text()).group())


# --- The acceptance test: adopt, edit, see the template change, take it over -----------------


def test_brilon_adopts_edits_and_takes_over_a_change_of_the_template(
    page: Page, new_context, log_in, base_url: str
):
    brilon_line = (
        "Geliefert werden LED-Leuchten mit Bewegungssensoren; Brilon verlangt zusätzlich "
        "eine Nachtabsenkung ab 23 Uhr."
    )
    office_section = "## Schulung\n\n- Einweisung des Bauhofs durch den Hersteller"

    # Brilon finds the template in the catalogue and adopts it.
    log_in(page, BRILON)
    page.goto("/vorlagen/")
    expect(h1(page)).to_have_text(CATALOGUE)
    catalogue_card(page, TENDER).click()
    expect(h1(page)).to_have_text(f"Vorlage: {TENDER}")
    source = page.get_by_role("link", name="Aktuelle Fassung lesen").get_attribute("href")
    assert source and source.startswith(f"/leitprojekte/{LIGHTING}/ergebnisse/"), source
    adopt = page.get_by_role("region", name="Für Ihre Kommune nachnutzen")
    adopt.get_by_label("Für welche Kommune?").select_option(label="Brilon")
    adopt.get_by_role("button", name="Nachnutzen", exact=True).click()

    expect(page).to_have_url(
        re.compile(rf"^{re.escape(base_url)}/kommunen/brilon/nachnutzungen/\d+/$")
    )
    copy = page.url.removeprefix(base_url)
    expect(message(page)).to_contain_text("Ihre Kommune nutzt die Vorlage jetzt nach.")
    expect(h1(page)).to_have_text(TENDER)
    expect(page.locator("#ergebnis-inhalt")).to_contain_text(LED_LINE)

    # Brilon adapts its copy: version 2 of the copy.
    result_nav(page).get_by_role("link", name="Bearbeiten", exact=True).click()
    expect(h1(page)).to_have_text(f"„{TENDER}“ bearbeiten")
    body = page.get_by_label("Inhalt (optional)", exact=True)
    expect(body).to_have_value(re.compile(re.escape(LED_LINE)))
    body.fill(body.input_value().replace(LED_LINE, brilon_line))
    page.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill("Nachtabsenkung")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(message(page)).to_have_text("Gespeichert als Version 2.")
    expect(page).to_have_url(f"{base_url}{copy}")

    # Meanwhile the network office adds a section to the source (the project is completed;
    # its results live on).
    office = new_context().new_page()
    log_in(office, OFFICE)
    office.goto(f"{source}bearbeiten/?einfach=1")  # the plain form (a copy has no other)
    expect(h1(office)).to_have_text(f"„{TENDER}“ bearbeiten")
    source_body = office.get_by_label("Inhalt (optional)", exact=True)
    expect(source_body).to_have_value(re.compile("Eignungskriterien"))
    upstream = f"{source_body.input_value().rstrip()}\n\n{office_section}"
    source_body.fill(f"{upstream}\n")
    office.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill("Schulung ergänzt")
    office.get_by_role("button", name="Speichern", exact=True).click()
    revision = saved_revision(office)

    # Brilon comes back to its copy: the template has changed since version 1.
    page.goto(copy)
    expect(h1(page)).to_have_text(TENDER)
    alert = upstream_alert(page)
    expect(alert).to_contain_text(
        f"Seit Version 1, der Ihre Fassung folgt, gibt es Version {revision} der Vorlage."
    )
    expect(alert.get_by_role("link", name="Änderungen der Vorlage ansehen")).to_have_attribute(
        "href", f"{source}vergleich/?von=1&zu={revision}"
    )
    alert.get_by_role("link", name="Änderung übernehmen …").click()

    # The take-over page: what changed upstream, and a proposal with both changes.
    expect(h1(page)).to_have_text("Änderung der Vorlage übernehmen")
    expect(page).to_have_url(f"{base_url}{copy}uebernehmen/")
    diff = page.get_by_role("region", name="Unterschiede")
    expect(diff.get_by_role("insertion").filter(has_text="Schulung")).to_be_visible()
    proposal = page.get_by_label("Neue Fassung Ihrer Nachnutzung", exact=True)
    expect(proposal).to_have_value(upstream.replace(LED_LINE, brilon_line))
    expect(proposal).not_to_have_value(re.compile("<<<<<<<|=======|>>>>>>>"))
    expect(page.get_by_text("haben Sie und die Vorlage dasselbe geändert")).to_have_count(0)
    page.get_by_role("button", name="Übernehmen und speichern", exact=True).click()

    expect(page).to_have_url(f"{base_url}{copy}")
    expect(message(page)).to_have_text(
        "Die Änderung der Vorlage ist übernommen (Version 3 Ihrer Nachnutzung)."
    )
    content = page.locator("#ergebnis-inhalt")
    expect(content).to_contain_text(brilon_line)
    expect(content.get_by_role("heading", name="Schulung")).to_be_visible()
    expect(content).to_contain_text("Einweisung des Bauhofs durch den Hersteller")
    expect(content).not_to_contain_text(LED_LINE)
    expect(page.get_by_text("Die Vorlage hat sich geändert")).to_have_count(0)
    expect(page.get_by_role("region", name="Nachnutzung")).to_contain_text(
        f"Diese Fassung folgt Version {revision} der Vorlage."
    )

    result_nav(page).get_by_role("link", name="Versionen", exact=True).click()
    expect(h1(page)).to_have_text(f"Versionen von „{TENDER}“")
    newest = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(r"^3\b"))
    )
    expect(newest).to_contain_text(f"Änderung der Vorlage übernommen (Version {revision})")


# --- Offering an improvement back; the source team declines it -------------------------------


def test_brilon_offers_its_copy_back_and_the_source_team_declines(
    page: Page, new_context, log_in, manage: Callable[..., str], base_url: str
):
    team_user = f"vorlagen-team-{uuid.uuid4().hex[:6]}"
    world = create_template(manage, adopt=True, copy_body=BRILON_MAINTENANCE, source_team=team_user)
    title = world["title"]

    # Brilon offers its improvement.
    log_in(page, BRILON)
    page.goto(world["copy"])
    expect(h1(page)).to_have_text(title)
    page.get_by_role("link", name="Eine Verbesserung an das Team der Vorlage zurückgeben").click()
    expect(h1(page)).to_have_text("Eine Verbesserung an die Vorlage zurückgeben")
    diff = page.get_by_role("region", name="Unterschiede")
    expect(diff.get_by_role("insertion").filter(has_text="Werktagen")).to_be_visible()
    expect(diff.get_by_role("deletion").filter(has_text="zehn")).to_be_visible()
    page.get_by_label("Nachricht an das Team der Vorlage (optional)", exact=True).fill(
        "Fünf Werktage haben sich in Brilon bewährt."
    )
    page.get_by_role("button", name="Angebot senden", exact=True).click()
    expect(page).to_have_url(f"{base_url}{world['copy']}")
    expect(message(page)).to_have_text("Ihr Angebot ist beim Team der Vorlage angekommen.")

    # The source team sees the open offer on the template page.
    team = new_context().new_page()
    log_in(team, team_user)
    team.goto(world["template"])
    expect(h1(team)).to_have_text(f"Vorlage: {title}")
    offers = team.get_by_role("region", name="Offene Verbesserungsangebote")
    link = offers.get_by_role("link", name=re.compile(r"^Angebot aus Brilon vom "))
    offer = link.get_attribute("href")
    assert offer and offer.startswith(f"{world['template']}angebote/"), offer

    # The office may read the offer but does not decide: it is not the source team.
    office = new_context().new_page()
    log_in(office, OFFICE)
    office.goto(world["template"])
    expect(h1(office)).to_have_text(f"Vorlage: {title}")
    expect(office.get_by_role("region", name="Offene Verbesserungsangebote")).to_have_count(0)
    office.goto(offer)
    expect(h1(office)).to_have_text("Verbesserungsangebot aus Brilon")
    expect(office.get_by_text("Fünf Werktage haben sich in Brilon bewährt.")).to_be_visible()
    expect(office.get_by_role("button", name="Annehmen", exact=True)).to_have_count(0)
    expect(office.get_by_role("button", name="Ablehnen", exact=True)).to_have_count(0)

    # The source team declines, with a reason for Brilon.
    link.click()
    expect(h1(team)).to_have_text("Verbesserungsangebot aus Brilon")
    expect(team.get_by_role("button", name="Annehmen", exact=True)).to_be_visible()
    reason = "Zehn Tage sind für kleine Kommunen realistischer."
    team.get_by_label("Begründung für die Kommune", exact=True).fill(reason)
    team.get_by_role("button", name="Ablehnen", exact=True).click()
    expect(team).to_have_url(f"{base_url}{world['template']}")
    expect(message(team)).to_have_text(
        "Das Angebot ist abgelehnt; die Kommune sieht Ihre Begründung."
    )
    expect(team.get_by_role("region", name="Offene Verbesserungsangebote")).to_have_count(0)

    # Brilon reads the reason on the offer's page; the template is unchanged (version 1).
    page.goto(offer)
    expect(h1(page)).to_have_text("Verbesserungsangebot aus Brilon")
    expect(page.get_by_text(f"Begründung des Teams: {reason}")).to_be_visible()
    expect(page.get_by_role("button", name="Annehmen", exact=True)).to_have_count(0)
    page.goto(world["template"])
    expect(page.get_by_text("Version 1 (aktuell: Version 1)")).to_be_visible()


# --- WCAG 2.1 A/AA with axe: first the page's h1, then zero violations ----------------------


@pytest.fixture(scope="module")
def adopted(manage: Callable[..., str]) -> dict[str, str]:
    """A template Brilon adopted and edited; the template changed on the same line since
    (a conflict in the proposal); Brilon has an open offer; ``source_team`` decides on it."""
    team_user = f"vorlagen-team-{uuid.uuid4().hex[:6]}"
    world = create_template(
        manage,
        adopt=True,
        copy_body=BRILON_MAINTENANCE,
        upstream_body=UPSTREAM_MAINTENANCE,
        offer="Fünf Werktage haben sich bewährt.",
        source_team=team_user,
    )
    return {**world, "source_team": team_user}


@pytest.mark.parametrize("who", [None, BRILON], ids=["anonym", "brilon"])
def test_template_catalogue_has_no_wcag_violations(page: Page, log_in, who: str | None):
    if who:
        log_in(page, who)
    page.goto("/vorlagen/")
    expect(h1(page)).to_have_text(CATALOGUE)
    expect(catalogue_card(page, TENDER)).to_be_visible()
    register = page.get_by_role("table", name="Register der Nachnutzungen")
    expect(register.get_by_role("rowheader", name="Warstein")).to_be_visible()

    assert_no_violations(page)


def test_template_page_with_the_adopt_form_has_no_wcag_violations(
    page: Page, log_in, manage: Callable[..., str]
):
    world = create_template(manage)
    log_in(page, BRILON)
    page.goto(world["template"])
    expect(h1(page)).to_have_text(f"Vorlage: {world['title']}")
    adopt = page.get_by_role("region", name="Für Ihre Kommune nachnutzen")
    expect(adopt.get_by_role("button", name="Nachnutzen", exact=True)).to_be_visible()

    assert_no_violations(page)


def test_another_municipalitys_copy_has_no_wcag_violations(page: Page, log_in, base_url: str):
    log_in(page, BRILON)
    page.goto("/vorlagen/")
    expect(h1(page)).to_have_text(CATALOGUE)
    catalogue_card(page, TENDER).click()
    expect(h1(page)).to_have_text(f"Vorlage: {TENDER}")
    page.get_by_role("table", name="Register der Nachnutzungen").get_by_role(
        "link", name="Warstein", exact=True
    ).click()
    expect(page).to_have_url(
        re.compile(rf"^{re.escape(base_url)}/kommunen/warstein/nachnutzungen/\d+/$")
    )
    expect(h1(page)).to_have_text(TENDER)
    box = page.get_by_role("region", name="Nachnutzung")
    expect(box).to_contain_text("Stand: im Pilotbetrieb")
    expect(upstream_alert(page)).to_be_visible()
    # Read-only for Brilon: no editing, no status form, no take-over.
    expect(result_nav(page).get_by_role("link", name="Bearbeiten", exact=True)).to_have_count(0)
    expect(box.get_by_role("button")).to_have_count(0)
    expect(box.get_by_role("link", name="Änderung übernehmen …")).to_have_count(0)

    assert_no_violations(page)


def test_own_copy_with_a_change_of_the_template_has_no_wcag_violations(
    page: Page, log_in, adopted: dict[str, str]
):
    log_in(page, BRILON)
    page.goto(adopted["copy"])
    expect(h1(page)).to_have_text(adopted["title"])
    alert = upstream_alert(page)
    expect(alert.get_by_role("link", name="Änderung übernehmen …")).to_be_visible()
    expect(alert.get_by_role("button", name="Nicht übernehmen", exact=True)).to_be_visible()
    expect(page.get_by_label("Stand der Nachnutzung", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Stand speichern", exact=True)).to_be_visible()

    assert_no_violations(page)


def test_take_over_page_with_a_conflict_has_no_wcag_violations(
    page: Page, log_in, adopted: dict[str, str]
):
    log_in(page, BRILON)
    page.goto(f"{adopted['copy']}uebernehmen/")
    expect(h1(page)).to_have_text("Änderung der Vorlage übernehmen")
    expect(
        page.get_by_text("An 1 Stelle haben Sie und die Vorlage dasselbe geändert.")
    ).to_be_visible()
    proposal = page.get_by_label("Neue Fassung Ihrer Nachnutzung", exact=True)
    expect(proposal).to_have_value(re.compile("<<<<<<< Ihre Fassung\n.*fünf Werktagen"))
    expect(proposal).to_have_value(re.compile("## Abrechnung"))

    assert_no_violations(page)


def test_copy_offer_page_has_no_wcag_violations(page: Page, log_in, adopted: dict[str, str]):
    log_in(page, BRILON)
    page.goto(f"{adopted['copy']}angebot/")
    expect(h1(page)).to_have_text("Eine Verbesserung an die Vorlage zurückgeben")
    expect(page.get_by_role("button", name="Angebot senden", exact=True)).to_be_visible()

    assert_no_violations(page)


def test_offer_page_for_the_source_team_has_no_wcag_violations(
    page: Page, log_in, adopted: dict[str, str]
):
    log_in(page, adopted["source_team"])
    page.goto(adopted["offer"])
    expect(h1(page)).to_have_text("Verbesserungsangebot aus Brilon")
    decide = page.get_by_role("region", name="Entscheiden")
    expect(decide.get_by_role("button", name="Annehmen", exact=True)).to_be_visible()
    expect(decide.get_by_label("Begründung für die Kommune", exact=True)).to_be_visible()

    assert_no_violations(page)


def test_publish_page_has_no_wcag_violations(page: Page, log_in):
    title = "Datenmodell für offene Haushaltsdaten"
    log_in(page, COORDINATOR)
    page.goto("/leitprojekte/offene-regionale-datenplattform/")
    href = page.get_by_role("link", name=title, exact=True).get_attribute("href")
    assert href and href.startswith("/leitprojekte/offene-regionale-datenplattform/ergebnisse/")
    page.goto(f"{href}vorlage/")
    expect(h1(page)).to_have_text(f"„{title}“ als Vorlage veröffentlichen")
    expect(page.get_by_role("button", name="Veröffentlichen", exact=True)).to_be_visible()

    assert_no_violations(page)
