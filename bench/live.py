"""Benchmark: how fast a saved version reaches N open result pages.

For N = 10, 100, 500 websocket clients on one result, one save through HTTP; measured from
the commit (the event's ``sent_at``) until each client has the event: p50, p95, p99, max and
delivered/expected. Two set-ups: one ASGI process with the in-memory layer, and two processes
sharing Redis (clients split across both). Beside each, a bare Channels broadcast measured in
the same run: the floor Channels itself sets. Usage: ``make bench`` (needs REDIS_URL or a local
Redis on 127.0.0.1:6379 for the second set-up).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="klassenraum-live-bench-"))
ENV = {
    **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
    "DEBUG": "1",
    "SQLITE_PATH": str(TMP / "live.sqlite3"),
    "LIVE_BENCH_ROUTES": "1",
    "DJANGO_SETTINGS_MODULE": "workspace.settings",
}
os.environ.update({k: ENV[k] for k in ("DEBUG", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")})
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SIZES = [int(n) for n in os.environ.get("BENCH_CLIENTS", "10,100,500").split(",")]

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from projects.models import Result  # noqa: E402
from workspace.clients import uvicorn_proxy_args  # noqa: E402
from workspace.models import User  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "workspace.asgi:application", "--port", str(port),
         "--lifespan", "off", "--log-level", "warning", "--ws-per-message-deflate", "false",
         *uvicorn_proxy_args(env.get("TRUSTED_PROXIES", ""))],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=(TMP / f"server-{port}.log").open("w"),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(
        f"Server auf Port {port} startet nicht: {(TMP / f'server-{port}.log').read_text()}"
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(10)


def session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "workspace.backends.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def save_through_http(port: int, cookie: str, result: Result) -> None:
    path = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/bearbeiten/"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    revision = re.search(r'name="base_revision" value="(\d+)"', page).group(1)
    current = Result.objects.get(pk=result.pk)
    body = {
        "csrfmiddlewaretoken": token, "base_revision": revision, "title": current.title,
        "summary": current.summary, "kind": current.kind, "maturity": current.maturity,
        "body": current.body + f"\nGemessen um {time.time()}", "note": "Benchmark",
    }  # fmt: skip
    from urllib.parse import urlencode

    cookies = cookie + (f"; csrftoken={csrf_cookie.group(1)}" if csrf_cookie else "")
    connection.request(
        "POST", path, body=urlencode(body),
        headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"http://127.0.0.1:{port}{path}"},
    )  # fmt: skip
    answer = connection.getresponse()
    answer.read()
    if answer.status != 302:
        raise SystemExit(f"Speichern scheiterte: HTTP {answer.status}")


async def clients(urls: list[str], cookie: str, n: int, expect: str):
    sockets = []
    for i in range(n):
        url = urls[i % len(urls)]
        origin = "http://" + url.split("/")[2]
        sockets.append(
            await websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": origin},
                                     max_queue=None)
        )  # fmt: skip
    return sockets


async def wait_for(sockets, kind: str | None, timeout: float = 20) -> list[float]:
    async def one(ws) -> float | None:
        try:
            async with asyncio.timeout(timeout):
                while True:
                    data = json.loads(await ws.recv())
                    if kind is None or data.get("event") == kind:
                        return time.time() - data["sent_at"]
        except TimeoutError:
            return None

    return await asyncio.gather(*(one(ws) for ws in sockets))


def summary(label: str, latencies: list[float | None], expected: int) -> str:
    got = sorted(x * 1000 for x in latencies if x is not None)
    if not got:
        return f"{label:<34}{'–':>8}{'–':>8}{'–':>8}{'–':>8}{0:>6}/{expected}"
    pick = lambda q: got[min(len(got) - 1, int(round(q * (len(got) - 1))))]  # noqa: E731
    return (
        f"{label:<34}{statistics.median(got):>8.1f}{pick(0.95):>8.1f}{pick(0.99):>8.1f}"
        f"{got[-1]:>8.1f}{len(got):>6}/{expected}"
    )


async def measure(ports: list[int], cookie: str, result: Result, n: int) -> list[str]:
    base = [f"ws://127.0.0.1:{p}" for p in ports]
    path = f"/ws/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/"
    pages = await clients([b + path for b in base], cookie, n, "version")
    await asyncio.sleep(1)  # let every welcome and presence exchange settle
    waiting = asyncio.ensure_future(wait_for(pages, "version"))
    await asyncio.to_thread(save_through_http, ports[0], cookie, result)
    app = await waiting
    for ws in pages:
        await ws.close()

    bare = await clients([b + "/ws/bench/" for b in base], cookie, n, "")
    trigger = await clients([base[0] + "/ws/bench/"], cookie, 1, "")
    await asyncio.sleep(0.5)
    waiting = asyncio.ensure_future(wait_for(bare, None))
    await trigger[0].send("{}")
    floor = await waiting
    for ws in [*bare, *trigger]:
        await ws.close()
    return [
        summary(f"Ergebnis-Update, N={n}", app, n),
        summary(f"nackter Broadcast, N={n}", floor, n),
    ]


def run(label: str, env: dict, processes: int, cookie: str, result: Result) -> None:
    servers = [start(env) for _ in range(processes)]
    try:
        print(f"\n{label}")
        print(f"{'':<34}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'zugestellt':>11}  (ms)")
        for n in SIZES:
            for line in asyncio.run(measure([port for _, port in servers], cookie, result, n)):
                print(line)
    finally:
        for process, _ in servers:
            stop(process)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet-accounts", verbosity=0, stdout=open(os.devnull, "w"))
    user = User.objects.get(username="koordination-menden")
    result = Result.objects.select_related("project").get(
        title="Datenmodell für offene Haushaltsdaten"
    )
    cookie = session_cookie(user)
    run("Ein Prozess, Kanalschicht im Speicher", ENV, 1, cookie, result)
    redis_env = {
        **ENV,
        "REDIS_URL": REDIS_URL,
        "CHANNEL_LAYER_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
    }
    run("Zwei Prozesse, Redis", redis_env, 2, cookie, result)


if __name__ == "__main__":
    main()
