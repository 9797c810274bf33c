"""One world for every test (CONVENTIONS.md):

- ``office``: the network office (Geschäftsstelle), runs the network;
- ``coordinator``: staff of the pioneer Menden (coordinates its lead project once projects exist);
- ``editor``: staff of the member Iserlohn;
- ``delegate``: Arnsberg's delegate in the steering committee;
- ``outsider``: staff of Brilon, a member municipality in no project;
- ``stranger``: logged in, but working for no member municipality;
- and the anonymous visitor, who is simply the test client without login.
"""

import socket
import uuid

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.dispatch import receiver
from django.http import HttpRequest
from django.test import Client

from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from workspace import services
from workspace.identity.second_factor import mark_session_verified

PASSWORD = "geheim-und-lang-genug"


@receiver(user_logged_in, dispatch_uid="tests-force-login-second-factor")
def _forced_logins_count_as_second_factor(sender, request, user, **kwargs) -> None:
    """A test client's ``force_login`` stands for a complete login, second factor included,
    so the office's tests need no code from an app (workspace/identity/second_factor.py).
    Its stand-in request is a bare ``HttpRequest``; a login through a real form never is."""
    if type(request) is HttpRequest:
        mark_session_verified(request, user=user, kind="test")


def _flush_as_superuser(execute_sql_flush):
    """Between transactional tests PostgreSQL is emptied with TRUNCATE, which the security log
    refuses (workspace/audit migration 0003): the tests' superuser switches triggers off for that
    one transaction, as the app's own role cannot."""

    def flush(self, sql_list):
        execute_sql_flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    return flush


PostgresOperations.execute_sql_flush = _flush_as_superuser(PostgresOperations.execute_sql_flush)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The glossary's cached term list must not expire in the middle of a query-count test
    # on a slow machine, nor outlive the test whose (rolled-back) terms it holds.
    settings.GLOSSARY_CACHE_SECONDS = 3600
    # Whole pages from the cache (workspace/pagecache.py) only where a test asks for them: the
    # PostgreSQL run shares a Redis, and query counts count what a page costs to make.
    settings.PAGE_CACHE = False
    # Sessions in the database in both runs, for the same reason: with CACHE_URL production
    # reads them from the cache (cached_db), which tests/steering/test_request_person.py and
    # the servers of the browser tests use.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    # The rate limits' counters too (workspace/ratelimit.py): each test starts uncounted.
    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    # Whichever caches the test left configured (one may have replaced CACHES).
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _erasure_ledger(settings, tmp_path_factory):
    """Each test erases into a ledger file of its own (workspace/erasures.py), never the
    checkout's."""
    ledgers = tmp_path_factory.getbasetemp() / "erasure-ledgers"
    settings.ERASURE_LEDGER_PATH = str(ledgers / f"{uuid.uuid4().hex}.jsonl")


@pytest.fixture
def menden(db):
    return MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True, cohort=None)


@pytest.fixture
def arnsberg(db):
    return MunicipalityFactory(
        name="Arnsberg",
        slug="arnsberg",
        is_pioneer=True,
        cohort=None,
        district__slug="hochsauerlandkreis",
    )


@pytest.fixture
def iserlohn(db):
    return MunicipalityFactory(name="Iserlohn", slug="iserlohn")


@pytest.fixture
def brilon(db):
    return MunicipalityFactory(name="Brilon", slug="brilon", district__slug="hochsauerlandkreis")


@pytest.fixture
def office(db):
    user = UserFactory(username="buero", display_name="Geschäftsstelle")
    services.network_office_add(user=user)
    return user


@pytest.fixture
def coordinator(menden):
    return MembershipFactory(
        user__username="koordination-menden", municipality=menden, role="contact"
    ).user


@pytest.fixture
def editor(iserlohn):
    return MembershipFactory(user__username="team-iserlohn", municipality=iserlohn).user


@pytest.fixture
def delegate(arnsberg):
    return MembershipFactory(
        user__username="steuerkreis-arnsberg", municipality=arnsberg, role="contact"
    ).user


@pytest.fixture
def outsider(brilon):
    return MembershipFactory(user__username="kommune-brilon", municipality=brilon).user


@pytest.fixture
def stranger(db):
    return UserFactory(username="fremd")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """``as_user(user)`` gives a logged-in test client (``None``: anonymous)."""
    return client_for


class _Inbox:
    """What the loopback SMTP server received: ``messages`` are aiosmtpd envelopes."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 – aiosmtpd's name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django sends to it over the network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()
