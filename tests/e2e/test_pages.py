"""The public pages as an anonymous visitor sees them: the start page and the municipalities."""

from playwright.sync_api import Page, expect

PIONEERS = ["Arnsberg", "Bad Berleburg", "Menden", "Olpe", "Soest"]
MEMBERS = [
    "Attendorn",
    "Brilon",
    "Burbach",
    "Drolshagen",
    "Iserlohn",
    "Lippstadt",
    "Lüdenscheid",
    "Netphen",
    "Neunkirchen",
    "Plettenberg",
    "Siegen",
    "Warstein",
    "Werdohl",
    "Wilnsdorf",
    "Winterberg",
]


def figure(page: Page, label: str):
    """The value (dd) of one figure of the start page, found by its label (dt)."""
    return (
        page.locator(".kern-description-list-item")
        .filter(has=page.get_by_text(label, exact=True))
        .locator("dd")
    )


def test_start_page_shows_the_network_in_figures(page: Page):
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Smart Cities: Schule – das Netzwerk auf einen Blick"
    )
    expect(page.get_by_role("heading", name="Das Netzwerk in Zahlen")).to_be_visible()
    expect(figure(page, "Mitgliedskommunen")).to_have_text("20")
    expect(figure(page, "davon Pionierkommunen")).to_have_text("5")
    expect(figure(page, "Klasse 2020")).to_have_text("15 Kommunen")
    pioneer_cards = page.get_by_role("region", name="Die Pionierkommunen").get_by_role(
        "heading", level=3
    )
    expect(pioneer_cards).to_have_text(PIONEERS)


def test_municipality_list_marks_exactly_the_five_pioneers(page: Page):
    page.goto("/kommunen/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Die Kommunen im Netzwerk")
    rows = page.locator("table tbody tr")
    # Pioneers first, then the members, each group alphabetically.
    expect(rows.locator("th")).to_have_text(PIONEERS + MEMBERS)
    badged = rows.filter(has_text="Pionierkommune")
    expect(badged.locator("th")).to_have_text(PIONEERS)
    expect(badged.locator(".kern-badge")).to_have_count(5)
    expect(rows.filter(has_not=page.locator(".kern-badge")).locator("th")).to_have_text(MEMBERS)


def test_clicking_a_municipality_opens_its_page(page: Page, base_url: str):
    page.goto("/kommunen/")

    page.get_by_role("link", name="Menden", exact=True).click()

    expect(page).to_have_url(f"{base_url}/kommunen/menden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Menden")
    expect(page.get_by_text("Pionierkommune", exact=True)).to_be_visible()
    expect(page).to_have_title("Menden – Smart Cities: Schule")


def test_a_member_page_has_no_pioneer_badge(page: Page):
    page.goto("/kommunen/")

    page.get_by_role("link", name="Brilon", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Brilon")
    expect(page.get_by_text("Pionierkommune", exact=True)).to_have_count(0)
