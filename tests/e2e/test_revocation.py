"""An open page whose right to read ends is told why, and its socket stays closed.

In the browser: Brilon's staff member reads a published result of the Menden project; the
coordinator turns it back into a draft (through the edit page, as a person would). The open
page says in German that the result is no longer visible to her, shows nothing of the draft
and opens no new socket. Across processes (PostgreSQL + Redis): a socket on one server
process is closed by changes made through the other one (a result back to draft, a logout).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.conftest import Server
from tests.e2e.test_live import COORDINATOR, PROJECT_SLUG, Client, next_event, open_socket, run

READER = "kommune-brilon"
SECRET = "Entwurf mit Geheimnis"
RESULT_GONE = (
    "Dieses Ergebnis ist für Sie nicht mehr sichtbar. Die Live-Aktualisierung ist beendet."
)
SESSION_GONE = "Sie sind nicht mehr angemeldet"
RECONNECT_WAIT = 4000  # ms: live.js would have tried again twice by now (1 s, then 2 s)

_CREATE_RESULTS = """
import json
from django.contrib.auth import get_user_model
from projects import services
from projects.models import LeadProject
data = json.loads({data!r})
by = get_user_model().objects.get(username=data["by"])
project = LeadProject.objects.get(slug=data["project"])
paths = {{}}
for key, title in data["titles"].items():
    result = services.result_create(
        project=project, by=by, title=title, summary="Live-Test", body="Erste Fassung.",
        maturity="tested",
    )
    paths[key] = result.get_absolute_url()
print(json.dumps(paths))
"""


@pytest.fixture(scope="module")
def results(manage: Callable[..., str]) -> dict[str, dict[str, str]]:
    """Published results (everyone may read them), one per test, version 1."""
    run_id = uuid.uuid4().hex[:6]
    titles = {key: f"Sichtbar {key} {run_id}" for key in ("browser", "processes")}
    data = json.dumps({"by": COORDINATOR[0], "project": PROJECT_SLUG, "titles": titles})
    paths = json.loads(manage("shell", "-c", _CREATE_RESULTS.format(data=data)).splitlines()[-1])
    return {key: {"path": paths[key], "title": titles[key]} for key in titles}


def test_a_result_back_to_draft_says_why_on_the_open_page_and_does_not_reconnect(
    new_context, log_in, results, app_server: Server
):
    result = results["browser"]
    page = new_context().new_page()
    log_in(page, READER)
    live_sockets: list[str] = []
    page.on(
        "websocket", lambda ws: live_sockets.append(ws.url) if "/leitprojekte/" in ws.url else None
    )
    page.goto(result["path"])
    region = page.locator("[data-live-url]")
    expect(region).to_have_attribute("data-live-connected", "true")

    Client(app_server, COORDINATOR[0]).save(result, SECRET, base_revision=1)

    expect(page.locator("#live-status")).to_have_text(RESULT_GONE)
    expect(region).to_have_attribute("data-live-revoked", "true")
    page.wait_for_timeout(RECONNECT_WAIT)
    assert len(live_sockets) == 1, live_sockets
    expect(page.locator("#live-status")).to_have_text(RESULT_GONE)
    expect(page.locator("main")).not_to_contain_text(SECRET)


def test_logging_out_in_another_tab_ends_the_start_pages_live_parts_for_good(new_context, log_in):
    """The start page's presence and the bell run on the session; once it is logged out in
    another tab, both say so and neither knocks again."""
    context = new_context()
    page = context.new_page()
    log_in(page, READER)
    page.goto("/")
    expect(page.locator("[data-live-url]")).to_have_attribute("data-live-connected", "true")
    expect(page.locator("[data-bell]")).to_have_attribute("data-bell-unread", re.compile(r"\d+"))
    reopened: list[str] = []
    page.on("websocket", lambda ws: reopened.append(ws.url))

    other = context.new_page()
    other.goto("/konto/")
    other.get_by_role("button", name="Abmelden").click()
    expect(other.get_by_role("link", name="Anmelden")).to_be_visible()

    expect(page.locator("#presence-status")).to_contain_text(SESSION_GONE)
    expect(page.locator("[data-bell]")).to_have_attribute("data-bell-revoked", "true")
    expect(page.locator("[data-bell-label]")).to_contain_text(SESSION_GONE)
    page.wait_for_timeout(RECONNECT_WAIT)
    assert reopened == []


async def _until_closed(socket_, timeout: float) -> tuple[list[dict], int | None]:
    """Every message until the server closes the socket, and the close code."""
    messages: list[dict] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                messages.append(json.loads(await socket_.recv()))
    except ConnectionClosed:
        pass
    return messages, socket_.close_code


@pytest.mark.services
def test_changes_through_one_process_close_sockets_on_the_other(
    app_server: Server, second_server: Server, results
):
    """The reader's sockets live on the second process; the draft is saved and the logout
    posted through the first. Redis carries the re-check across."""
    result = results["processes"]
    reader = Client(second_server, READER)
    coordinator = Client(app_server, COORDINATOR[0])
    session = reader.cookie("sessionid")

    async def scenario():
        host = second_server.url.removeprefix("http://")
        async with (
            await open_socket(second_server, result["path"], session) as page,
            connect(
                f"ws://{host}/ws/benachrichtigungen/",
                origin=second_server.url,
                additional_headers={"Cookie": f"sessionid={session}"},
            ) as bell,
        ):
            await next_event(page, "welcome", timeout=10)
            await next_event(bell, "count", timeout=10)
            await asyncio.to_thread(coordinator.save, result, SECRET, 1)
            on_page = await _until_closed(page, timeout=5)
            # The same session logs out through the other process: the bell goes too.
            reader.server = app_server
            status, _, _ = await asyncio.to_thread(reader.request, "/konto/abmelden/", {})
            assert status == 200
            on_bell = await _until_closed(bell, timeout=5)
            return on_page, on_bell

    (page_messages, page_code), (bell_messages, bell_code) = run(scenario)
    assert page_code == 4403
    assert page_messages[-1] == {"event": "revoked", "text": RESULT_GONE}
    assert SECRET not in json.dumps(page_messages)
    assert bell_code == 4401
    assert bell_messages[-1]["event"] == "revoked"
    assert bell_messages[-1]["text"].startswith(SESSION_GONE)
