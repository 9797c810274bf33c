"""Issue 20, done-when 2: thousands of random and mutated y-protocol frames against a real
server process, from people who may only read.

The server is uvicorn in a subprocess, on the test's own database (on SQLite a copy of it
taken once the world is built, on PostgreSQL the test database itself, with Redis). Each
frame is followed by a probe (a valid sync step 1): its answer proves the socket is alive and
carries the whole document, which must still be the original text. A socket may only end
closed with 4400 (malformed) or 1009 (too big); a well-formed frame never closes it. The
server's log must hold no error and no traceback. The generator is seeded: a failure repeats.
It runs against a living result's socket and against a guide's (issue 21: ``kind``).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import random
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from pycrdt import Doc, Text, YSyncMessageType
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from network.guides import services as guide_services
from projects import services
from projects.coedit import protocol
from tests.e2e.conftest import start_server, stop_server
from tests.factories import MembershipFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20_2026
FRAMES = 2000
SOCKETS = 6  # sending at once
ORIGINAL = "# Datenmodell\n\nNur das Team schreibt hier. Ä, ß und 😀 bleiben."
PROBE = protocol.create_sync_step1_message(b"\x00")
ALLOWED_CLOSES = {4400, 1009}
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


def _valid_frames(rng: random.Random) -> list[bytes]:
    """Well-formed messages a read-only browser may send: none may close its socket."""
    doc = Doc()
    text = doc.get("body", type=Text)
    text += "Leserin schreibt " + "x" * rng.randint(0, 50)
    state = doc.get_state()
    cursor = '{"cursor": {"anchor": 1, "head": 2}}'
    return [
        PROBE,
        protocol.create_sync_step1_message(state),
        protocol.create_update_message(doc.get_update()),
        protocol.create_sync_step2_message(doc.get_update()),
        protocol.create_update_message(protocol.EMPTY_UPDATE),
        protocol.awareness_message(protocol.encode_awareness([(rng.randint(1, 2**32), 1, cursor)])),
        protocol.control_message({"action": "version"}),
        protocol.control_message({"irgendwas": [1, 2, 3]}),
    ]


def _mutate(rng: random.Random, frame: bytes) -> bytes:
    data = bytearray(frame)
    for _ in range(rng.randint(1, 4)):
        how = rng.randrange(7)
        if how == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1 and data:
            del data[rng.randrange(len(data)) :]
        elif how == 2:
            data[rng.randint(0, len(data)) : rng.randint(0, len(data))] = rng.randbytes(
                rng.randint(1, 8)
            )
        elif how == 3 and data:
            data[rng.randrange(len(data))] |= 0x80  # a varint that goes on
        elif how == 4:
            data += bytes([0xFF] * rng.randint(1, 10))
        elif how == 5 and len(data) > 2:
            data[2] = rng.choice([0x00, 0x7F, 0xFF, 0x80])  # the length
        else:
            data[:1] = bytes([rng.choice([0, 1, 2, 3, 4, 99, 100, 101, 127, 128, 255])])
    return bytes(data)


def _frames(rng: random.Random) -> list[tuple[bytes, bool]]:
    """(frame, well-formed?) for the whole run."""
    out: list[tuple[bytes, bool]] = []
    for n in range(FRAMES):
        valid = _valid_frames(rng)
        roll = rng.random()
        if n % 700 == 699:
            out.append((bytes([0]) + rng.randbytes(5 * 1024 * 1024), False))  # too big
        elif roll < 0.3:
            out.append((rng.choice(valid), True))
        elif roll < 0.75:
            out.append((_mutate(rng, rng.choice(valid)), False))
        else:
            out.append((rng.randbytes(rng.randint(0, 40)), False))
    return out


def _world(kind: str) -> dict:
    """Two people who may only read: for a result an observer of its team and a member of
    the network; for a guide two members who are not its authors."""
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True)
    coordinator = MembershipFactory(municipality=menden).user
    observer = MembershipFactory().user
    outsider = MembershipFactory().user
    if kind == "guide":
        guide = guide_services.guide_create(
            by=coordinator, title="Datenmodell", summary="-", body=ORIGINAL, status="published",
            published_in=datetime.date(2026, 3, 1), authors=[coordinator],
        )  # fmt: skip
        path = f"/ws/leitfaeden/{guide.slug}/gemeinsam/"
    else:
        project = services.project_create(
            by=coordinator, title="Plattform", summary="-", lead_municipality=menden,
            visibility="network",
        )  # fmt: skip
        services.team_member_add(project=project, by=coordinator, user=observer, role="observer")
        result = services.result_create(
            project=project, by=coordinator, title="Datenmodell", body=ORIGINAL, maturity="tested"
        )
        path = f"/ws/leitprojekte/{project.slug}/ergebnisse/{result.pk}/gemeinsam/"
    sessions = []
    for user in (observer, outsider):
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[django_settings.SESSION_COOKIE_NAME].value)
    return {"path": path, "sessions": sessions}


def _server_env(tmp_path: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(DEBUG="1", PYTHONUNBUFFERED="1", MEDIA_ROOT=str(tmp_path / "media"))
    # Only the parser and the limits are under test here, not the rate limit.
    env["COEDIT_MESSAGES_PER_SECOND"] = "100000"
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
        if redis_url := os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = redis_url
            env["CHANNEL_LAYER_PREFIX"] = f"kr-fuzz-{os.getpid()}"
    else:
        # The test database lives in memory: the server gets a copy of it as it is now.
        copy = tmp_path / "fuzz.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        env["SQLITE_PATH"] = str(copy)
    return env


class Outcome:
    def __init__(self) -> None:
        self.sent = self.alive_after_valid = self.closed = 0
        self.wrong: list[str] = []


def _asks_for_sync(frame: bytes) -> bool:
    """Whether ``frame`` is a sync step 1, which the server answers like the probe."""
    try:
        return protocol.parse(frame).sync == YSyncMessageType.SYNC_STEP1
    except protocol.ProtocolError:
        return False


async def _probe(ws, answers: int = 1) -> str:
    """Send the probe; the document's text from its answer, the last of ``answers`` sync
    steps 2 awaited (the socket's other messages, echoes of cursors, are passed over)."""
    await ws.send(PROBE)
    while True:
        data = await ws.recv()
        if data[:2] == bytes([protocol.SYNC, YSyncMessageType.SYNC_STEP2]):
            answers -= 1
            if answers:
                continue
            doc = Doc()
            text = doc.get("body", type=Text)
            doc.apply_update(protocol.read_payload(data, 2))
            return str(text)


async def _open(server_url: str, path: str, session: str):
    ws = await connect(
        f"ws://{server_url.removeprefix('http://')}{path}",
        origin=server_url,
        # The server runs with DEBUG=1 (plain HTTP): its cookie has no __Host- prefix.
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=20,
        max_size=None,
        # The anchor socket reads only at the end: nothing may be dropped or time out meanwhile.
        max_queue=None,
        ping_interval=None,
    )
    assert await _probe(ws) == ORIGINAL
    return ws


async def _worker(server_url, world, frames, outcome: Outcome, number: int) -> None:
    session = world["sessions"][number % 2]
    ws = await _open(server_url, world["path"], session)
    for frame, well_formed in frames:
        outcome.sent += 1
        try:
            await ws.send(frame)
            text = await _probe(ws, answers=2 if _asks_for_sync(frame) else 1)
        except ConnectionClosed:
            code = ws.close_code
            outcome.closed += 1
            if well_formed or code not in ALLOWED_CLOSES:
                outcome.wrong.append(f"{frame[:16].hex()} (gültig: {well_formed}) → {code}")
            ws = await _open(server_url, world["path"], session)
            continue
        if text != ORIGINAL:
            outcome.wrong.append(f"{frame[:16].hex()} änderte den Text: {text!r}")
        if well_formed:
            outcome.alive_after_valid += 1
    await ws.close()


def test_thousands_of_random_frames_from_readers_crash_nothing_and_change_nothing(tmp_path, kind):
    world = _world(kind)
    frames = _frames(random.Random(SEED))
    log = tmp_path / "uvicorn.log"
    server = start_server(_server_env(tmp_path), log)
    outcome = Outcome()

    async def run() -> None:
        # Open throughout, so the room stays open (and is not saved) between two sockets.
        anchor = await _open(server.url, world["path"], world["sessions"][0])
        share = [frames[n::SOCKETS] for n in range(SOCKETS)]
        await asyncio.gather(
            *(_worker(server.url, world, part, outcome, n) for n, part in enumerate(share))
        )
        assert await _probe(anchor) == ORIGINAL
        await anchor.close()

    try:
        asyncio.run(run())
    finally:
        stop_server(server)
    output = log.read_text(errors="replace")
    assert outcome.sent == FRAMES
    assert outcome.wrong == [], "\n".join(outcome.wrong)
    assert outcome.alive_after_valid == sum(1 for _, ok in frames if ok)
    assert outcome.closed > FRAMES / 3, "most garbage closes its socket"
    assert "Traceback" not in output
    assert " ERROR" not in output and "ERROR:" not in output, output[-3000:]
    # Each refusal one warning line, no more.
    assert output.count("ungültige Nachricht") + output.count("zu groß") == outcome.closed
