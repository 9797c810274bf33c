"""The production topology, as an operator runs it: ``make serve`` with two app nodes.

nginx (TLS) in front of gunicorn and two uvicorn processes per node, the worker, PostgreSQL
and Redis: everything started by ``deploy/serve.py`` on free loopback ports and a database of
its own. Chromium and plain HTTP clients go through nginx only, over HTTPS.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.services,
    # One topology for the whole module: its tests go to one test worker (--dist loadgroup).
    pytest.mark.xdist_group("production"),
    # The certificate is the self-signed one make serve makes at start.
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "/leitprojekte/offene-regionale-datenplattform/"
# pgrep's pattern for one websocket process of make serve (a regular expression).
WEBSOCKET_PROCESS = r"uvicorn workspace\.asgi:application .*--port {port} "
STARTUP_TIMEOUT = 240.0  # migrate, seed the demo world, collectstatic, then every process


@dataclass
class Topology:
    url: str
    http_url: str
    runtime: Path
    media: Path
    process: subprocess.Popen
    app_port: int


def _ports_free(first: int, count: int) -> bool:
    for port in range(first, first + count):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _port_block(count: int) -> int:
    """A run of ``count`` free ports (two app nodes take ports base … base + 12)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base + count < 65000 and _ports_free(base, count):
            return base
    raise RuntimeError("keine freien Ports")


def _get(url: str, **kwargs):
    import requests

    return requests.get(url, verify=False, timeout=10, **kwargs)  # noqa: S501 – self-signed


@pytest.fixture(scope="session")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    import psycopg
    from psycopg import sql

    database_url = os.environ["DATABASE_URL"]
    name = f"klassenraum_serve_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    runtime = tmp_path_factory.mktemp("serve")
    base = _port_block(24)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PYTEST")},
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNEL_LAYER_PREFIX": f"serve-{name}",
        "CACHE_KEY_PREFIX": f"serve-{name}",
        "NODES": "2",
        "HTTPS_PORT": str(base),
        "HTTP_PORT": str(base + 1),
        "APP_PORT": str(base + 2),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = runtime / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "deploy/serve.py", "--runtime", str(runtime / "run")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    topology = Topology(
        url=f"https://127.0.0.1:{base}",
        http_url=f"http://127.0.0.1:{base + 1}",
        runtime=runtime / "run",
        media=runtime / "run" / "media",
        process=process,
        app_port=base + 2,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"make serve ist beendet:\n{log.read_text()}", pytrace=False)
            try:
                if _get(topology.url + "/healthz").status_code == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            pytest.fail(f"make serve antwortet nicht:\n{log.read_text()}", pytrace=False)
        yield topology
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def https_context(browser, topology):
    contexts = []

    def make():
        context = browser.new_context(
            base_url=topology.url,
            ignore_https_errors=True,
            locale="de-DE",
            timezone_id="Europe/Berlin",
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, username: str) -> None:
    page.goto("/konto/anmelden/")
    page.get_by_label("Benutzername", exact=True).fill(username)
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()


def process_names(page: Page) -> list[str]:
    """Every process named in a welcome message of this page's sockets (JSON or Yjs)."""
    names: list[str] = []

    def on_socket(ws) -> None:
        def on_frame(payload) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            if '"welcome"' in text:
                match = re.search(r'"process":\s*"([^"]+)"', text)
                if match:
                    names.append(match.group(1))

        ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return names


def first_result_path(page: Page) -> str:
    page.goto(PROJECT)
    return page.locator(f"a[href^='{PROJECT}ergebnisse/']").first.get_attribute("href")


def test_through_nginx_log_in_edit_live_and_coedit_across_processes(https_context, topology):
    coordinator = https_context().new_page()
    log_in(coordinator, "koordination-menden")
    path = first_result_path(coordinator)

    # A member follows the result page; a form save reaches it live, through nginx's /ws/.
    watcher = https_context().new_page()
    log_in(watcher, "team-iserlohn")
    watcher.goto(path)
    expect(watcher.locator("[data-live-connected='true']")).to_be_attached()
    coordinator.goto(path + "bearbeiten/?einfach=1")  # the plain form
    marker = f"Über nginx gespeichert {uuid.uuid4().hex[:6]}"
    body = coordinator.get_by_label("Inhalt (optional)")
    body.fill(body.input_value() + "\n\n" + marker)
    coordinator.get_by_role("button", name="Speichern", exact=True).click()
    expect(coordinator.locator("#ergebnis-inhalt")).to_contain_text(marker)
    expect(watcher.locator("#ergebnis-inhalt")).to_contain_text(marker)

    # Two people co-edit; their sockets land on different websocket processes.
    first = https_context().new_page()
    first_names = process_names(first)
    log_in(first, "koordination-menden")
    second = https_context().new_page()
    second_names = process_names(second)
    log_in(second, "team-iserlohn")
    open_shared_editor(first, path)
    for _ in range(8):
        open_shared_editor(second, path)
        if set(second_names) - set(first_names):
            break
        second_names.clear()
    assert first_names and second_names
    assert set(second_names) - set(first_names), (first_names, second_names)
    for page in (first, second):  # both hold the stored text before anyone types
        page.wait_for_function(
            "() => window.klassenraumCoedit && window.klassenraumCoedit.ytext.length > 0"
        )
    editor = first.get_by_role("textbox", name="Inhalt", exact=True)
    editor.click()
    first.keyboard.press("Control+End")
    first.keyboard.type(" Zusammen")
    for page in (first, second):
        page.wait_for_function(
            "() => window.klassenraumCoedit.ytext.toString().includes(' Zusammen')"
        )


def open_shared_editor(page: Page, path: str) -> None:
    page.goto(path + "bearbeiten/")  # the shared editor starts by itself
    expect(page.locator("#coedit-status")).to_contain_text("Gemeinsame Bearbeitung läuft")


def test_attachments_only_after_the_check_and_static_files_with_long_caches(
    https_context, topology
):
    page = https_context().new_page()
    log_in(page, "koordination-menden")
    path = first_result_path(page)
    page.goto(path)
    content = b"%PDF-1.4\n% Klassenraum hinter nginx\n"
    page.locator("input[type=file]").set_input_files(
        {"name": "Hinter-nginx.pdf", "mimeType": "application/pdf", "buffer": content}
    )
    page.get_by_role("button", name="Anhang hochladen").click()
    link = page.get_by_role("link", name="Hinter-nginx.pdf")
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == content

    stored = [p for p in topology.media.rglob("*") if p.is_file() and p.read_bytes() == content]
    assert stored, "die Datei liegt im gemeinsamen Speicher"
    relative = stored[0].relative_to(topology.media).as_posix()
    assert _get(f"{topology.url}/media/{relative}").status_code == 404
    assert _get(f"{topology.url}/_geschuetzt/{relative}").status_code == 404
    # Through the app's URL the file comes, after the check, from nginx (X-Accel-Redirect).
    response = page.context.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.body() == content
    assert "x-accel-redirect" not in response.headers

    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    static = _get(topology.url + stylesheet, headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert static.headers.get("Content-Encoding") == "gzip"


def test_limits_redirects_and_health_through_the_proxy(topology):
    import requests

    redirect = requests.get(topology.http_url + "/leitprojekte/", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == topology.url + "/leitprojekte/"

    too_big = requests.post(
        topology.url + "/mitmachen/",
        data=b"x" * (60 * 1024 * 1024),
        verify=False,  # noqa: S501
        timeout=60,
    )
    assert too_big.status_code == 413
    health = _get(topology.url + "/healthz")
    assert health.status_code == 200
    parts = json.loads(health.text)
    assert parts["database"] == "ok" and parts["channel_layer"] == "ok"


def test_a_process_that_dies_is_started_again(topology):
    """As systemd's Restart= does: a websocket process killed hard is back within seconds."""
    port = topology.app_port + 1  # the first websocket process of the first node
    found = subprocess.run(
        ["pgrep", "-f", WEBSOCKET_PROCESS.format(port=port)],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(found) == 1, found
    os.kill(int(found[0]), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        again = subprocess.run(
            ["pgrep", "-f", WEBSOCKET_PROCESS.format(port=port)],
            capture_output=True,
            text=True,
        ).stdout.split()
        if again and again != found and _ports_free(port, 1) is False:
            break
        time.sleep(0.5)
    else:
        pytest.fail("der Websocket-Prozess wurde nicht neu gestartet")
    assert topology.process.poll() is None
    assert _get(topology.url + "/healthz").status_code == 200
