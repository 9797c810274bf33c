"""Benchmark of co-editing: latency between editors, state size, memory.

- Latency from one editor's change until every other editor has it (p50, p95, max) with 2, 10
  and 20 editors on one result: in one process (in-memory layer), and across two processes
  sharing Redis (editors split across both). Editors take turns; 200 changes per size (BENCH_CHANGES).
- The Yjs state after 5,000 typing-like edits (inserts, one in ten a backspace): its size and
  how long loading it takes.
- Server memory (RSS) per open connection and per open document.

Usage: ``make bench`` (needs REDIS_URL or a local Redis on 127.0.0.1:6379 for the second part).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import live as base  # noqa: E402 – the same server start, stop and session as bench/live.py
import websockets  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pycrdt import YSyncMessageType  # noqa: E402

from projects import services  # noqa: E402
from projects.coedit import protocol  # noqa: E402
from projects.coedit.services import doc_from  # noqa: E402
from projects.models import LeadProject  # noqa: E402
from workspace.models import User  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_EDITORS", "2,10,20").split(",")]
CHANGES = int(os.environ.get("BENCH_CHANGES", "200"))


class Round:
    """One change on its way to ``expected`` editors: set when the last one has it (no
    polling loop in the measuring process)."""

    def __init__(self, expected: int) -> None:
        self.update = b""
        self.missing = expected
        self.done = asyncio.Event()

    def arrived(self, payload: bytes) -> None:
        if payload == self.update:
            self.missing -= 1
            if self.missing <= 0:
                self.done.set()


class Editor:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.doc, self.text = doc_from(b"")
        self.seen: dict[bytes, float] = {}
        self.round: Round | None = None
        self.task: asyncio.Task | None = None
        self.welcomed = asyncio.Event()

    @classmethod
    async def open(cls, port: int, path: str, cookie: str) -> Editor:
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws{path}gemeinsam/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie},
            max_queue=None,
            compression=None,
            open_timeout=30,
        )
        editor = cls(ws)
        editor.task = asyncio.get_running_loop().create_task(editor.listen())
        await ws.send(protocol.create_sync_step1_message(editor.doc.get_state()))
        await asyncio.wait_for(editor.welcomed.wait(), 30)
        return editor

    async def listen(self) -> None:
        async for data in self.ws:
            now = time.perf_counter()
            if data[0] == protocol.SYNC:
                payload = protocol.read_payload(data, 2)
                if protocol.sync_kind(data) == YSyncMessageType.SYNC_STEP1:
                    await self.ws.send(
                        protocol.create_sync_step2_message(self.doc.get_update(payload))
                    )
                else:
                    # Only noted: applying every update in this one measuring loop would
                    # delay the timestamps of the next sockets' messages.
                    self.seen[payload] = now
                    if self.round is not None:
                        self.round.arrived(payload)
            elif data[0] == protocol.CONTROL:
                if (protocol.read_control(data) or {}).get("event") == "welcome":
                    self.welcomed.set()

    async def close(self) -> None:
        await self.ws.close()
        if self.task:
            self.task.cancel()


async def latency(ports: list[int], cookie: str, path: str, n: int) -> list[float]:
    editors = [await Editor.open(ports[i % len(ports)], path, cookie) for i in range(n)]
    await asyncio.sleep(0.5)
    latencies: list[float] = []
    try:
        for k in range(CHANGES):
            sender = editors[k % n]
            others = [e for e in editors if e is not sender]
            current = Round(len(others))
            before = sender.doc.get_state()
            sender.text.insert(len(str(sender.text).encode()), f" {k}")
            current.update = sender.doc.get_update(before)
            for editor in others:
                editor.round = current
            sent = time.perf_counter()
            await sender.ws.send(protocol.create_update_message(current.update))
            try:
                await asyncio.wait_for(current.done.wait(), 5)
            except TimeoutError:
                pass
            latencies += [
                (e.seen[current.update] - sent) * 1000 for e in others if current.update in e.seen
            ]
            await asyncio.sleep(0.01)
    finally:
        for editor in editors:
            await editor.close()
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def run_latency(label: str, env: dict, processes: int, cookie: str, path: str) -> None:
    servers = [base.start(env) for _ in range(processes)]
    try:
        print(f"\n{label}")
        print(f"{'':<14}{'p50':>8}{'p95':>8}{'max':>8}{'Messungen':>11}  (ms)")
        for n in SIZES:
            values = asyncio.run(latency([port for _, port in servers], cookie, path, n))
            print(
                f"{n:>3} Bearbeitende{statistics.median(values):>8.2f}"
                f"{percentile(values, 0.95):>8.2f}{max(values):>8.2f}{len(values):>11}"
            )
    finally:
        for process, _ in servers:
            base.stop(process)


def state_size() -> None:
    rng = random.Random(5000)  # noqa: S311 – reproducible typing, not secrets
    doc, text = doc_from(b"")
    typed = 0
    for _ in range(5000):
        length = len(str(text).encode())
        if length and rng.random() < 0.1:
            del text[length - 1 : length]
        else:
            text.insert(length, rng.choice("abcdefghijklmnopqrstuvwxyz   \n"))
            typed += 1
    state = doc.get_update()
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        loaded, loaded_text = doc_from(state)
        str(loaded_text)
    load_ms = (time.perf_counter() - started) / rounds * 1000
    print("\nZustand nach 5.000 Tipp-Änderungen")
    print(f"  {len(str(text))} Zeichen Text, Yjs-Zustand {len(state) / 1024:.1f} KB")
    print(f"  laden: {load_ms:.2f} ms")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def hold(port: int, cookie: str, paths: list[str]) -> list[Editor]:
    return [await Editor.open(port, path, cookie) for path in paths]


def memory(env: dict, cookie: str, paths: list[str]) -> None:
    process, port = base.start(env)
    try:

        async def scenario() -> tuple[float, float]:
            warm = await hold(port, cookie, paths[:1])
            await asyncio.sleep(0.5)
            start = rss_kb(process.pid)
            many = await hold(port, cookie, paths[:1] * 100)
            await asyncio.sleep(1)
            per_connection = (rss_kb(process.pid) - start) / 100
            middle = rss_kb(process.pid)
            docs = await hold(port, cookie, paths[1:])
            await asyncio.sleep(1)
            per_document = (rss_kb(process.pid) - middle) / len(paths[1:]) - per_connection
            for editor in warm + many + docs:
                await editor.close()
            return per_connection, per_document

        per_connection, per_document = asyncio.run(scenario())
        print("\nSpeicher des Servers (RSS)")
        print(f"  je Verbindung: {per_connection:.0f} KB")
        print(f"  je offenem Dokument (ohne die Verbindung): {per_document:.0f} KB")
    finally:
        base.stop(process)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet-accounts", verbosity=0, stdout=open(os.devnull, "w"))
    user = User.objects.get(username="koordination-menden")
    project = LeadProject.objects.get(slug="offene-regionale-datenplattform")
    run_id = uuid.uuid4().hex[:6]
    results = [
        services.result_create(
            project=project, by=user, title=f"Bench {run_id} {n}", body="Gemeinsamer Text.\n" * 40
        )
        for n in range(51)
    ]
    paths = [result.get_absolute_url() for result in results]
    cookie = base.session_cookie(user)
    env = {**base.ENV, "COEDIT_VERSION_IDLE": "3600"}
    run_latency("Ein Prozess, Kanalschicht im Speicher", env, 1, cookie, paths[0])
    redis_env = {
        **env,
        "REDIS_URL": base.REDIS_URL,
        "CHANNEL_LAYER_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
    }
    run_latency("Zwei Prozesse, Redis", redis_env, 2, cookie, paths[0])
    state_size()
    memory(env, cookie, paths)


if __name__ == "__main__":
    main()
