"""Done when 1: the worker killed with SIGKILL in the middle of sending an issue to 1,000
subscribers, then restarted: every address holds the issue once, at most one holds it twice,
none is missing, and the log names the one that may have it twice.

Everything runs for real and out of this process, as in production: ``manage.py migrate`` on a
fresh database (an SQLite file, or a new PostgreSQL database when ``DATABASE_URL`` is set, so
the test runs in both runs), ``manage.py db_worker`` as a subprocess, an aiosmtpd server on
loopback in a thread of this process holding the mails. Nobody presses "Versand fortsetzen":
the restarted worker resumes by itself through the watchdog task waiting in the queue.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 1000
# Mails the server holds when the worker is killed (must land in 200–800); not a multiple of
# the batch size, so the kill hits a batch in the middle, with a mail on the wire.
KILL_AT = 350
LEASE_SECONDS = "2"
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")

ARRANGE = f"""
from network.newsletter import services
from network.newsletter.models import Subscriber
from workspace import services as core

office = core.user_create(
    username="buero", password="geheim-und-lang-genug", display_name="Büro", email="b@example.org"
)
core.network_office_add(user=office)
Subscriber.objects.bulk_create(
    [Subscriber(email=f"leser{{i}}@example.org", state="confirmed", consent_version="2025-1",
                unsubscribe_key=f"k{{i}}") for i in range({SUBSCRIBERS})]
    + [Subscriber(email=f"wartet{{i}}@example.org", consent_version="2025-1") for i in range(5)]
    + [Subscriber(email=f"weg{{i}}@example.org", state="unsubscribed", consent_version="2025-1")
       for i in range(5)]
)
issue = services.issue_create(by=office, title="Absturzsicher", editorial="Hallo!")
print(services.issue_send(issue=issue, by=office))
"""


class _Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 – aiosmtpd's name
        with self._lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"

    def __len__(self) -> int:
        with self._lock:
            return len(self.recipients)


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def database(tmp_path) -> Iterator[tuple[dict[str, str], Callable[[str], list]]]:
    """A fresh, migrated database: its environment and a function running a read query."""
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        path = tmp_path / "versand.sqlite3"
        env["SQLITE_PATH"] = str(path)
        _manage(env, "migrate", "--no-input", "-v0")

        def query(sql: str) -> list:
            with sqlite3.connect(path, timeout=20) as connection:
                return connection.execute(sql).fetchall()

        yield env, query
        return

    import psycopg
    from psycopg import sql as pgsql

    name = f"klassenraum_newsletter_crash_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    env["DATABASE_URL"] = url
    try:
        _manage(env, "migrate", "--no-input", "-v0")

        def query(sql: str) -> list:
            with psycopg.connect(url, autocommit=True) as connection:
                return connection.execute(sql).fetchall()

        yield env, query
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name))
            )


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {args[0]}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name=*",
                "--interval=0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for(
    condition: Callable[[], bool], timeout: float, what: str, worker, log, pause: float = 0.002
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"Der Worker ist beendet ({what}):\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            pytest.fail(f"Zeit abgelaufen: {what}\n{log.read_text(errors='replace')}")
        time.sleep(pause)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def test_sigkill_in_the_middle_of_sending_loses_nothing_and_doubles_at_most_one(
    database, inbox, tmp_path
):
    env, query = database
    handler, port = inbox
    env = {
        **env,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "NEWSLETTER_LEASE_SECONDS": LEASE_SECONDS,
        "NEWSLETTER_BATCH_SIZE": "100",
    }
    assert _manage(env, "shell", "-c", ARRANGE).strip().endswith(str(SUBSCRIBERS))

    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    worker = _start_worker(env, first_log)
    try:
        _wait_for(lambda: len(handler) >= KILL_AT, 60, "erste Mails", worker, first_log)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    finally:
        _stop(worker)
    time.sleep(0.3)  # a mail whose last byte was already on the wire may still arrive
    held_at_kill = len(handler)
    assert 200 <= held_at_kill <= 800, held_at_kill
    # What SIGKILL leaves behind: the task RUNNING for ever, the issue half sent.
    assert query("SELECT state FROM newsletter_issue") == [("sending",)]
    assert query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status='RUNNING'"
    ) == [(1,)]

    worker = _start_worker(env, second_log)
    try:
        _wait_for(
            lambda: query("SELECT state FROM newsletter_issue") == [("sent",)],
            90,
            "Versand abgeschlossen",
            worker,
            second_log,
            pause=0.25,  # each look is a database connection; do not compete with the worker
        )
    finally:
        _stop(worker)

    received = Counter(handler.recipients)
    expected = {f"leser{i}@example.org" for i in range(SUBSCRIBERS)}
    assert set(received) == expected, "fehlend oder unerwartet"
    twice = [address for address, n in received.items() if n > 1]
    assert max(received.values()) <= 2
    assert len(twice) <= 1, twice
    assert len(handler.recipients) <= SUBSCRIBERS + 1

    log = second_log.read_text(errors="replace")
    resent = [email for (email,) in query("SELECT email FROM newsletter_delivery WHERE resent")]
    assert len(resent) <= 1
    # The mail that may have gone out twice is named, by address, in the log and the record.
    for address in twice:
        assert address in resent
    for address in resent:
        assert f"{address} war beim Abbruch des Versands unterwegs" in log
    assert query("SELECT count(*) FROM newsletter_delivery WHERE state <> 'sent'") == [(0,)]
