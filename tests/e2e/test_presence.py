"""Who is online, live over /ws/netzwerk/: appears and disappears without a reload."""

import pytest
from playwright.sync_api import Page, expect

ANNA = ("steuerkreis-arnsberg", "Anna Albers")
BERND = ("kommune-brilon", "Bernd Brüggemann")
ALONE = "Außer Ihnen ist gerade niemand online."


def online(page: Page):
    return page.locator("#presence-list li")


def count_loads(page: Page) -> list[str]:
    """Every later (re)load of ``page`` lands in the returned list."""
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return loads


def test_two_people_see_each_other_arrive_and_leave_live(new_context, log_in):
    anna = new_context().new_page()
    log_in(anna, ANNA[0])
    expect(anna.get_by_role("heading", name="Gerade im Klassenraum")).to_be_visible()
    status = anna.locator("#presence-status")
    expect(status).not_to_have_text("Verbindung wird aufgebaut …")
    # Bernd is not online yet. A socket of his that an earlier test's browser dropped while it
    # was still connecting leaves no close behind; its entry expires after
    # LIVE_PRESENCE_TIMEOUT (25 s). Whoever else an earlier test left online stays in the list.
    bernd_at_anna = online(anna).filter(has_text=BERND[1])
    expect(bernd_at_anna).to_have_count(0, timeout=40_000)
    others = online(anna).all_inner_texts()
    anna_loads = count_loads(anna)

    bernd = new_context().new_page()
    log_in(bernd, BERND[0])

    expect(online(bernd).filter(has_text=ANNA[1])).to_have_count(1)
    expect(bernd_at_anna).to_have_count(1)
    expect(status).to_have_text("Gerade online:")

    bernd.close()

    expect(bernd_at_anna).to_have_count(0)
    expect(online(anna)).to_have_text(others)
    if not others:  # the usual quiet start: Anna is told she is alone again
        expect(status).to_have_text(ALONE)
    assert anna_loads == [], "Annas Seite wurde neu geladen"


def test_anonymous_visitors_see_no_presence(page: Page):
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))

    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Gerade im Klassenraum")).to_have_count(0)
    expect(page.locator("#presence-list")).to_have_count(0)
    assert sockets == []


@pytest.mark.services
def test_presence_crosses_server_processes_through_redis(new_context, log_in, second_server):
    anna = new_context().new_page()
    log_in(anna, ANNA[0])
    bernd = new_context().new_page()
    log_in(bernd, BERND[0], base=second_server.url)
    expect(bernd).to_have_url(f"{second_server.url}/")

    expect(online(anna)).to_have_text([BERND[1]])
    expect(online(bernd)).to_have_text([ANNA[1]])

    bernd.close()

    expect(online(anna)).to_have_count(0)
