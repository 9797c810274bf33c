"""The browser world: the real ASGI server in a subprocess, a fresh database, system Chromium.

One server runs for the whole session (``app_server``), on a database of its own: a temporary
SQLite file, or, when ``DATABASE_URL`` is set, a freshly created PostgreSQL database that is
dropped at the end. ``REDIS_URL`` is passed through, so with it set the live updates travel
through Redis as in production. Every test gets fresh browser contexts from pytest-playwright;
``base_url`` points them at the server, so ``page.goto("/")`` opens its start page.
"""

from __future__ import annotations

import datetime
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyotp
import pytest
from playwright.sync_api import Page, expect

from workspace.clients import uvicorn_proxy_args
from workspace.identity.demo import DEMO_TOTP_SECRET

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 30.0  # seconds until /healthz has to answer 200
DEMO_PASSWORD = "demo"  # noqa: S105 – the published password of the demo accounts

# Only what a Python process needs from the outside; everything the app reads is set explicitly,
# so a DATABASE_URL or SQLITE_PATH of the developer's shell can never leak into the run.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` in ``env``; its standard output, or the test fails with both streams."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} ist gescheitert:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def start_server(env: dict[str, str], log: Path) -> Server:
    """Start uvicorn in its own process group and wait until /healthz answers 200."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "workspace.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                # As `make run`: forwarded headers only from the app's trusted proxies.
                *uvicorn_proxy_args(env.get("TRUSTED_PROXIES", "")),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url=url, process=process, log=log)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if _healthy(port):
            return server
        # Waiting on the process doubles as the pause between two attempts and notices a crash.
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        break
    stop_server(server)
    pytest.fail(
        f"Der Server auf {url} ist nicht gestartet (Exit-Code {process.returncode}).\n"
        f"--- {log} ---\n{log.read_text(errors='replace')}",
        pytrace=False,
    )


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()
        except ProcessLookupError:
            pass


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment of every server process of the run, on a fresh, migrated, seeded database."""
    run_id = uuid.uuid4().hex[:12]
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env["DEBUG"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    # The bell of the embedded default asks for new notifications this often (seconds).
    env["NOTIFICATION_POLL_SECONDS"] = "1"
    # Uploads (result attachments) of the run go to a directory of its own, not into media/.
    env["MEDIA_ROOT"] = str(tmp_path_factory.mktemp("media"))
    if redis_url := os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = redis_url
        # Our own group names in a shared Redis: a developer's server or another run on the
        # same Redis must not show up in (or disturb) the presence lists of this run.
        env["CHANNEL_LAYER_PREFIX"] = f"klassenraum-e2e-{run_id}"
        # The rate limits count in that Redis too: this run's counters are its own.
        env["CACHE_KEY_PREFIX"] = f"klassenraum-e2e-{run_id}"

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        env["SQLITE_PATH"] = str(tmp_path_factory.mktemp("db") / "e2e.sqlite3")
        _manage(env, "migrate", "--no-input")
        _manage(env, "seed_demo", "--quiet-accounts")
        yield env
        return

    import psycopg
    from psycopg import sql

    name = f"klassenraum_e2e_{run_id}"
    parts = urlsplit(database_url)
    # CREATE/DROP DATABASE run from the maintenance database, never inside the one they change.
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        _manage(env, "migrate", "--no-input")
        _manage(env, "seed_demo", "--quiet-accounts")
        yield env
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def app_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    server = start_server(server_env, tmp_path_factory.mktemp("server") / "uvicorn.log")
    yield server
    crashed = server.process.poll() is not None
    stop_server(server)
    if crashed:
        pytest.fail(
            f"Der Server ist während der Tests abgestürzt.\n--- {server.log} ---\n"
            f"{server.log.read_text(errors='replace')}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def base_url(app_server: Server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """System Chromium (browsers cannot be downloaded here), headless unless --headed."""
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A German browser, as the network's users have: the site follows Accept-Language."""
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}


def _log_in(page: Page, username: str, password: str = DEMO_PASSWORD, *, base: str = "") -> None:
    """Log in through the real form, as a person would, and wait for the logged-in header.

    ``base`` is only needed for a server other than ``base_url``.
    """
    page.goto(f"{base}/konto/anmelden/")
    page.get_by_label("Benutzername", exact=True).fill(username)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    if username in DEMO_SECOND_FACTOR_ACCOUNTS:
        enter_totp_code(page, account=username)
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()


# The demo accounts whose rights need a second factor: the office and the committee's deputy
# chair (workspace/identity/demo.py gives both the README's secret).
DEMO_SECOND_FACTOR_ACCOUNTS = {"buero", "steuerkreis-arnsberg"}

_used_totp_steps: set[tuple[str, int]] = set()


def enter_totp_code(page: Page, secret: str = DEMO_TOTP_SECRET, *, account: str = "buero") -> None:
    """Answer the second-factor page with the app's current code (the demo world's secret,
    README), as a phone shows it at that moment."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden: zweiter Faktor")
    totp = pyotp.TOTP(secret)
    # A code counts once per account (the server remembers it), so a second login of the same
    # account in the same 30 seconds waits for the next step.
    while (
        account,
        totp.timecode(now := datetime.datetime.now(tz=datetime.UTC)),
    ) in _used_totp_steps:
        time.sleep(1)
    _used_totp_steps.add((account, totp.timecode(now)))
    page.get_by_label("Code aus der Authenticator-App").fill(totp.at(now))
    page.get_by_role("button", name="Bestätigen").click()


@pytest.fixture(scope="session")
def manage(server_env: dict[str, str]) -> Callable[..., str]:
    """``manage("shell", "-c", code)``: manage.py on the server's database.

    Returns the command's output; a failing command fails the test. For arranging data the
    browser cannot create (another account, say) while the server is up.
    """
    return lambda *args: _manage(server_env, *args)


@pytest.fixture
def log_in() -> Callable[..., None]:
    """``log_in(page, "koordination-menden")``: through the login form, password ``demo``."""
    return _log_in


@pytest.fixture
def second_server(
    app_server: Server, server_env: dict[str, str], tmp_path: Path
) -> Iterator[Server]:
    """Another server process on the same database and the same channel layer as the first."""
    server = start_server(server_env, tmp_path / "uvicorn-2.log")
    yield server
    stop_server(server)
