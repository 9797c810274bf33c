"""Rate limits of every form anyone can send (workspace/ratelimit.py).

For each form: every POST counts, valid or not; the one after the limit gets 429 with a German
page that says why and when to try again, and writes nothing. Per person (the account or the
e-mail address typed in) the limit is tight, per client address generous; two people behind
one trusted proxy are two clients. Across two real server processes sharing Redis the count is
one (``test_rate_limits_servers.py``).
"""

from __future__ import annotations

import datetime
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from network.dates.forms import form_started_token
from network.dates.models import TopicSuggestion
from network.discussion.models import Comment
from network.joining.models import JoinRequest
from network.newsletter.models import Subscriber, SubscriptionLog
from projects.models import TeamMembership
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.projects.factories import lead_project
from workspace import ratelimit
from workspace.models import BarrierReport, OutgoingMail
from workspace.ratelimit import Rate

pytestmark = pytest.mark.django_db

REFUSED = "Zu viele Anfragen in kurzer Zeit"


@dataclass(frozen=True)
class Form:
    limit: str  # the key of settings.RATE_LIMITS
    method: str
    url: Callable[[dict], str]
    data: Callable[[int, str], dict]  # the n-th request by the person with this address
    # What makes the same person's request one the form refuses with its messages (None: the
    # form has nothing to refuse that keeps the person, so the first request is a valid one).
    invalid: dict | None
    written: Callable[[], int]  # rows and mails the form writes
    who: str | None = None  # the logged-in sender's fixture; None: anonymous
    done: int = 302  # the answer to an accepted request


def _outbox() -> int:
    return len(mail.outbox) + OutgoingMail.objects.count()


def _started() -> str:
    return form_started_token(timezone.now() - datetime.timedelta(seconds=30))


FORMS = {
    "join": Form(
        limit="join",
        method="post",
        url=lambda world: "/mitmachen/",
        data=lambda n, email: {
            "other_municipality": "Meschede",
            "contact_name": "Maria Menke",
            "function": "Stabsstelle Digitalisierung",
            "email": email,
            "message": f"Wir möchten mitmachen ({n}).",
            "consent": "on",
        },
        invalid={"consent": ""},
        written=lambda: JoinRequest.objects.count() + _outbox(),
    ),
    "newsletter": Form(
        limit="newsletter",
        method="post",
        url=lambda world: "/schuelerzeitung/anmelden/",
        data=lambda n, email: {"email": email, "consent": "on"},
        invalid={"consent": ""},
        written=lambda: Subscriber.objects.count() + SubscriptionLog.objects.count() + _outbox(),
        done=200,  # "we sent you a mail" on the spot
    ),
    "password_reset": Form(
        limit="password_reset",
        method="post",
        url=lambda world: "/konto/passwort-vergessen/",
        data=lambda n, email: {"email": email},
        invalid=None,
        written=_outbox,
    ),
    "suggestion": Form(
        limit="suggestion",
        method="post",
        url=lambda world: "/termine/pausenhof/thema-vorschlagen/",
        data=lambda n, email: {"title": f"Thema {n}", "email": email, "started": _started()},
        invalid={"title": "", "started": "x"},
        written=lambda: TopicSuggestion.objects.count() + _outbox(),
    ),
    "barrier_report": Form(
        limit="barrier_report",
        method="post",
        url=lambda world: "/barrierefreiheit/",
        data=lambda n, email: {"message": f"Kontrast zu schwach ({n})", "email": email},
        invalid={"message": ""},
        written=lambda: BarrierReport.objects.count() + _outbox(),
    ),
    "comment": Form(
        limit="comment",
        method="post",
        url=lambda world: f"/diskussion/leitprojekte/{world['project'].slug}/",
        data=lambda n, email: {"body": f"Gute Idee ({n})"},
        invalid={"body": " "},
        written=lambda: Comment.objects.count(),
        who="outsider",
    ),
    "search": Form(
        limit="search",
        method="get",
        url=lambda world: "/suche/",
        data=lambda n, email: {"q": f"Daten {n}"},
        invalid={"q": ""},
        written=lambda: 0,
        who="outsider",
        done=200,
    ),
}


@pytest.fixture(autouse=True)
def _one_window_per_test(monkeypatch):
    """Every request of a test counts in the same windows: the counters' windows are fixed
    (by the minute, hour, day), and a test running across the turn of the hour saw its counts
    start again. The clock stands in the middle of a minute, an hour and a day."""
    now = time.time()
    pinned = now - now % 86400 + 12 * 3600 + 30 * 60 + 30
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: pinned))


@pytest.fixture
def world(request, outsider, coordinator, menden, editor) -> dict:
    project = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        team=[(editor, TeamMembership.Role.EDITOR)],
    )
    # The password reset mails only an address that has an account.
    UserFactory(username="ada", email="ada.lovelace@arnsberg.example")
    return {"project": project, "outsider": outsider}


def _limit(settings, form: Form, *, address: str, person: str) -> None:
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        form.limit: {"address": address, "person": person},
    }


def _send(client: Client, form: Form, world: dict, data: dict, **meta):
    return getattr(client, form.method)(form.url(world), data, **meta)


def _assert_refused(response) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert REFUSED in page
    assert "Ihre Eingaben wurden nicht gespeichert" in page
    assert page.count("<h1") == 1
    assert 0 < int(response["Retry-After"]) <= 3600


@pytest.mark.parametrize("name", sorted(FORMS))
def test_per_person_the_request_after_the_limit_gets_429_and_writes_nothing(
    name, settings, world, django_capture_on_commit_callbacks
):
    form = FORMS[name]
    _limit(settings, form, address="100/h", person="3/h")
    client = client_for(world[form.who]) if form.who else Client()
    email = "ada.lovelace@arnsberg.example"
    with django_capture_on_commit_callbacks(execute=True):
        # A request the form refuses counts like any other.
        first = {**form.data(9, email), **(form.invalid or {})}
        assert _send(client, form, world, first).status_code == (
            302 if form.invalid is None else 400
        )
        accepted = [_send(client, form, world, form.data(n, email)) for n in range(2)]
    assert [r.status_code for r in accepted] == [form.done] * 2
    written = form.written()
    if form.method == "post":
        assert written > 0  # the accepted requests did write: the data is valid
    with django_capture_on_commit_callbacks(execute=True):
        refused = _send(client, form, world, form.data(2, email))
    _assert_refused(refused)
    assert form.written() == written
    if form.who is None:
        # Another person from the same address is still welcome (the address limit is generous).
        other = _send(Client(), form, world, form.data(3, "bert@brilon.example"))
        assert other.status_code == form.done


@pytest.mark.parametrize("name", sorted(FORMS))
def test_per_address_the_limit_holds_whoever_sends(
    name, settings, world, outsider, editor, coordinator
):
    form = FORMS[name]
    _limit(settings, form, address="2/h", person="100/h")
    people = (outsider, editor, coordinator) if form.who else (None, None, None)
    senders = [client_for(person) for person in people]
    for n, client in enumerate(senders[:2]):
        response = _send(client, form, world, form.data(n, f"person{n}@example.org"))
        assert response.status_code < 400, response.status_code
    written = form.written()
    _assert_refused(_send(senders[2], form, world, form.data(5, "noch.jemand@example.org")))
    assert form.written() == written


def test_two_clients_behind_one_trusted_proxy_are_counted_apart(settings, world):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["10.0.0.0/8"]
    form = FORMS["join"]
    _limit(settings, form, address="2/h", person="100/h")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(2):
        first = _send(
            Client(), form, world, form.data(n, f"a{n}@example.org"),
            HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy,
        )  # fmt: skip
        assert first.status_code == 302
    # The first client is over its limit, whatever it claims further left in the header ...
    for forwarded in ("192.0.2.10", "198.51.100.1, 192.0.2.10"):
        _assert_refused(
            _send(
                Client(), form, world, form.data(5, "x@example.org"),
                HTTP_X_FORWARDED_FOR=forwarded, **proxy,
            )
        )  # fmt: skip
    # ... while a colleague behind the same proxy is another client.
    colleague = _send(
        Client(), form, world, form.data(6, "b@example.org"),
        HTTP_X_FORWARDED_FOR="192.0.2.11", **proxy,
    )  # fmt: skip
    assert colleague.status_code == 302
    assert JoinRequest.objects.count() == 3


def test_a_forged_header_from_an_untrusted_peer_is_the_same_client(settings, world):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["10.0.0.1"]
    form = FORMS["newsletter"]
    _limit(settings, form, address="2/h", person="100/h")
    statuses = [
        _send(
            Client(), form, world, form.data(n, f"p{n}@example.org"),
            REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]  # fmt: skip
    assert statuses == [200, 200, 429, 429]


def test_the_refusal_is_shown_in_the_page_shell_of_its_form(settings, world):
    form = FORMS["newsletter"]
    _limit(settings, form, address="100/h", person="1/h")
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    _send(client, form, world, form.data(0, "ada@example.org"))
    page = _send(client, form, world, form.data(1, "ada@example.org")).content.decode()
    assert "<title>Schülerzeitung abonnieren" in page
    assert "Bitte versuchen Sie es in" in page


def test_the_e_mail_address_counts_whatever_its_spelling(settings, world):
    form = FORMS["password_reset"]
    _limit(settings, form, address="100/h", person="2/h")
    for email in ("Ada@Example.org", " ada@example.org"):
        assert _send(Client(), form, world, {"email": email}).status_code == 302
    _assert_refused(_send(Client(), form, world, {"email": "ADA@EXAMPLE.ORG"}))


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/h", Rate(20, 3600)),
        ("5/10m", Rate(5, 600)),
        ("60/m", Rate(60, 60)),
        ("1/d", Rate(1, 86400)),
    ],
)
def test_rates_are_read_as_written(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["20", "20/", "x/h", "20/0m", "20/w", "-1/h"])
def test_a_rate_that_is_none_is_refused(text):
    with pytest.raises(ValueError, match="Keine Rate"):
        Rate.parse(text)


def test_without_its_counters_a_form_still_works(world):
    """Redis down: the limits cannot count, and the form is sent as if there were none."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    unreachable = {
        **django_settings.CACHES,
        "ratelimit": {
            "BACKEND": "workspace.metrics.RedisCacheWithMetrics",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        },
    }
    form = FORMS["join"]
    with override_settings(CACHES=unreachable):
        response = _send(Client(), form, world, form.data(0, "ada@example.org"))
    assert response.status_code == 302
    assert JoinRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [("RATE_LIMIT_JOIN_PERSON", "viele"), ("RATE_LIMIT_SEARCH_ADDRESS", "60/w")],
)
def test_a_limit_that_is_no_rate_stops_the_start(name, value):
    from tests.workspace.test_settings import PRODUCTION, _manage

    result = _manage("check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert f"{name}: „{value}“ ist keine Rate" in result.stderr


def test_settings_read_limits_from_the_environment():
    from tests.workspace.test_settings import PRODUCTION, _run

    code = "from django.conf import settings; print(settings.RATE_LIMITS['join'])"
    result = _run(
        "-c",
        f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'workspace.settings'); django.setup(); {code}",
        **{**PRODUCTION, "RATE_LIMIT_JOIN_ADDRESS": "40/h"},
    )
    assert "{'address': '40/h', 'person': '3/h'}" in result.stdout, result.stderr
