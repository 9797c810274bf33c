"""The locust scenario of ``make soak``: started by bench/soak.py, not meant to be run alone.

Everything goes through nginx over HTTPS on loopback (the certificate is self-signed, so it
is not verified):

- ``Besucher``: anonymous readers of the public pages and the search.
- ``Mitglied``: logged-in members reading projects, results and notifications, and searching.
- ``Redakteur``: editors saving results through the edit form with its base revision. A save
  counts as acknowledged when the server answered the POST with its redirect; its marker line
  and the new revision ("Gespeichert als Version N" on the page the redirect leads to) go to
  ``saves.jsonl``. A 409 (someone saved in between) is the form doing its job, no error.
- ``Mitschreiber``: co-editors typing into a shared result over its co-editing socket (the
  y-protocol, with a pycrdt document as the browser has a Yjs one). Each typed line carries a
  unique marker (``inserts.jsonl``); it counts as acknowledged once another co-editor of the
  same result received it from the server (``acks.jsonl``). While its socket is down a
  co-editor goes on typing, as a browser does; the sync on reconnecting carries those lines.
- Everyone logged in keeps the bell socket (``/ws/benachrichtigungen/``) open.

Every request and every socket connect, drop and reconnect goes to ``requests.jsonl`` with its
wall-clock time, so soak.py can split them into the phases around its faults.

Configuration from the environment: ``SOAK_PLAN`` (the JSON soak.py wrote: accounts, pages,
results) and ``SOAK_OUT`` (the directory for the files above).
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import ssl
import sys
import time
import uuid
from pathlib import Path

import gevent
import urllib3
import websocket
from locust import HttpUser, between, events, task
from pycrdt import Doc, Text, YSyncMessageType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from projects.coedit import protocol  # noqa: E402 – pycrdt only, no Django

PLAN = json.loads(Path(os.environ["SOAK_PLAN"]).read_text())
OUT = Path(os.environ["SOAK_OUT"])
OUT.mkdir(parents=True, exist_ok=True)
RUN = uuid.uuid4().hex[:6]
# The certificate is self-signed on purpose: one warning per request would bury the log.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
INSERT_MARKER = re.compile(r"\[k[0-9a-f]{6}-\d+-\d+\]")
SAVED = re.compile(r"Gespeichert als Version (\d+)")
LOGIN_PATH = "/konto/anmelden/"
# The shared text's name, as the browser's ydoc.getText("body") (projects/coedit/services.py).
SHARED_TEXT = "body"
# What to read next and where to type: load, not secrets.
pick = random.Random().choice  # noqa: S311


class Journal:
    """One JSON object per line, flushed at once: what was acknowledged must survive even a
    locust that is killed."""

    def __init__(self, name: str) -> None:
        self.file = (OUT / name).open("a", buffering=1, encoding="utf-8")

    def write(self, **record) -> None:
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")


REQUESTS = Journal("requests.jsonl")
SAVES = Journal("saves.jsonl")
INSERTS = Journal("inserts.jsonl")
ACKS = Journal("acks.jsonl")
acknowledged: set[str] = set()
counters = {"user": 0, "coeditor": 0}


@events.request.add_listener
def _journal(request_type, name, response_time, response_length, exception=None, **kwargs):
    response = kwargs.get("response")
    REQUESTS.write(
        t=time.time(),
        type=request_type,
        name=name,
        ms=round(response_time or 0, 1),
        ok=exception is None,
        status=getattr(response, "status_code", None),
        error=None if exception is None else str(exception)[:200],
    )


def fire(request_type: str, name: str, started: float, exception: Exception | None = None):
    events.request.fire(
        request_type=request_type,
        name=name,
        response_time=(time.time() - started) * 1000,
        response_length=0,
        exception=exception,
        context={},
    )


class SoakError(Exception):
    pass


class LiveSocket:
    """One websocket that reconnects like the browser's (1 s, doubling to 8 s) until stopped.

    Connects, drops (with the close code) and reconnects are journalled as requests of type
    ``WS``, so a drop outside a fault shows as an error in its phase."""

    def __init__(self, user: SoakUser, kind: str, path: str, *, on_open=None, on_message=None):
        self.user, self.kind, self.path = user, kind, path
        self.on_open, self.on_message = on_open, on_message
        self.ws: websocket.WebSocket | None = None
        self.stopped = False
        self.connects = 0
        self.greenlet = gevent.spawn(self._run)

    def _connect(self) -> websocket.WebSocket:
        host = self.user.host.removeprefix("https://")
        return websocket.create_connection(
            f"wss://{host}{self.path}",
            sslopt={"cert_reqs": ssl.CERT_NONE, "check_hostname": False},
            origin=self.user.host,
            cookie="; ".join(f"{c.name}={c.value}" for c in self.user.client.cookies),
            timeout=20,
            enable_multithread=True,
        )

    def _run(self) -> None:
        delay = 1.0
        while not self.stopped:
            started = time.time()
            try:
                ws = self._connect()
            except Exception as error:
                fire("WS", f"{self.kind} verbinden", started, error)
                gevent.sleep(delay)
                delay = min(delay * 2, 8.0)
                continue
            fire("WS", f"{self.kind} verbinden", started)
            if self.connects:
                REQUESTS.write(t=time.time(), type="WS-RECONNECT", name=self.kind, ok=True)
            self.connects += 1
            delay = 1.0
            self.ws = ws
            ws.settimeout(None)
            why: Exception | None = None
            opened = time.time()
            try:
                if self.on_open is not None:
                    self.on_open(ws)
                while not self.stopped:
                    opcode, data = ws.recv_data()
                    if opcode == websocket.ABNF.OPCODE_CLOSE:
                        code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                        why = SoakError(f"vom Server geschlossen ({code})")
                        break
                    if self.on_message is not None:
                        self.on_message(opcode, data)
            except Exception as error:
                why = error
            finally:
                self.ws = None
                try:
                    ws.close(timeout=1)
                except Exception:  # noqa: S110 – it is gone already
                    pass
            if not self.stopped:
                fire("WS", f"{self.kind} getrennt", opened, why or SoakError("getrennt"))
                gevent.sleep(delay)

    def stop(self) -> None:
        self.stopped = True
        ws = self.ws
        if ws is not None:
            try:
                ws.close(timeout=2)
            except Exception:  # noqa: S110
                pass
        self.greenlet.join(timeout=3)
        self.greenlet.kill(block=False)


class SoakUser(HttpUser):
    abstract = True
    accounts: list[str] = []
    account: str | None = None

    def on_start(self) -> None:
        self.client.verify = False
        # Django checks the Origin of every POST over HTTPS.
        self.client.headers["Origin"] = self.host
        self.sockets: list[LiveSocket] = []
        counters["user"] += 1
        self.number = counters["user"]
        if self.accounts:
            self.account = self.accounts[self.number % len(self.accounts)]
            while not self.login():
                gevent.sleep(2)
            self.sockets.append(
                LiveSocket(self, "Glocke", "/ws/benachrichtigungen/", on_message=self._bell)
            )

    def on_stop(self) -> None:
        for socket in self.sockets:
            socket.stop()

    def _bell(self, opcode: int, data: bytes) -> None:
        # Counted per phase: a bell that stays silent after a Redis restart lost its group.
        REQUESTS.write(t=time.time(), type="WS-MSG", name="Glocke", ok=True)

    def login(self) -> bool:
        page = self.client.get(LOGIN_PATH, name="Anmeldung (Formular)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        if not token:
            return False
        with self.client.post(
            LOGIN_PATH,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.account,
                "password": PLAN["password"],
            },
            headers={"Referer": self.host + LOGIN_PATH},
            allow_redirects=False,
            name="Anmeldung",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"Anmeldung gescheitert ({response.status_code})")
                return False
        return True

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if self.account and LOGIN_PATH in response.url:
                response.failure("abgemeldet")
                self.login()


class Besucher(SoakUser):
    """An anonymous reader."""

    fixed_count = int(PLAN["users"]["Besucher"])
    wait_time = between(1, 4)

    @task(3)
    def home(self) -> None:
        self.page("/", "/")

    @task(3)
    def projects(self) -> None:
        self.page("/leitprojekte/", "/leitprojekte/")

    @task(3)
    def project(self) -> None:
        self.page(pick(PLAN["public_projects"]), "/leitprojekte/[projekt]/")

    @task(3)
    def result(self) -> None:
        self.page(pick(PLAN["public_results"]), "/leitprojekte/[projekt]/ergebnisse/[id]/")

    @task(2)
    def lists(self) -> None:
        path = pick(["/kommunen/", "/termine/", "/vorlagen/", "/leitfaeden/"])
        self.page(path, path)

    @task(2)
    def search(self) -> None:
        self.page(f"/suche/?q={pick(PLAN['terms'])}", "/suche/?q=[begriff]")


class Mitglied(SoakUser):
    """A logged-in member who reads and searches."""

    fixed_count = int(PLAN["users"]["Mitglied"])
    accounts = PLAN["accounts"]["Mitglied"]
    wait_time = between(2, 5)

    @task(2)
    def home(self) -> None:
        self.page("/", "/ (angemeldet)")

    @task(3)
    def project(self) -> None:
        self.page(pick(PLAN["public_projects"]), "/leitprojekte/[projekt]/ (angemeldet)")

    @task(3)
    def result(self) -> None:
        self.page(
            pick(PLAN["public_results"]),
            "/leitprojekte/[projekt]/ergebnisse/[id]/ (angemeldet)",
        )

    @task(3)
    def search(self) -> None:
        self.page(f"/suche/?q={pick(PLAN['terms'])}", "/suche/?q=[begriff] (angemeldet)")

    @task(1)
    def notifications(self) -> None:
        self.page("/benachrichtigungen/", "/benachrichtigungen/")


class Redakteur(SoakUser):
    """An editor who saves results through the edit form."""

    fixed_count = int(PLAN["users"]["Redakteur"])
    accounts = PLAN["accounts"]["Redakteur"]
    wait_time = between(2, 6)
    saves = 0

    @task(1)
    def read(self) -> None:
        result = pick(PLAN["form_results"])
        self.page(result["path"], "/leitprojekte/[projekt]/ergebnisse/[id]/ (Team)")

    @task(3)
    def save(self) -> None:
        result = pick(PLAN["form_results"])
        edit = result["path"] + "bearbeiten/"
        with self.client.get(edit, name="Ergebnis bearbeiten (Formular)", catch_response=True) as r:
            page = r.text or ""
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            base = re.search(r'name="base_revision" value="(\d+)"', page)
            body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S)
            if r.status_code != 200 or not (token and base and body):
                r.failure(f"Formular unvollständig ({r.status_code})")
                return
        self.saves += 1
        marker = f"[s{RUN}-{self.number}-{self.saves}]"
        text = html.unescape(body.group(1)).removeprefix("\n").rstrip()
        started = time.time()
        with self.client.post(
            edit,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "base_revision": base.group(1),
                "title": result["title"],
                "summary": result["summary"],
                "kind": result["kind"],
                "maturity": result["maturity"],
                "body": f"{text}\nGespeichert im Dauertest {marker}",
                "note": f"Dauertest {marker}",
            },
            headers={"Referer": self.host + edit},
            allow_redirects=False,
            name="Ergebnis speichern",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # the base revision did its job: nothing was written
                REQUESTS.write(t=time.time(), type="CONFLICT", name="Ergebnis speichern", ok=True)
                return
            if response.status_code != 302:
                response.failure(f"nicht gespeichert ({response.status_code})")
                return
            location = response.headers.get("Location", "")
        # Acknowledged: the revision comes from the page the redirect leads to (if that page
        # fails in a fault, the marker alone must still be found).
        revision = None
        with self.client.get(
            location, name="/leitprojekte/[projekt]/ergebnisse/[id]/ (Team)", catch_response=True
        ) as after:
            found = SAVED.search(after.text or "")
            revision = int(found.group(1)) if found else None
        SAVES.write(
            t=started,
            result=result["id"],
            marker=marker,
            base=int(base.group(1)),
            revision=revision,
        )


class Mitschreiber(SoakUser):
    """A co-editor typing lines into a shared result over its socket."""

    fixed_count = int(PLAN["users"]["Mitschreiber"])
    accounts = PLAN["accounts"]["Mitschreiber"]
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.typed = 0
        self.synced = False
        counters["coeditor"] += 1
        # Two co-editors per result, so each has someone to acknowledge its lines.
        shared = PLAN["coedit_results"]
        self.result = shared[(counters["coeditor"] - 1) // 2 % len(shared)]
        self.doc = Doc()
        self.text = self.doc.get(SHARED_TEXT, type=Text)
        self.remote = False
        self.text.observe(self._changed)
        super().on_start()
        self.coedit = LiveSocket(
            self,
            "Mitschreiben",
            "/ws" + self.result["path"] + "gemeinsam/",
            on_open=self._hello,
            on_message=self._message,
        )
        self.sockets.append(self.coedit)

    def _hello(self, ws) -> None:
        ws.send_binary(protocol.create_sync_step1_message(self.doc.get_state()))

    def _message(self, opcode: int, data: bytes) -> None:
        if opcode != websocket.ABNF.OPCODE_BINARY or not data:
            return
        if data[0] == protocol.SYNC:
            kind = protocol.sync_kind(data)
            payload = protocol.read_payload(data, 2)
            if kind == YSyncMessageType.SYNC_STEP1:
                # What the server lacks: after a reconnect, the lines typed while away.
                ws = self.coedit.ws
                if ws is not None:
                    ws.send_binary(protocol.create_sync_step2_message(self.doc.get_update(payload)))
            else:
                self.remote = True
                try:
                    self.doc.apply_update(payload)
                finally:
                    self.remote = False
                self.synced = True

    def _changed(self, event) -> None:
        if not self.remote:
            return
        now = time.time()
        for part in event.delta:
            inserted = part.get("insert")
            if not isinstance(inserted, str):
                continue
            for marker in INSERT_MARKER.findall(inserted):
                if marker not in acknowledged:
                    acknowledged.add(marker)
                    ACKS.write(t=now, marker=marker, by=self.number)

    @task
    def type_line(self) -> None:
        if not self.synced:
            return  # the text arrives with the first sync; lines go after it
        self.typed += 1
        marker = f"[k{RUN}-{self.number}-{self.typed}]"
        current = str(self.text).encode()
        # At the start of a line only, so no line is ever typed into another one's marker
        # (pycrdt counts positions in UTF-8 bytes).
        starts = [0] + [i + 1 for i, byte in enumerate(current) if byte == 0x0A]
        before = self.doc.get_state()
        self.text.insert(pick(starts), f"Zeile {marker}\n")
        update = self.doc.get_update(before)
        ws = self.coedit.ws
        online = ws is not None
        INSERTS.write(t=time.time(), marker=marker, result=self.result["id"], online=online)
        if online:
            try:
                ws.send_binary(protocol.create_update_message(update))
            except Exception:  # noqa: S110 – the reconnect's sync carries the line
                pass
