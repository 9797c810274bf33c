"""Co-editing in the browser and across real server processes.

Two Chromium contexts type into one result at once; restarts (SIGTERM, kill -9) of a real
uvicorn; two processes behind Redis with Python Yjs clients (pycrdt over ``websockets``).
Every test works on a result of its own, created through ``manage`` once for the module.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pycrdt import YSyncMessageType
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from projects.coedit import protocol
from projects.coedit.services import doc_from
from tests.e2e.conftest import Server, _free_port, start_server, stop_server
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_live import Client, run

PROJECT_SLUG = "offene-regionale-datenplattform"
COORDINATOR = ("koordination-menden", "Mehmet Mertens")
EDITOR = ("team-iserlohn", "Ida Imhoff")
FAST = {
    "COEDIT_SAVE_DELAY": "0.3",
    "COEDIT_SAVE_MAX_INTERVAL": "1",
    "COEDIT_EXCHANGE_INTERVAL": "1",
}

RESULTS = ("browser", "sigterm", "kill", "reconnect", "processes", "redis", "rules")
_CREATE = """
import json
from django.contrib.auth import get_user_model
from projects import services
from projects.models import LeadProject
data = json.loads({data!r})
by = get_user_model().objects.get(username=data["by"])
project = LeadProject.objects.get(slug=data["project"])
out = {{}}
for key, title in data["titles"].items():
    result = services.result_create(project=project, by=by, title=title, body=f"Start {{key}}.")
    out[key] = {{"path": result.get_absolute_url(), "id": result.pk}}
print(json.dumps(out))
"""
_STATE = """
from projects.models import Result, ResultCoeditState
from projects.coedit.services import text_of
import json
r = Result.objects.get(pk={pk})
row = ResultCoeditState.objects.filter(pk={pk}).first()
print(json.dumps({{"body": r.body, "state": text_of(bytes(row.state)) if row else None,
                   "versions": r.history.count(),
                   "reasons": list(r.history.order_by("history_date")
                                   .values_list("history_change_reason", flat=True)),
                   "bodies": list(r.history.order_by("history_date")
                                  .values_list("body", flat=True))}}))
"""


@pytest.fixture(scope="module")
def results(manage: Callable[..., str]) -> dict[str, dict]:
    run_id = uuid.uuid4().hex[:6]
    titles = {key: f"Gemeinsam {key} {run_id}" for key in RESULTS}
    data = json.dumps({"by": COORDINATOR[0], "project": PROJECT_SLUG, "titles": titles})
    return json.loads(manage("shell", "-c", _CREATE.format(data=data)).strip().splitlines()[-1])


def stored(manage, result: dict) -> dict:
    return json.loads(
        manage("shell", "-c", _STATE.format(pk=result["id"])).strip().splitlines()[-1]
    )


# --- 4: two people in the browser --------------------------------------------------------------


def shared_text(page: Page, expected: str) -> None:
    """Wait until the page's shared document holds ``expected`` (the editor's DOM also
    shows the others' cursors with their names)."""
    page.wait_for_function(
        "expected => window.klassenraumCoedit && "
        "window.klassenraumCoedit.ytext.toString() === expected",
        arg=expected,
    )


def open_editor(page: Page, path: str) -> None:
    page.goto(path + "bearbeiten/")  # the shared editor starts by itself
    expect(page.locator("#coedit-status")).to_contain_text("Gemeinsame Bearbeitung läuft")


def save_version(page: Page, note: str = "") -> None:
    """ "Version speichern", and in its dialog the optional note and the same button."""
    page.get_by_role("button", name="Version speichern", exact=True).click()
    dialog = page.get_by_role("dialog", name="Version speichern")
    dialog.get_by_label("Notiz zur Version (optional)", exact=True).fill(note)
    dialog.get_by_role("button", name="Version speichern", exact=True).click()


def test_two_browsers_type_at_once_see_each_other_and_save_one_version(
    new_context, log_in, results, manage
):
    result = results["browser"]
    first = new_context().new_page()
    log_in(first, COORDINATOR[0])
    second = new_context().new_page()
    log_in(second, EDITOR[0])
    open_editor(first, result["path"])
    open_editor(second, result["path"])
    editor_one = first.get_by_role("textbox", name="Inhalt", exact=True)
    editor_two = second.get_by_role("textbox", name="Inhalt", exact=True)
    shared_text(first, "Start browser.")
    shared_text(second, "Start browser.")

    editor_one.click()
    first.keyboard.press("Control+End")
    editor_two.click()
    second.keyboard.press("Control+Home")
    # Both type at the same time, one at the end, one at the start.
    for one, two in zip(" Eins", "Vorne", strict=True):
        first.keyboard.type(one)
        second.keyboard.type(two)
    text_one = "VorneStart browser. Eins"
    shared_text(first, text_one)
    shared_text(second, text_one)

    # Each sees the other's cursor, named by the server.
    expect(first.locator(".cm-ySelectionInfo")).to_have_text(EDITOR[1])
    expect(second.locator(".cm-ySelectionInfo")).to_have_text(COORDINATOR[1])

    before = stored(manage, result)["versions"]
    save_version(first)
    expect(first.locator("#coedit-status")).to_contain_text(
        f"Gespeichert als Version {before + 1}."
    )
    expect(second.locator("#coedit-status")).to_contain_text(
        f"Version {before + 1} ist gespeichert."
    )
    after = stored(manage, result)
    assert after["versions"] == before + 1
    assert after["body"] == text_one

    assert_no_violations(first)


# --- 5: restarts ---------------------------------------------------------------------------------


class Peer:
    """A Yjs client over a real websocket (pycrdt document)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.doc, self.text = doc_from(b"")
        self.controls: list[dict] = []

    @classmethod
    async def open(cls, server: Server, path: str, session: str) -> Peer:
        ws = await connect(
            f"ws://{server.url.removeprefix('http://')}/ws{path}gemeinsam/",
            origin=server.url,
            additional_headers={"Cookie": f"sessionid={session}"},
            open_timeout=20,
            max_queue=None,
        )
        peer = cls(ws)
        await ws.send(protocol.create_sync_step1_message(peer.doc.get_state()))
        await peer.until(lambda: any(c["event"] == "welcome" for c in peer.controls))
        return peer

    async def handle(self, data: bytes) -> None:
        if data[0] == protocol.SYNC:
            kind = protocol.sync_kind(data)
            payload = protocol.read_payload(data, 2)
            if kind == YSyncMessageType.SYNC_STEP1:
                await self.ws.send(protocol.create_sync_step2_message(self.doc.get_update(payload)))
            else:
                self.doc.apply_update(payload)
        elif data[0] == protocol.CONTROL:
            self.controls.append(protocol.read_control(data))

    async def until(self, condition, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                await self.handle(await self.ws.recv())

    async def insert_end(self, value: str) -> None:
        before = self.doc.get_state()
        self.text.insert(len(str(self.text).encode()), value)
        await self.ws.send(protocol.create_update_message(self.doc.get_update(before)))


@pytest.fixture
def own_server(server_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(**env: str) -> Server:
        log = tmp_path / f"uvicorn-{uuid.uuid4().hex[:6]}.log"
        server = start_server({**server_env, **FAST, **env}, log)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_server(server)


def test_sigterm_after_editors_left_and_kill_after_the_save_delay_keep_the_text(
    own_server, results, manage
):
    for key, how in (("sigterm", signal.SIGTERM), ("kill", signal.SIGKILL)):
        result = results[key]
        server = own_server()
        session = Client(server, EDITOR[0]).cookie("sessionid")

        async def edit(result=result, server=server, session=session, key=key, how=how) -> None:
            peer = await Peer.open(server, result["path"], session)
            await peer.until(lambda: str(peer.text) == f"Start {key}.")
            await peer.insert_end(" Nicht verlieren!")
            await asyncio.sleep(0.8)  # past the save delay
            if how == signal.SIGTERM:
                await peer.ws.close()
                await asyncio.sleep(0.3)

        run(edit)
        os.killpg(server.process.pid, how)
        server.process.wait(timeout=15)
        again = own_server()
        session = Client(again, EDITOR[0]).cookie("sessionid")

        async def reopen(result=result, again=again, session=session) -> str:
            peer = await Peer.open(again, result["path"], session)
            await peer.until(lambda: "Nicht verlieren!" in str(peer.text))
            await peer.ws.close()
            return str(peer.text)

        assert run(reopen) == f"Start {key}. Nicht verlieren!"


def test_kill_before_the_save_the_open_browser_restores_the_text(
    server_env, tmp_path, monkeypatch, new_context, log_in, results
):
    import tests.e2e.conftest as e2e

    result = results["reconnect"]
    # The browser must find the restarted server at the same address: a fixed port.
    port = _free_port()
    monkeypatch.setattr(e2e, "_free_port", lambda: port)
    env = {**server_env, **FAST, "COEDIT_SAVE_DELAY": "60", "COEDIT_SAVE_MAX_INTERVAL": "120"}
    servers = [start_server(env, tmp_path / "before.log")]
    try:
        server = servers[0]
        page = new_context().new_page()
        log_in(page, EDITOR[0], base=server.url)
        page.goto(server.url + result["path"] + "bearbeiten/")
        editor = page.get_by_role("textbox", name="Inhalt", exact=True)
        shared_text(page, "Start reconnect.")
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(" Nur im Browser.")
        shared_text(page, "Start reconnect. Nur im Browser.")
        time.sleep(0.3)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        expect(page.locator("#coedit-status")).to_contain_text("Verbindung unterbrochen")
        servers.append(start_server(env, tmp_path / "after.log"))
        expect(page.locator("#coedit-status")).to_contain_text(
            "Gemeinsame Bearbeitung läuft", timeout=20_000
        )
        save_version(page)
        expect(page.locator("#coedit-status")).to_contain_text("Gespeichert als Version")
        page.goto(server.url + result["path"])
        expect(page.locator("#ergebnis-inhalt")).to_contain_text("Start reconnect. Nur im Browser.")
    finally:
        for one in servers:
            stop_server(one)


# --- 6: two processes with Redis -----------------------------------------------------------------


@pytest.mark.services
def test_two_processes_converge_and_a_late_joiner_sees_unsaved_edits_at_once(
    own_server, results, manage
):
    result = results["processes"]
    slow_save = {"COEDIT_SAVE_DELAY": "30", "COEDIT_SAVE_MAX_INTERVAL": "60"}
    one, two = own_server(**slow_save), own_server(**slow_save)
    s1 = Client(one, COORDINATOR[0]).cookie("sessionid")
    s2 = Client(two, EDITOR[0]).cookie("sessionid")

    async def scenario() -> tuple[str, float]:
        a = await Peer.open(one, result["path"], s1)
        b = await Peer.open(two, result["path"], s2)
        await a.until(lambda: str(a.text) == "Start processes.")
        await b.until(lambda: str(b.text) == "Start processes.")
        await asyncio.gather(
            *(a.insert_end(f" a{n}") for n in range(20)),
            *(b.insert_end(f" b{n}") for n in range(20)),
        )

        def complete(peer):
            text = str(peer.text)
            return all(f" a{n}" in text and f" b{n}" in text for n in range(20))

        await a.until(lambda: complete(a))
        await b.until(lambda: complete(b))
        assert str(a.text) == str(b.text)
        started = time.monotonic()
        late = await Peer.open(two, result["path"], s2)
        await late.until(lambda: str(late.text) == str(a.text), timeout=1)
        late_after = time.monotonic() - started
        for peer in (a, b, late):
            await peer.ws.close()
        await asyncio.sleep(1)
        return str(a.text), late_after

    text, late_after = run(scenario)
    assert late_after < 1
    assert stored(manage, result)["state"] == text


class PrivateRedis:
    """A Redis of this test alone, on a free port: killed and started again at will, while
    every other test keeps the shared one."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server fehlt (für den Neustart-Test von Redis)"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no", "--daemonize", "no"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"Redis auf Port {self.port} ist nicht gestartet:\n{self.log.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path / "redis.log")
    redis.start()
    yield redis
    redis.kill()


def two_servers(own_server: Callable[..., Server], **env: str) -> tuple[Server, Server]:
    """Two server processes with ``env``, started side by side (half the waiting)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        one, two = (pool.submit(own_server, **env) for _ in range(2))
        return one.result(), two.result()


def _is_open(peer: Peer) -> bool:
    return peer.ws.close_code is None and peer.ws.state.name == "OPEN"


@pytest.mark.services
def test_a_redis_restart_leaves_the_sockets_open_and_the_processes_agree_again(
    own_server, private_redis, results, manage
):
    result = results["redis"]
    # Saving late: the processes must agree through the exchange, not through the database.
    env = {
        "REDIS_URL": private_redis.url,
        "CHANNEL_LAYER_PREFIX": f"coedit-redis-{uuid.uuid4().hex[:8]}",
        "COEDIT_SAVE_DELAY": "30",
        "COEDIT_SAVE_MAX_INTERVAL": "60",
    }
    one, two = two_servers(own_server, **env)
    s1 = Client(one, COORDINATOR[0]).cookie("sessionid")
    s2 = Client(two, EDITOR[0]).cookie("sessionid")

    async def scenario() -> dict:
        a = await Peer.open(one, result["path"], s1)
        b = await Peer.open(two, result["path"], s2)
        await a.until(lambda: str(a.text) == "Start redis.")
        await b.until(lambda: str(b.text) == "Start redis.")
        await a.insert_end(" vorher")
        await b.until(lambda: "vorher" in str(b.text))

        private_redis.kill()
        # Edits during the outage reach the local sockets only.
        await a.insert_end(" A-waehrend")
        await b.insert_end(" B-waehrend")
        await asyncio.sleep(1.5)  # several exchange rounds fail meanwhile
        during = {"a": str(a.text), "b": str(b.text)}
        open_during = _is_open(a) and _is_open(b)

        private_redis.start()
        started = time.monotonic()
        await a.until(lambda: "B-waehrend" in str(a.text), timeout=15)
        await b.until(lambda: "A-waehrend" in str(b.text), timeout=15)
        repaired_after = time.monotonic() - started
        # And live again: a new edit crosses at once, not only at the next exchange.
        await asyncio.sleep(1.5)
        await a.insert_end(" nachher")
        live_started = time.monotonic()
        await b.until(lambda: "nachher" in str(b.text), timeout=5)
        live_after = time.monotonic() - live_started
        await a.until(lambda: str(a.text) == str(b.text), timeout=5)
        out = {
            "during": during,
            "open_during": open_during,
            "open_after": _is_open(a) and _is_open(b),
            "a": str(a.text),
            "b": str(b.text),
            "repaired_after": repaired_after,
            "live_after": live_after,
        }
        for peer in (a, b):
            await peer.ws.close()
        await asyncio.sleep(1)
        return out

    out = run(scenario)
    assert out["open_during"] and out["open_after"], out
    # During the outage each side saw only its own edit.
    assert "B-waehrend" not in out["during"]["a"] and "A-waehrend" not in out["during"]["b"]
    assert out["a"] == out["b"]
    for part in ("vorher", "A-waehrend", "B-waehrend", "nachher"):
        assert out["a"].count(part) == 1, out["a"]
    assert out["repaired_after"] < 10, out
    assert out["live_after"] < 1, out
    for server in (one, two):
        assert server.process.poll() is None
    assert stored(manage, result)["state"] == out["a"]


@pytest.mark.services
def test_two_processes_firing_the_same_rule_write_one_version(own_server, results, manage):
    result = results["rules"]
    one, two = two_servers(own_server, COEDIT_VERSION_IDLE="1.5")
    s1 = Client(one, COORDINATOR[0]).cookie("sessionid")
    s2 = Client(two, EDITOR[0]).cookie("sessionid")

    async def scenario() -> tuple[int, list, list, str]:
        a = await Peer.open(one, result["path"], s1)
        b = await Peer.open(two, result["path"], s2)
        before = a.controls[0]["revision"]
        await a.until(lambda: str(a.text) == "Start rules.")
        await b.until(lambda: str(b.text) == "Start rules.")
        # Each process has a local edit, so the pause rule fires in both.
        await a.insert_end(" eins")
        await b.until(lambda: "eins" in str(b.text))
        await b.insert_end(" zwei")
        await a.until(lambda: "zwei" in str(a.text))
        await asyncio.gather(
            a.until(lambda: any(c["event"] == "version" for c in a.controls)),
            b.until(lambda: any(c["event"] == "version" for c in b.controls)),
        )
        await asyncio.sleep(1)  # the later of the two has fired by now
        idle = [c["revision"] for c in a.controls + b.controls if c["event"] == "version"]

        # "Version speichern" in both processes at the same moment.
        await a.insert_end(" drei")
        await b.until(lambda: "drei" in str(b.text))
        a.controls.clear()
        b.controls.clear()
        request = protocol.control_message({"action": "version"})
        await asyncio.gather(a.ws.send(request), b.ws.send(request))
        await asyncio.gather(
            a.until(lambda: any(c["event"] == "saved" for c in a.controls)),
            b.until(lambda: any(c["event"] == "saved" for c in b.controls)),
        )
        saved = [c["revision"] for c in a.controls + b.controls if c["event"] == "saved"]
        text = str(a.text)
        # Both leave: the text did not change since, so the closing rule writes nothing.
        await asyncio.gather(a.ws.close(), b.ws.close())
        await asyncio.sleep(1)
        return before, idle, saved, text

    before, idle, saved, text = run(scenario)
    # Both processes heard of the one version the pause wrote (one wrote it, one was told).
    assert idle == [before + 1, before + 1], idle
    final = stored(manage, result)
    # Exactly one row per rule firing, though each fired in both processes; closing: none.
    assert final["bodies"] == ["Start rules.", "Start rules. eins zwei", text], final
    assert text == final["body"] == final["state"] == "Start rules. eins zwei drei"
    idle_reason, requested_reason = final["reasons"][-2:]
    assert "Pause" in idle_reason, final["reasons"]
    assert COORDINATOR[1] in idle_reason and EDITOR[1] in idle_reason, idle_reason
    assert "Version speichern" in requested_reason, final["reasons"]
    # One process wrote the row, the other found nothing left to save.
    assert sorted(saved, key=lambda r: r is None) == [before + 2, None], saved


# --- issue 20: a socket closed for lost access -----------------------------------------------

_CREATE_TESTED = """
import json
from django.contrib.auth import get_user_model
from projects import services
from projects.models import LeadProject
by = get_user_model().objects.get(username={by!r})
project = LeadProject.objects.get(slug={project!r})
result = services.result_create(
    project=project, by=by, title={title!r}, body="Erprobt.", maturity="tested"
)
print(json.dumps({{"path": result.get_absolute_url(), "id": result.pk}}))
"""
_BACK_TO_DRAFT = """
from django.contrib.auth import get_user_model
from projects import services
from projects.models import Result
result = Result.objects.get(pk={pk})
by = get_user_model().objects.get(username={by!r})
services.result_update(result=result, by=by, base_revision=result.revision, maturity="draft")
"""
OUTSIDER = "kommune-brilon"


def test_a_logged_out_editor_is_told_why_and_the_page_stops_reconnecting(
    new_context, log_in, results
):
    result = results["browser"]
    context = new_context()
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url) if "gemeinsam" in ws.url else None)
    log_in(page, EDITOR[0])
    open_editor(page, result["path"])
    # Logged out in another tab of the same browser: the session ends on the server.
    other = context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Abmelden").click()
    status = page.locator("#coedit-status")
    expect(status).to_contain_text("Sie sind nicht mehr angemeldet")
    expect(page.get_by_role("textbox", name="Inhalt", exact=True)).to_have_attribute(
        "contenteditable", "false"
    )
    page.wait_for_timeout(3000)  # the provider's first retry would come after 0.5 s
    assert len(sockets) == 1, sockets
    assert page.evaluate("window.klassenraumCoedit.provider.stopped") is True


@pytest.mark.services
def test_a_result_back_to_draft_in_another_process_closes_the_outsiders_socket(own_server, manage):
    title = f"Erprobt {uuid.uuid4().hex[:6]}"
    script = _CREATE_TESTED.format(by=COORDINATOR[0], project=PROJECT_SLUG, title=title)
    result = json.loads(manage("shell", "-c", script).strip().splitlines()[-1])
    one, two = two_servers(own_server)
    outsider_session = Client(one, OUTSIDER).cookie("sessionid")
    editor_session = Client(two, EDITOR[0]).cookie("sessionid")

    async def scenario() -> tuple[int | None, list[dict], bool]:
        outsider = await Peer.open(one, result["path"], outsider_session)
        editor = await Peer.open(two, result["path"], editor_session)
        await outsider.until(lambda: str(outsider.text) == "Erprobt.")
        # A third process (manage.py) makes the change; only Redis carries it.
        await asyncio.to_thread(
            manage, "shell", "-c", _BACK_TO_DRAFT.format(pk=result["id"], by=COORDINATOR[0])
        )
        try:
            await outsider.until(lambda: False, timeout=20)
        except ConnectionClosed:
            pass
        await editor.insert_end(" Nur fürs Team.")
        await asyncio.sleep(0.5)
        editor_open = _is_open(editor)
        await editor.ws.close()
        return outsider.ws.close_code, outsider.controls, editor_open

    code, controls, editor_open = run(scenario)
    assert code == 4403
    assert any(c["event"] == "revoked" and "keinen Zugriff mehr" in c["text"] for c in controls)
    assert editor_open
