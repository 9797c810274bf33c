"""Who the client is (workspace/clients.py), as the login lock and the throttles see it.

Against the real server, started as ``make run`` starts it (``tests/e2e/conftest.py``'s
``start_server``): a forged ``X-Forwarded-For`` from a peer that is no trusted proxy changes
nothing, so twelve wrong passwords with twelve made-up addresses are locked like any others;
behind a trusted proxy two clients are counted apart. Then the parsing itself.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from network.dates.forms import form_started_token
from network.dates.models import TopicSuggestion
from network.dates.services import SUGGESTIONS_PER_SENDER_AND_HOUR
from tests.conftest import PASSWORD
from tests.e2e.conftest import Server, _manage, start_server, stop_server
from workspace.clients import client_from, parse_address, scope_client_address

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5
ATTEMPTS = 12
REAL_PASSWORD = "Sauerland-Daten-2026"  # noqa: S105 – a test account's password
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


# --- the real server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_env(tmp_path_factory) -> dict[str, str]:
    """A migrated database of its own with the accounts ``ada`` and ``bert``."""
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(
        DEBUG="1",
        PYTHONUNBUFFERED="1",
        SQLITE_PATH=str(tmp_path_factory.mktemp("db") / "clients.sqlite3"),
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        AXES_FAILURE_LIMIT=str(LIMIT),
    )
    _manage(env, "migrate", "--no-input")
    _manage(
        env,
        "shell",
        "-c",
        "from workspace.models import User\n"
        "for name in ('ada', 'bert'):\n"
        f"    User.objects.create_user(name, f'{{name}}@example.org', {REAL_PASSWORD!r})\n",
    )
    return env


def _server(env: dict[str, str], log: Path) -> Iterator[Server]:
    server = start_server(env, log)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def plain_server(server_env, tmp_path_factory) -> Iterator[Server]:
    """No proxy configured: the embedded default of ``make run``."""
    yield from _server(server_env, tmp_path_factory.mktemp("plain") / "uvicorn.log")


@pytest.fixture(scope="module")
def proxied_server(server_env, tmp_path_factory) -> Iterator[Server]:
    """Behind a proxy on loopback, which the configuration trusts."""
    env = {**server_env, "BEHIND_PROXY": "1", "TRUSTED_PROXIES": "127.0.0.1"}
    yield from _server(env, tmp_path_factory.mktemp("proxied") / "uvicorn.log")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor with its own cookies, sending whatever X-Forwarded-For it likes."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, username: str, password: str, *, forwarded: str | None = None) -> int:
        login = f"{self.base}/konto/anmelden/"
        status, page = self._open(urllib.request.Request(login))  # noqa: S310 – loopback
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, page[:500]
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        status, _page = self._open(
            urllib.request.Request(login, data=body, headers=headers, method="POST")  # noqa: S310
        )
        return status


def test_forged_forwarded_addresses_from_loopback_are_locked_like_any_other(plain_server):
    """Fails with uvicorn's default (--forwarded-allow-ips 127.0.0.1): each made-up address
    was a new client, and the twelve attempts were never locked."""
    browser = Browser(plain_server.url)
    statuses = [
        browser.log_in("ada", "falsch", forwarded=f"198.51.100.{n}") for n in range(ATTEMPTS)
    ]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1), statuses  # the form again
    assert statuses[LIMIT:] == [429] * (ATTEMPTS - LIMIT), statuses  # locked
    # Locked means locked: the right password with yet another made-up address is refused too.
    assert browser.log_in("ada", REAL_PASSWORD, forwarded="192.0.2.77") == 429
    assert Browser(plain_server.url).log_in("ada", REAL_PASSWORD) == 429


def test_behind_a_trusted_proxy_two_clients_are_counted_apart(proxied_server):
    attacker, colleague = Browser(proxied_server.url), Browser(proxied_server.url)
    statuses = [attacker.log_in("bert", "falsch", forwarded="203.0.113.5") for _ in range(ATTEMPTS)]
    assert statuses[LIMIT:] == [429] * (ATTEMPTS - LIMIT), statuses
    # The proxy forwards another client: the lock of the first is not theirs.
    assert colleague.log_in("bert", REAL_PASSWORD, forwarded="198.51.100.23") == 302
    assert attacker.log_in("bert", REAL_PASSWORD, forwarded="203.0.113.5") == 429
    # A client cannot slip out by prepending addresses: the proxy's own hop counts.
    assert attacker.log_in("bert", REAL_PASSWORD, forwarded="10.9.9.9, 203.0.113.5") == 429


# --- in the process: the same rules for other peers and for the throttles --------------------


def _login(client: Client, password: str, **meta) -> int:
    return client.post(
        reverse("login"), {"username": "fremd", "password": password}, **meta
    ).status_code


@pytest.mark.django_db
def test_a_forged_header_from_an_untrusted_peer_changes_nothing(settings, stranger):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["10.0.0.1"]
    settings.AXES_FAILURE_LIMIT = LIMIT
    client = Client()
    statuses = [
        _login(client, "falsch", REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(ATTEMPTS)
    ]
    assert statuses[LIMIT:] == [429] * (ATTEMPTS - LIMIT), statuses
    # From the trusted proxy, the peer that was locked is another client than a colleague.
    assert _login(Client(), PASSWORD, REMOTE_ADDR="192.0.2.50") == 429
    assert (
        _login(Client(), PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.51") == 302
    )


def _suggest(client: Client, n: int, **meta) -> int:
    started = form_started_token(timezone.now() - datetime.timedelta(seconds=30))
    data = {"title": f"Thema {n}", "started": started}
    return client.post(reverse("dates:suggest"), data, **meta).status_code


@pytest.mark.django_db
def test_topic_suggestions_count_the_client_not_the_forged_header(settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["10.0.0.0/8"]
    client = Client()
    for n in range(SUGGESTIONS_PER_SENDER_AND_HOUR):
        assert (
            _suggest(client, n, REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}") == 302
        )
    # A new made-up address does not make a new sender.
    assert _suggest(client, 9, REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR="1.2.3.99") == 400
    # Two people behind the trusted proxy are two senders.
    assert _suggest(client, 10, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="192.0.2.61") == 302
    assert TopicSuggestion.objects.count() == SUGGESTIONS_PER_SENDER_AND_HOUR + 1


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1 ", "192.0.2.1"),
        ("192.0.2.1:4711", "192.0.2.1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:192.0.2.9", "192.0.2.9"),
        ("unknown", None),
        ("_hidden", None),
        ("", None),
        ("192.0.2.256", None),
        ("192.0.2.1\r\nX-Evil: 1", None),
        ("<script>", None),
    ],
)
def test_parse_address(text, expected):
    parsed = parse_address(text)
    assert (str(parsed) if parsed else None) == expected


@pytest.fixture
def behind_proxies(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8", "2001:db8:ffff::/48"]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # Untrusted peers are the client, whatever they send.
        ("192.0.2.1", ["198.51.100.1"], "192.0.2.1"),
        ("192.0.2.1", [], "192.0.2.1"),
        # A trusted proxy: the rightmost address that is not one of ours.
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1, 10.0.0.2"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6", "198.51.100.1,10.0.0.2"], "198.51.100.1"),  # two headers
        ("127.0.0.1", ["10.0.0.3, 10.0.0.2"], "10.0.0.3"),  # only proxies: the first of them
        ("127.0.0.1", [], "127.0.0.1"),
        # IPv6 and ports, on both sides.
        ("2001:db8:ffff::7", ["[2001:db8::42]:5555"], "2001:db8::42"),
        ("::ffff:127.0.0.1", ["198.51.100.1:1234"], "198.51.100.1"),
        ("127.0.0.1", ["2001:DB8::0042"], "2001:db8::42"),
        # Garbage: never believed, the last address known to be true stands.
        ("127.0.0.1", ["6.6.6.6, unknown"], "127.0.0.1"),
        ("127.0.0.1", ["198.51.100.1, 10.0.0.2, garbage"], "127.0.0.1"),
        ("127.0.0.1", ["6.6.6.6, garbage, 198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", [","], "127.0.0.1"),
        ("not-an-address", ["198.51.100.1"], ""),
        ("", ["198.51.100.1"], ""),
    ],
)
def test_client_from(behind_proxies, peer, forwarded, client):
    assert client_from(peer, forwarded) == client


def test_nobody_is_trusted_without_behind_proxy(settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = False, ["127.0.0.1"]
    assert client_from("127.0.0.1", ["198.51.100.1"]) == "127.0.0.1"
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, []
    assert client_from("127.0.0.1", ["198.51.100.1"]) == "127.0.0.1"


def test_the_asgi_scope_reads_alike(behind_proxies):
    scope = {
        "client": ("127.0.0.1", 50000),
        "headers": [(b"x-forwarded-for", b"6.6.6.6"), (b"X-Forwarded-For", b"198.51.100.1")],
    }
    assert scope_client_address(scope) == "198.51.100.1"
    assert scope_client_address({**scope, "client": ("192.0.2.1", 1)}) == "192.0.2.1"
    assert scope_client_address({"headers": []}) == ""


# --- every server command the repository ships ------------------------------------------------

_SHIPPED = ["Makefile", "README.md", "bench/*.py", "deploy/**/*.in", "deploy/*.py", "tests/**/*.py"]
_PROXY_FLAGS = (
    "--no-proxy-headers",
    "--forwarded-allow-ips",
    "uvicorn_proxy_args",
    "UVICORN_PROXY",
)


def test_every_uvicorn_command_line_sets_whom_it_believes():
    """uvicorn's default believes X-Forwarded-For from 127.0.0.1; no command may rely on it."""
    unset = []
    for pattern in _SHIPPED:
        for path in sorted(ROOT.glob(pattern)):
            if path == Path(__file__):
                continue
            lines = path.read_text(errors="replace").splitlines()
            for number, line in enumerate(lines):
                if "workspace.asgi:application" in line and (
                    "uvicorn" in " ".join(lines[max(0, number - 8) : number + 1])
                ):
                    command = " ".join(lines[number : number + 14])
                    if not any(flag in command for flag in _PROXY_FLAGS):
                        unset.append(f"{path.relative_to(ROOT)}:{number + 1}")
    assert not unset, f"uvicorn ohne --forwarded-allow-ips/--no-proxy-headers: {unset}"


def test_check_deploy_warns_of_a_proxy_nobody_trusts():
    from tests.workspace.test_settings import PRODUCTION, _manage

    untrusted = _manage("check", "--deploy", **PRODUCTION, BEHIND_PROXY="1")
    assert "klassenraum.W001" in untrusted.stderr + untrusted.stdout
    trusted = _manage(
        "check", "--deploy", **PRODUCTION, BEHIND_PROXY="1", TRUSTED_PROXIES="127.0.0.1"
    )
    assert "klassenraum.W001" not in trusted.stderr + trusted.stdout
    refused = _manage("check", **PRODUCTION, TRUSTED_PROXIES="127.0.0.1")
    assert refused.returncode != 0 and "BEHIND_PROXY" in refused.stderr
    garbage = _manage("check", **PRODUCTION, BEHIND_PROXY="1", TRUSTED_PROXIES="nginx")
    assert garbage.returncode != 0 and "TRUSTED_PROXIES" in garbage.stderr
