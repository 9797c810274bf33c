"""The rate limits across two real server processes (uvicorn, as ``make run`` starts it) on one
PostgreSQL database, sharing their counters in Redis: a person who alternates between the two
is counted once, and the request after the limit gets 429 from whichever process it reaches,
with nothing written — no row, no mail.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from network.dates.forms import form_started_token
from tests.conftest import _Inbox
from tests.e2e.conftest import DEMO_PASSWORD, Server, start_server, stop_server

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]

FORMS = (
    "join",
    "newsletter",
    "password_reset",
    "suggestion",
    "barrier_report",
    "comment",
    "search",
)
PER_PERSON = 2
PER_ADDRESS = 5  # the search's limit per client address in this module
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


@pytest.fixture(scope="module")
def inbox() -> Iterator[_Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = _Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    received.port = port
    yield received
    controller.stop()


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    parts = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    name = f"klassenraum_limits_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def servers(database, inbox, tmp_path_factory) -> Iterator[tuple[Server, Server]]:
    run = uuid.uuid4().hex[:10]
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(
        DEBUG="1",
        PYTHONUNBUFFERED="1",
        DATABASE_URL=database,
        REDIS_URL=os.environ["REDIS_URL"],
        CACHE_URL=os.environ.get("CACHE_URL") or os.environ["REDIS_URL"],
        CACHE_KEY_PREFIX=f"limits-{run}",
        CHANNEL_LAYER_PREFIX=f"limits-{run}",
        EMAIL_URL=f"smtp://127.0.0.1:{inbox.port}",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        **{f"RATE_LIMIT_{form.upper()}_PERSON": f"{PER_PERSON}/h" for form in FORMS},
        # Behind a proxy on loopback (as deploy/ runs it): the client is the forwarded address.
        BEHIND_PROXY="1",
        TRUSTED_PROXIES="127.0.0.1",
        RATE_LIMIT_SEARCH_ADDRESS=f"{PER_ADDRESS}/h",
    )
    _manage(env, "migrate", "--no-input")
    _manage(env, "seed_demo", "--quiet-accounts")
    first = start_server(env, tmp_path_factory.mktemp("first") / "uvicorn.log")
    try:
        second = start_server(env, tmp_path_factory.mktemp("second") / "uvicorn.log")
    except BaseException:
        stop_server(first)
        raise
    yield first, second
    stop_server(second)
    stop_server(first)


def _manage(env: dict[str, str], *args: str) -> None:
    """``manage.py`` in ``env``; a loaded machine may take minutes to migrate and seed."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One person with one cookie jar; cookies ignore the port, so both servers see them."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def open(
        self, url: str, data: dict | None = None, *, forwarded: str | None = None
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                self.last = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            self.last = error.code, error.read().decode()
        return self.last

    def token(self, url: str) -> str:
        status, page = self.open(url)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and found, page[:300]
        return found.group(1)


def _count(database: str, table: str) -> int:
    import psycopg
    from psycopg import sql

    with psycopg.connect(database) as connection:
        row = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
    return row[0]


def _request(form: str, server: Server, visitor: Visitor, database: str, n: int) -> int:
    """The ``n``-th request of ``form`` by the same person to ``server``; its status."""
    email = f"{form}.person@arnsberg.example"
    if form == "search":
        return visitor.open(f"{server.url}/suche/?q=Daten+{n}")[0]
    if form == "comment":
        import psycopg

        with psycopg.connect(database) as connection:
            (slug,) = connection.execute(
                "SELECT slug FROM projects_leadproject WHERE title LIKE '%%Datenplattform%%'"
            ).fetchone()
        page = f"{server.url}/leitprojekte/{slug}/"
        data = {"body": f"Gute Idee ({n})"}
        return visitor.open(
            f"{server.url}/diskussion/leitprojekte/{slug}/",
            {"csrfmiddlewaretoken": visitor.token(page), **data},
        )[0]
    page, data = {
        "join": (
            "/mitmachen/",
            {
                "other_municipality": "Meschede",
                "contact_name": "Maria Menke",
                "function": "Digitalisierung",
                "email": email,
                "message": f"Wir möchten mitmachen ({n}).",
                "consent": "on",
            },
        ),
        "newsletter": ("/schuelerzeitung/anmelden/", {"email": email, "consent": "on"}),
        # The demo office's address has an account, so a reset mails a link.
        "password_reset": ("/konto/passwort-vergessen/", {"email": "buero@example.org"}),
        "suggestion": (
            "/termine/pausenhof/thema-vorschlagen/",
            {
                "title": f"Thema {n}",
                "email": email,
                "started": form_started_token(timezone.now() - datetime.timedelta(seconds=30)),
            },
        ),
        "barrier_report": ("/barrierefreiheit/", {"message": f"Kontrast ({n})", "email": email}),
    }[form]
    url = server.url + page
    return visitor.open(url, {"csrfmiddlewaretoken": visitor.token(url), **data})[0]


WRITES = {
    "join": ["joining_joinrequest"],
    "newsletter": ["newsletter_subscriber", "newsletter_subscriptionlog"],
    "password_reset": [],
    "suggestion": ["dates_topicsuggestion"],
    "barrier_report": ["workspace_barrierreport"],
    "comment": ["discussion_comment"],
    "search": [],
}


@pytest.mark.parametrize("form", FORMS)
def test_two_processes_count_one_person_together(form, servers, database, inbox):
    first, second = servers
    visitor = Visitor()
    if form in ("comment", "search"):  # per person means per account here
        token = visitor.token(f"{first.url}/konto/anmelden/")
        status, _ = visitor.open(
            f"{first.url}/konto/anmelden/",
            {
                "csrfmiddlewaretoken": token,
                "username": "koordination-menden",
                "password": DEMO_PASSWORD,
            },
        )
        assert status == 302
    accepted = [_request(form, server, visitor, database, n) for n, server in enumerate(servers)]
    assert all(status in (200, 302) for status in accepted), accepted
    written = [_count(database, table) for table in WRITES[form]]
    mails = len(inbox.messages)
    assert sum(written) + mails > 0 or form == "search"
    # Each process has seen the person once; together twice: both refuse the third.
    for n, server in enumerate(servers, start=PER_PERSON):
        assert _request(form, server, visitor, database, n) == 429
        assert "Zu viele Anfragen in kurzer Zeit" in visitor.last[1]
    assert [_count(database, table) for table in WRITES[form]] == written
    assert len(inbox.messages) == mails


def test_two_clients_behind_the_trusted_proxy_are_counted_apart(servers):
    """Anonymous searches count per client address only: the proxy forwards two clients, and
    one reaching the limit (on either process) leaves the other untouched."""
    first, second = servers
    town_hall, colleague = Visitor(), Visitor()

    def search(visitor: Visitor, server: Server, forwarded: str) -> int:
        return visitor.open(f"{server.url}/suche/?q=Schule", forwarded=forwarded)[0]

    statuses = [search(town_hall, servers[n % 2], "192.0.2.10") for n in range(PER_ADDRESS)]
    assert statuses == [200] * PER_ADDRESS
    assert search(town_hall, first, "192.0.2.10") == 429
    # Made-up addresses left of the proxy's own entry change nothing.
    assert search(town_hall, second, "198.51.100.7, 192.0.2.10") == 429
    assert search(colleague, second, "192.0.2.11") == 200
    assert search(colleague, first, "192.0.2.11") == 200
