"""Reading pages come whole from the cache, are never stale and never someone else's.

A visitor after the first is served without a query; a save, a change of rights or a write
that bypasses the services shows on the very next request; a team member's page is never
served to a member of another municipality or to a visitor; every answer carries its
visitor's own CSRF token (workspace/pagecache.py).
"""

import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from projects import services
from projects.models import LeadProject, Result, Visibility
from workspace import fragments, pagecache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def project(coordinator, menden, editor):
    project = services.project_create(
        by=coordinator,
        title="Offene regionale Datenplattform",
        summary="Daten der Region an einem Ort.",
        lead_municipality=menden,
        visibility=Visibility.PUBLIC,
    )
    services.team_member_add(project=project, by=coordinator, user=editor, role="editor")
    return project


@pytest.fixture
def result(project, coordinator):
    return services.result_create(
        project=project,
        by=coordinator,
        title="Datenmodell",
        body="Fassung eins",
        maturity=Result.Maturity.TESTED,
    )


def _page(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status
    return response.content.decode() if status == 200 else response


def test_a_visitor_after_the_first_is_served_without_a_query(as_user, result):
    url = result.get_absolute_url()
    first = _page(as_user(None), url)
    with CaptureQueriesContext(connection) as queries:
        again = _page(as_user(None), url)
    assert len(queries.captured_queries) == 0
    assert "Fassung eins" in again
    # The same page, except for the visitor's own CSRF token.
    token = re.compile(r'(?<="X-CSRFToken": ")[^"]+')
    assert token.sub("", first) == token.sub("", again)


def _page_queries(queries) -> list[str]:
    """The queries of a page itself: everything but who is asking (session, user, groups)."""
    who = ("django_session", "workspace_user", "auth_group", "identity_", "mfa_")
    return [q["sql"] for q in queries.captured_queries if not any(t in q["sql"] for t in who)]


def test_a_member_after_the_first_visit_costs_no_query_of_the_page(as_user, result, editor):
    client = as_user(editor)
    with CaptureQueriesContext(connection) as first:
        _page(client, result.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert "Fassung eins" in _page(client, result.get_absolute_url())
    assert _page_queries(first)
    assert _page_queries(queries) == []


def test_a_save_shows_at_once_to_visitors_and_members(as_user, result, editor, coordinator):
    pages = [result.get_absolute_url(), result.project.get_absolute_url(), "/suche/?q=Fassung"]
    clients = [as_user(None), as_user(editor), as_user(coordinator)]
    for client in clients:
        for url in pages:
            _page(client, url)
    services.result_update(result=result, by=editor, base_revision=1, body="Fassung zwei")
    for client in clients:
        page = _page(client, result.get_absolute_url())
        assert "Fassung zwei" in page
        assert "Fassung eins" not in page


def test_a_write_past_the_services_retires_the_pages_too(as_user, project):
    _page(as_user(None), "/leitprojekte/")
    LeadProject.objects.filter(pk=project.pk).update(title="Datenplattform Südwestfalen")
    page = _page(as_user(None), "/leitprojekte/")
    assert "Datenplattform Südwestfalen" in page
    assert "Offene regionale Datenplattform" not in page


def test_a_team_page_is_never_served_to_another_member_or_a_visitor(
    as_user, project, result, editor, outsider, coordinator
):
    services.project_update(project=project, by=coordinator, visibility=Visibility.TEAM)
    url = result.get_absolute_url()
    # The team member's copy is made first, for every page that shows the project.
    assert "Fassung eins" in _page(as_user(editor), url)
    assert project.title in _page(as_user(editor), "/leitprojekte/")
    assert project.title in _page(as_user(editor), "/suche/?q=Datenplattform")

    _page(as_user(outsider), url, status=404)
    _page(as_user(None), url, status=302)
    for client in (as_user(outsider), as_user(None)):
        assert project.title not in _page(client, "/leitprojekte/")
        assert project.title not in _page(client, "/suche/?q=Datenplattform")


def test_two_members_with_different_rights_each_get_their_own_page(
    as_user, project, result, editor, outsider
):
    url = result.get_absolute_url()
    edit_link = f'href="{url}bearbeiten/"'
    assert edit_link in _page(as_user(editor), url)
    assert edit_link not in _page(as_user(outsider), url)
    # And again, now both from the cache.
    assert edit_link in _page(as_user(editor), url)
    assert edit_link not in _page(as_user(outsider), url)


def test_a_change_of_rights_shows_at_once(as_user, project, result, outsider, coordinator):
    services.project_update(project=project, by=coordinator, visibility=Visibility.TEAM)
    url = result.get_absolute_url()
    client = as_user(outsider)
    _page(client, url, status=404)
    membership = services.team_member_add(
        project=project, by=coordinator, user=outsider, role="observer"
    )
    assert "Fassung eins" in _page(client, url)
    assert project.title in _page(client, "/leitprojekte/")
    services.team_member_remove(membership=membership, by=coordinator)
    _page(client, url, status=404)
    assert project.title not in _page(client, "/leitprojekte/")


def test_every_answer_carries_its_visitors_own_csrf_token(as_user, result, editor, coordinator):
    """A logged-in person's kept page carries their own token (for htmx requests that write);
    a visitor's page carries none and sets no CSRF cookie (its forms bring their own)."""
    url = result.get_absolute_url()
    tokens = []
    for person in (editor, coordinator, editor):
        client = as_user(person)
        page = _page(client, url)
        assert pagecache.CSRF_PLACEHOLDER not in page
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        secret = client.cookies["__Host-csrftoken"].value
        assert _unmask_cipher_token(token) == secret
        tokens.append(secret)
    assert tokens[0] != tokens[1]
    visitor = as_user(None)
    for _ in range(2):
        response = visitor.get(url)
        assert "X-CSRFToken" not in response.content.decode()
        assert "__Host-csrftoken" not in response.cookies
        assert "Set-Cookie" not in response


def test_each_language_has_its_own_copy(as_user, result):
    url = result.get_absolute_url()
    german = _page(as_user(None), url, HTTP_ACCEPT_LANGUAGE="de")
    english = _page(as_user(None), url, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="de">' in german
    assert '<html lang="en">' in english
    assert '<html lang="de">' in _page(as_user(None), url, HTTP_ACCEPT_LANGUAGE="de")


def test_a_page_with_a_message_waiting_is_not_kept(rf, result, editor):
    url = result.get_absolute_url()
    request = rf.get(url)
    request.user = editor
    request.session = SessionStore()
    # A logged-in person's request: messages may wait in the session.
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request._messages = FallbackStorage(request)
    request.resolver_match = resolve(url)
    assert pagecache._page_key(request) is not None
    messages.success(request, "Gespeichert.")
    assert pagecache._page_key(request) is None


def test_a_visitor_with_a_message_waiting_in_its_cookie_gets_no_kept_page(as_user, result):
    """Messages wait in their cookie for a visitor without a session: such a page is rendered
    afresh (and shows the message)."""
    url = result.get_absolute_url()
    visitor = as_user(None)
    _page(visitor, url)  # kept
    storage = CookieStorage(RequestFactory().get(url))
    storage.add(messages.INFO, "Ihre Anmeldung ist eingegangen.")
    answer = HttpResponse()
    storage.update(answer)
    visitor.cookies[CookieStorage.cookie_name] = answer.cookies[CookieStorage.cookie_name].value
    assert "Ihre Anmeldung ist eingegangen." in _page(visitor, url)


def test_sessions_and_reads_do_not_retire_the_pages(as_user, result, editor):
    client = as_user(editor)
    before = fragments.stamp(pagecache.WRITES)
    client.session.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert fragments.stamp(pagecache.WRITES) == before
    assert not pagecache._changes_pages('UPDATE "django_session" SET "expire_date" = %s')
    assert not pagecache._changes_pages('INSERT INTO "axes_accesslog" ("ip") VALUES (%s)')
    assert pagecache._changes_pages('UPDATE "projects_result" SET "body" = %s')
    assert pagecache._changes_pages('INSERT INTO "projects_leadproject" ("title") VALUES (%s)')
    assert pagecache._changes_pages("TRUNCATE projects_result")
    assert not pagecache._changes_pages('SELECT "projects_result"."id" FROM "projects_result"')
    # The search's UNION of reads and a CTE that only reads change nothing either.
    assert not pagecache._changes_pages('(SELECT 1 AS "s_order") UNION ALL (SELECT 2)')
    assert not pagecache._changes_pages('WITH "hits" AS (SELECT 1) SELECT * FROM "hits"')
    assert pagecache._changes_pages('WITH "old" AS (DELETE FROM "x" RETURNING 1) SELECT 1')


def test_a_search_retires_nothing(as_user, result):
    before = fragments.stamp(pagecache.WRITES)
    assert "Datenmodell" in _page(as_user(None), "/suche/?q=Datenmodell")
    assert fragments.stamp(pagecache.WRITES) == before


@pytest.mark.django_db(transaction=True)
def test_the_commit_retires_the_pages_once_more(result, editor):
    # A reader that kept the old page between the first write and the commit kept it under
    # the stamp of that moment, which the commit retires.
    with transaction.atomic():
        Result.objects.filter(pk=result.pk).update(summary="Kurz")
        during = fragments.stamp(pagecache.WRITES)
        Result.objects.filter(pk=result.pk).update(summary="Kürzer")
        assert fragments.stamp(pagecache.WRITES) != during
        during = fragments.stamp(pagecache.WRITES)
    assert fragments.stamp(pagecache.WRITES) != during


def test_without_the_setting_nothing_is_kept(as_user, result, settings):
    settings.PAGE_CACHE = False
    _page(as_user(None), result.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        _page(as_user(None), result.get_absolute_url())
    assert len(queries.captured_queries) > 0


def test_a_search_from_the_cache_still_counts_against_the_rate_limit(as_user, result, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": {"address": "100/m", "person": "2/m"}}
    client = as_user(result.created_by)
    assert "Datenmodell" in _page(client, "/suche/?q=Datenmodell")
    with CaptureQueriesContext(connection) as queries:
        assert "Datenmodell" in _page(client, "/suche/?q=Datenmodell")
    assert _page_queries(queries) == []  # from the cache
    _page(client, "/suche/?q=Datenmodell", status=429)


@pytest.mark.services
def test_a_kept_search_and_its_rate_limit_take_one_round_trip_to_redis(
    as_user, result, monkeypatch
):
    """On the shared Redis the kept page, the write stamp and the search's rate-limit counters
    are read and counted in one pipeline: a visitor's kept search costs one round trip."""
    import redis.client

    trips = []
    execute_command, execute = redis.client.Redis.execute_command, redis.client.Pipeline.execute
    monkeypatch.setattr(
        redis.client.Redis,
        "execute_command",
        lambda self, *args, **options: (
            trips.append(args[0]) or execute_command(self, *args, **options)
        ),
    )
    monkeypatch.setattr(
        redis.client.Pipeline,
        "execute",
        lambda self, *args, **options: trips.append("pipeline") or execute(self, *args, **options),
    )
    client = as_user(None)
    assert "Datenmodell" in _page(client, "/suche/?q=Datenmodell")
    trips.clear()
    assert "Datenmodell" in _page(client, "/suche/?q=Datenmodell")
    assert trips == ["pipeline"]
