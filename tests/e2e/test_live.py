"""Live result pages: new versions, presence and conflicts arrive without a reload.

Browser tests watch two people on one result; websocket tests speak the protocol directly
(``websockets`` with a real session cookie): across two server processes, after a killed
process, through a Redis restart, and under a storm of 200 sockets. Every test saves to a
result of its own (created through ``manage`` once for the module), so revision numbers never
depend on another test.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any, TypeVar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from playwright.sync_api import Page, expect
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.conftest import DEMO_PASSWORD, Server, _free_port, start_server, stop_server

T = TypeVar("T")

PROJECT_SLUG = "offene-regionale-datenplattform"
COORDINATOR = ("koordination-menden", "Mehmet Mertens")
EDITOR = ("team-iserlohn", "Ida Imhoff")
EDITING = "(bearbeitet gerade)"
PAUSED = "Live-Aktualisierung pausiert"
RESUMED = "Live-Aktualisierung läuft wieder."
ALONE = "Gerade ist niemand sonst hier."
LIVE = 1000  # ms: a saved version is on every open page within a second
STORM = 200  # websockets opened at once in the storm test
# The fast presence of the kill test: a dead process's sockets vanish after 2 s, not 25 s.
FAST_HEARTBEAT = {"LIVE_HEARTBEAT_SECONDS": "0.5", "LIVE_PRESENCE_TIMEOUT": "2"}

# One result per test, all created by one manage.py call (each call costs a Django start).
RESULTS = ("browser", "conflict", "processes", "killed", "redis", "storm")
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
        project=project, by=by, title=title, summary="Live-Test", body=f"Erste Fassung {{key}}."
    )
    paths[key] = result.get_absolute_url()
print(json.dumps(paths))
"""


@pytest.fixture(scope="module")
def results(manage: Callable[..., str]) -> dict[str, dict[str, str]]:
    """``results[key]``: path and form fields of a fresh result (version 1) for one test."""
    run = uuid.uuid4().hex[:6]
    titles = {key: f"Live-Ergebnis {key} {run}" for key in RESULTS}
    data = json.dumps({"by": COORDINATOR[0], "project": PROJECT_SLUG, "titles": titles})
    output = manage("shell", "-c", _CREATE_RESULTS.format(data=data)).strip().splitlines()[-1]
    paths = json.loads(output)
    return {
        key: {"path": paths[key], "title": titles[key], "first": f"Erste Fassung {key}."}
        for key in RESULTS
    }


# --- helpers: pages ---------------------------------------------------------------------------


def presence(page: Page):
    return page.locator("#presence-list li")


def live_status(page: Page):
    return page.locator("#live-status")


def content(page: Page):
    return page.locator("#ergebnis-inhalt")


def count_loads(page: Page) -> list[str]:
    """Every later (re)load of ``page`` lands in the returned list."""
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return loads


def save_in_browser(page: Page, body: str, revision: int) -> None:
    """On an open edit page: replace the text, save, wait for the success message."""
    page.get_by_label("Inhalt (optional)", exact=True).fill(body)
    page.get_by_label("Was haben Sie geändert?").fill(f"Live-Test Version {revision}")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".kr-messages").get_by_role("status")).to_have_text(
        f"Gespeichert als Version {revision}."
    )


# --- helpers: HTTP and websockets without a browser -------------------------------------------


class Client:
    """A person logged in over plain HTTP (login form, session and CSRF cookies)."""

    def __init__(self, server: Server, username: str) -> None:
        self.server = server
        self.opener = build_opener(HTTPCookieProcessor(jar := CookieJar()))
        self.jar = jar
        self.request("/konto/anmelden/")
        status, url, _ = self.request(
            "/konto/anmelden/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert status == 200 and self.cookie("sessionid"), f"Anmeldung gescheitert: {url}"

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET, or POST ``form`` with the CSRF token; status, final URL and body (redirects
        followed)."""
        data = None
        if form is not None:
            data = urlencode({"csrfmiddlewaretoken": self.cookie("csrftoken"), **form}).encode()
        try:
            with self.opener.open(self.server.url + path, data, timeout=15) as response:
                return response.status, response.url, response.read().decode()
        except HTTPError as error:
            return error.code, error.url, error.read().decode()

    def save(self, result: dict[str, str], body: str, base_revision: int) -> None:
        """Save through the edit page, as its form does; fails unless a new version resulted."""
        status, url, html = self.request(
            result["path"] + "bearbeiten/",
            {
                "title": result["title"],
                "summary": "Live-Test",
                "kind": "concept",
                "maturity": "draft",
                "body": body,
                "note": f"Live-Test Version {base_revision + 1}",
                "base_revision": str(base_revision),
            },
        )
        assert (status, url) == (200, self.server.url + result["path"]), (status, url)
        assert f"Gespeichert als Version {base_revision + 1}." in html


async def open_socket(server: Server, path: str, session: str) -> ClientConnection:
    """The websocket a result page at ``path`` opens, with the session of a logged-in person."""
    return await connect(
        f"ws://{server.url.removeprefix('http://')}/ws{path}",
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=20,
        close_timeout=2,
        # Read everything as it comes: an unread presence flood must not slow the server down.
        max_queue=None,
    )


async def next_event(
    socket_: ClientConnection,
    event: str,
    timeout: float,
    where: Callable[[dict], bool] = lambda message: True,
) -> dict:
    """The next message of kind ``event`` (matching ``where``); others are skipped."""
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await socket_.recv())
            if message["event"] == event and where(message):
                return message


def run(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps an event loop
    running in this one once a browser test has run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def names(message: dict) -> list[str]:
    return [person["name"] for person in message["people"]]


# --- 2: two people in the browser -------------------------------------------------------------


def test_new_version_presence_and_leaving_reach_the_open_page_without_reload(
    new_context, log_in, results
):
    result = results["browser"]
    path = result["path"]
    coordinator = new_context().new_page()
    log_in(coordinator, COORDINATOR[0])
    editor = new_context().new_page()
    log_in(editor, EDITOR[0])

    editor.goto(path)
    expect(content(editor)).to_contain_text(result["first"])
    editor_loads = count_loads(editor)
    coordinator.goto(path)

    expect(presence(editor)).to_have_text([COORDINATOR[1]])
    expect(presence(coordinator)).to_have_text([EDITOR[1]])
    expect(editor.locator("#presence-status")).to_have_text("Gerade auch hier:")

    coordinator.goto(path + "bearbeiten/?einfach=1")  # the plain form: the live warning
    expect(presence(editor)).to_have_text([f"{COORDINATOR[1]} {EDITING}"])

    save_in_browser(coordinator, "Zweite Fassung, live verteilt.", revision=2)
    expect(content(editor)).to_contain_text("Zweite Fassung, live verteilt.", timeout=LIVE)
    expect(live_status(editor)).to_contain_text(
        f"{COORDINATOR[1]} hat Version 2 gespeichert.", timeout=LIVE
    )
    expect(live_status(editor).get_by_role("link", name="Unterschiede ansehen")).to_have_attribute(
        "href", f"{path}vergleich/?von=1&zu=2"
    )
    expect(content(editor)).not_to_contain_text(result["first"])
    # Back on the result page after saving: viewing again, no longer editing.
    expect(presence(editor)).to_have_text([COORDINATOR[1]])

    coordinator.close()
    expect(presence(editor)).to_have_count(0)
    expect(editor.locator("#presence-status")).to_have_text(ALONE)
    assert editor_loads == [], "die offene Seite wurde neu geladen"


def test_edit_page_warns_at_once_when_someone_else_saves(new_context, log_in, results):
    result = results["conflict"]
    path = result["path"]
    coordinator = new_context().new_page()
    log_in(coordinator, COORDINATOR[0])
    editor = new_context().new_page()
    log_in(editor, EDITOR[0])

    editor.goto(path + "bearbeiten/?einfach=1")
    editor.get_by_label("Inhalt (optional)", exact=True).fill("Meine Fassung, noch ungespeichert.")
    editor_loads = count_loads(editor)
    coordinator.goto(path + "bearbeiten/?einfach=1")  # the plain form: the live warning
    expect(presence(editor)).to_have_text([f"{COORDINATOR[1]} {EDITING}"])
    expect(presence(coordinator)).to_have_text([f"{EDITOR[1]} {EDITING}"])
    expect(editor.locator("#live-conflict")).to_be_hidden()

    save_in_browser(coordinator, "Die Fassung der Koordination.", revision=2)
    alert = editor.locator("#live-conflict")
    expect(alert).to_be_visible(timeout=LIVE)
    expect(alert).to_contain_text(
        f"{COORDINATOR[1]} hat Version 2 gespeichert. "
        "Ihre Änderungen hier sind noch nicht gespeichert."
    )
    diff = alert.get_by_role("link", name="Unterschiede ansehen")
    expect(diff).to_have_attribute("href", f"{path}vergleich/?von=1&zu=2")
    # The link leads to the diff of the two versions (opened aside: the form stays as it is).
    aside = editor.context.new_page()
    response = aside.goto(diff.get_attribute("href"))
    assert response and response.status == 200
    expect(aside.get_by_role("heading", level=1)).to_contain_text("Versionen vergleichen")
    expect(
        aside.get_by_role("region", name="Unterschiede")
        .get_by_role("listitem")
        .get_by_role("insertion")
    ).to_have_text(["eingefügt: Die", "eingefügt: der Koordination"])
    aside.close()
    assert editor_loads == []
    expect(editor.get_by_label("Inhalt (optional)", exact=True)).to_have_value(
        "Meine Fassung, noch ungespeichert."
    )

    # The alert only warns; the stale-save rule still decides: nothing is overwritten.
    with editor.expect_response(lambda r: r.request.method == "POST") as posted:
        editor.get_by_role("button", name="Speichern", exact=True).click()
    assert posted.value.status == 409
    expect(editor.get_by_role("heading", level=1)).to_have_text(
        "Das Ergebnis wurde inzwischen geändert"
    )
    expect(editor.locator(".kr-source").first).to_have_text("Die Fassung der Koordination.")


# --- 3: two server processes behind Redis -----------------------------------------------------


@pytest.mark.services
def test_save_through_one_process_reaches_a_socket_on_the_other(
    app_server: Server, second_server: Server, results
):
    result = results["processes"]
    saver = Client(app_server, COORDINATOR[0])
    watcher = Client(second_server, EDITOR[0])

    async def scenario() -> dict:
        async with await open_socket(
            second_server, result["path"], watcher.cookie("sessionid")
        ) as ws:
            welcome = await next_event(ws, "welcome", timeout=10)
            assert welcome["revision"] == 1
            # Saved over HTTP through the first process, while the socket listens on the second.
            await asyncio.to_thread(saver.save, result, "Über Redis verteilt.", 1)
            return await next_event(ws, "version", timeout=LIVE / 1000)

    version = run(scenario)
    assert version["revision"] == 2
    assert version["author"] == COORDINATOR[1]
    assert version["note"] == "Live-Test Version 2"
    assert "Über Redis verteilt." in version["html"]


@pytest.fixture
def fast_pair(server_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two server processes on the run's database and Redis, with a fast heartbeat."""
    env = {**server_env, **FAST_HEARTBEAT}
    first = start_server(env, tmp_path / "uvicorn-a.log")
    try:
        second = start_server(env, tmp_path / "uvicorn-b.log")
    except BaseException:
        stop_server(first)
        raise
    yield first, second
    stop_server(first)
    stop_server(second)


@pytest.mark.services
def test_sockets_of_a_killed_process_vanish_from_presence(fast_pair, results):
    doomed, survivor = fast_pair
    path = results["killed"]["path"]
    coordinator = Client(doomed, COORDINATOR[0]).cookie("sessionid")
    editor = Client(survivor, EDITOR[0]).cookie("sessionid")
    timeout = float(FAST_HEARTBEAT["LIVE_PRESENCE_TIMEOUT"])
    beat = float(FAST_HEARTBEAT["LIVE_HEARTBEAT_SECONDS"])

    async def scenario() -> float:
        async with await open_socket(survivor, path, editor) as watching:
            await next_event(watching, "welcome", timeout=10)
            async with await open_socket(doomed, path, coordinator) as dying:
                await next_event(dying, "welcome", timeout=10)
                await next_event(
                    watching, "presence", timeout=5, where=lambda m: COORDINATOR[1] in names(m)
                )
                killed_at = time.monotonic()
                # No goodbye: the process dies with its sockets, as on a crash or an OOM kill.
                os.killpg(doomed.process.pid, signal.SIGKILL)
                await next_event(
                    watching,
                    "presence",
                    # the timeout, plus the heartbeat that notices it, plus a little slack
                    timeout=timeout + 2 * beat + 0.5,
                    where=lambda m: COORDINATOR[1] not in names(m),
                )
                return time.monotonic() - killed_at

    gone_after = run(scenario)
    assert doomed.process.wait(timeout=5) == -signal.SIGKILL
    # Pruned by the missing heartbeat, not by a goodbye (a killed process sends none).
    assert gone_after > timeout - 2 * beat, gone_after


# --- 4: Redis goes away and comes back --------------------------------------------------------


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(port: int, log: Path) -> subprocess.Popen:
    """A throwaway redis-server in the foreground (no persistence), answering PING."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_answers(port):
            return process
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        break
    stop_redis(process)
    pytest.fail(f"redis-server auf Port {port} ist nicht gestartet:\n{log.read_text()}")


def stop_redis(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.services
def test_saving_works_without_redis_and_live_pages_recover(
    server_env: dict[str, str], tmp_path: Path, new_context, log_in, results
):
    result = results["redis"]
    path = result["path"]
    port = _free_port()
    redis_log = tmp_path / "redis.log"
    redis = start_redis(port, redis_log)
    env = {
        **server_env,
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "CHANNEL_LAYER_PREFIX": f"klassenraum-e2e-redis-{uuid.uuid4().hex[:8]}",
    }
    server = start_server(env, tmp_path / "uvicorn-redis.log")
    try:
        watcher = new_context().new_page()
        log_in(watcher, COORDINATOR[0], base=server.url)
        editor = new_context().new_page()
        log_in(editor, EDITOR[0], base=server.url)
        watcher.goto(server.url + path)
        watcher_loads = count_loads(watcher)
        editor.goto(f"{server.url}{path}bearbeiten/?einfach=1")
        expect(presence(watcher)).to_have_text([f"{EDITOR[1]} {EDITING}"])

        stop_redis(redis)
        save_in_browser(editor, "Gespeichert ohne Redis.", revision=2)
        expect(live_status(watcher)).to_contain_text(PAUSED)

        redis = start_redis(port, redis_log)
        # Reconnects by itself (backoff at most 8 s), fetches what it missed and says both.
        expect(live_status(watcher)).to_contain_text(RESUMED, timeout=15_000)
        expect(live_status(watcher)).to_contain_text("Inzwischen gibt es Version 2.")
        expect(content(watcher)).to_contain_text("Gespeichert ohne Redis.")
        expect(presence(watcher)).to_have_text([EDITOR[1]], timeout=15_000)

        editor.goto(f"{server.url}{path}bearbeiten/?einfach=1")
        save_in_browser(editor, "Wieder live verteilt.", revision=3)
        expect(content(watcher)).to_contain_text("Wieder live verteilt.", timeout=LIVE)
        expect(live_status(watcher)).to_contain_text(f"{EDITOR[1]} hat Version 3 gespeichert.")

        # A blip with nothing saved in between: the first save afterwards arrives all the same.
        stop_redis(redis)
        expect(live_status(watcher)).to_contain_text(PAUSED)
        redis = start_redis(port, redis_log)
        expect(live_status(watcher)).to_have_text(RESUMED, timeout=15_000)
        editor.goto(f"{server.url}{path}bearbeiten/?einfach=1")
        save_in_browser(editor, "Nach dem Aussetzer.", revision=4)
        expect(content(watcher)).to_contain_text("Nach dem Aussetzer.", timeout=LIVE)
        assert watcher_loads == [], "die offene Seite wurde neu geladen"
    finally:
        stop_server(server)
        stop_redis(redis)


# --- 5: a storm of sockets --------------------------------------------------------------------


def test_storm_of_sockets_all_welcomed_and_all_get_the_next_version(app_server: Server, results):
    result = results["storm"]
    client = Client(app_server, COORDINATOR[0])
    session = client.cookie("sessionid")

    async def scenario() -> tuple[float, list]:
        started = time.monotonic()
        opened = await asyncio.gather(
            *(open_socket(app_server, result["path"], session) for _ in range(STORM)),
            return_exceptions=True,
        )
        opened_in = time.monotonic() - started
        sockets = [ws for ws in opened if not isinstance(ws, BaseException)]
        try:
            errors = [repr(ws) for ws in opened if isinstance(ws, BaseException)]
            assert errors == [], f"{len(errors)} von {STORM} Verbindungen gescheitert: {errors[:3]}"
            welcomes = await asyncio.gather(
                *(next_event(ws, "welcome", timeout=20) for ws in sockets), return_exceptions=True
            )
            failed = [repr(w) for w in welcomes if isinstance(w, BaseException)]
            assert failed == [], f"{len(failed)} Sockets ohne Begrüßung: {failed[:3]}"
            assert {welcome["revision"] for welcome in welcomes} == {1}
            await asyncio.to_thread(client.save, result, "Eine Fassung für alle.", 1)
            versions = await asyncio.gather(
                *(next_event(ws, "version", timeout=20) for ws in sockets), return_exceptions=True
            )
            return opened_in, versions
        finally:
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    opened_in, versions = run(scenario)
    failed = [repr(version) for version in versions if isinstance(version, BaseException)]
    assert failed == [], f"{len(failed)} Sockets ohne neue Version: {failed[:3]}"
    assert {version["revision"] for version in versions} == {2}
    assert all("Eine Fassung für alle." in version["html"] for version in versions)
    print(f"{STORM} Sockets in {opened_in:.2f} s geöffnet")
