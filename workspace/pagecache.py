"""Reading pages served whole from the shared cache, invalidated by every write.

A page in :data:`PAGES` is stored after the view answered 200 and served from the cache on the
next request that has the same key, without running the view again. The key holds everything
that decides the page's content:

- the **write generation**: a stamp (:mod:`workspace.fragments`) that every write to the
  database retires. A wrapper on every connection (:func:`track_writes`) sees each INSERT,
  UPDATE and DELETE (services, ``QuerySet.update()``, bulk writes and raw SQL alike) and bumps
  the stamp at once and again after the commit, so a reader that rendered the old rows in
  between kept them with a stamp that the commit retires. Only tables no page shows
  (sessions, login attempts, the task queue, the security log) are left out;
- the **viewer**: all anonymous visitors share one copy (nothing is granted to them, so they
  all see the same page); a logged-in person has copies of their own, since pages show what
  only they may see and do (their teams' drafts and buttons, their own comments, the office's
  links). A change of anyone's rights is a write and retires every copy;
- the view, the path with its query, the language and the day (committee seats and the dates'
  "upcoming" turn over with the calendar); copies expire after :data:`PAGE_SECONDS` besides, so
  nothing that moves with the clock alone is older than that.

The CSRF token is the one per-visitor part of a shared page: the page is rendered with a
placeholder in its place (``workspace.context_processors.site``) and every answer gets the
visitor's own token put in. Pages with messages waiting, htmx requests and anything but GET are
never served from or put into the cache. The cache must be shared by every process that writes
(``CACHE_URL``), so ``PAGE_CACHE`` is on by default only with it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from workspace import fragments, ratelimit

logger = logging.getLogger(__name__)

WRITES = fragments.WRITES
PAGE_SECONDS = 300
# A page with a query (a search, a filter) lives shorter: its variants are many.
QUERY_PAGE_SECONDS = 60
# Longer queries are answered but not kept, so made-up queries cannot fill the cache.
MAX_QUERY_LENGTH = 200
CSRF_PLACEHOLDER = "kr-csrf-token-placeholder-7f3c"

# The reading pages (view names; the core names them and imports no app).
PAGES = frozenset(
    {
        "home",
        "municipality-list",
        "municipality-detail",
        "joining:cohorts",
        "projects:list",
        "projects:detail",
        "projects:result",
        "projects:result-versions",
        "templates:list",
        "steering:agreements",
        "guides:list",
        "guides:detail",
        "guides:glossary",
        "dates:list",
        "newsletter:archive",
        "search",
    }
)

# Writes to these tables change nothing any cached page shows.
_UNSHOWN_TABLES = re.compile(
    r"django_session|axes_|django_tasks_database_|audit_securityevent|usersessions_"
    r"|identity_providersession"
)
_READS = frozenset({"SELECT", "SAVEPOINT", "RELEASE", "SET", "SHOW", "EXPLAIN", "BEGIN"})
_CTE_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def _changes_pages(sql: str) -> bool:
    # A UNION of reads opens with a parenthesis; a CTE may hide a write in its body.
    text = sql.lstrip(" \t\n(")
    head = text[:10].split(None, 1)
    first = head[0].upper() if head else ""
    if not first or first in _READS:
        return False
    if first == "WITH":
        return _CTE_WRITE.search(text) is not None
    write = _WRITE.match(text)
    return not (write and _UNSHOWN_TABLES.match(write.group(1)))


def _retire_pages() -> None:
    try:
        fragments.renew(WRITES)
    except Exception:
        # The cache is away: nothing is served from it until it is back, and what it kept
        # from before expires within PAGE_SECONDS. The write itself must not fail for it.
        logger.exception("Seiten-Cache: Schreibstempel nicht erneuert")


def track_writes(execute, sql, params, many, context):
    """Execute wrapper: a statement that may change a page retires every cached page, at once
    and once more when its transaction commits (one hook per transaction)."""
    result = execute(sql, params, many, context)
    if _changes_pages(sql):
        connection = context["connection"]
        _retire_pages()
        hooks = connection.run_on_commit
        if connection.in_atomic_block and getattr(connection, "_kr_page_hooks", None) is not hooks:
            # The list of commit hooks is a new one after every commit and rollback.
            connection.on_commit(_retire_pages)
            connection._kr_page_hooks = connection.run_on_commit
    return result


def instrument_connection(sender, connection, **kwargs) -> None:
    """``connection_created``: every new database connection reports its writes."""
    if track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(track_writes)


def _page_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page, or None when it is not served from the cache."""
    match = request.resolver_match
    if match is None or match.view_name not in PAGES:
        return None
    if request.method != "GET" or request.headers.get("HX-Request"):
        return None
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_LENGTH:
        return None
    cookies = request.COOKIES
    signed_in = settings.SESSION_COOKIE_NAME in cookies
    # Messages wait in their cookie or in the session; with neither, there are none, and the
    # visitor's session and message stores need not be made to ask.
    if signed_in or CookieStorage.cookie_name in cookies:
        messages = getattr(request, "_messages", None)
        if messages is not None and len(messages):
            return None
    # Without a session cookie nobody is logged in (API tokens never reach these pages).
    user = request.user if signed_in else None
    viewer = f"user-{user.pk}" if user is not None and user.is_authenticated else "anonymous"
    variant = "\x1f".join(
        [
            match.view_name,
            request.path,
            query,
            translation.get_language() or "",
            viewer,
            timezone.localdate().isoformat(),
        ]
    )
    return "page:" + hashlib.sha256(variant.encode()).hexdigest()


def _kept(key: str, request: HttpRequest, guard) -> tuple[str, tuple | None, HttpResponse | None]:
    """The write stamp now, the page kept under ``key`` if it was made under that stamp, and
    the view's guard's answer for a kept page (its rate limit's refusal, or None): one round
    trip to the cache for all three where the counters share its Redis."""
    stamp_key = fragments.stamp_key(WRITES)
    pipelined = getattr(guard, "pipelined", None)
    store = caches[DEFAULT_CACHE_ALIAS]  # the cache itself, not its proxy
    if pipelined is not None and ratelimit.shares_redis_with(store):
        pipeline = store._cache.get_client(write=True).pipeline(transaction=False)
        pipeline.mget([store.make_and_validate_key(name) for name in (stamp_key, key)])
        added, read = pipelined(request, pipeline)
        answers = pipeline.execute()
        # As RedisCache.get_many reads them (Django's serializer of its Redis client).
        loads = store._cache._serializer.loads
        stamp, kept = (None if value is None else loads(value) for value in answers[0])
        refused = read(answers[1 : 1 + added])
    else:
        found = cache.get_many([stamp_key, key])
        stamp, kept, refused = found.get(stamp_key), found.get(key), None
        if kept is not None and guard is not None:
            refused = guard(request)
    if stamp is None:
        return fragments.stamp(WRITES), None, None
    if kept is None or kept[0] != stamp:
        return stamp, None, None
    return stamp, kept[1:], refused


def rendering_for_cache(request: HttpRequest) -> bool:
    """Whether this request's page is rendered to be kept (its CSRF token a placeholder)."""
    return getattr(request, "_page_cache_key", None) is not None


def _answer(request: HttpRequest, content: bytes, headers: dict[str, str]) -> HttpResponse:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serve and keep the pages of :data:`PAGES` (last in ``MIDDLEWARE``, so every access
    check before it has run: it only ever answers what the view itself answered)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kept = getattr(request, "_page_cache_key", None)
        if kept is None:
            return response
        key, stamp = kept
        request._page_cache_key = None
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or "no-store" in response.get("Cache-Control", "")
        ):
            # Rendered with the placeholder but not kept: the visitor's token goes in.
            if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
                response.content = response.content.replace(
                    CSRF_PLACEHOLDER.encode(), get_token(request).encode()
                )
            return response
        headers = dict(response.items())
        seconds = QUERY_PAGE_SECONDS if request.META.get("QUERY_STRING") else PAGE_SECONDS
        try:
            cache.set(key, (stamp, response.content, headers), seconds)
        except Exception:
            logger.exception("Seiten-Cache nicht erreichbar")
        return _answer(request, response.content, headers)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.PAGE_CACHE:
            return None
        try:
            key = _page_key(request)
            if key is None:
                return None
            stamp, kept, refused = _kept(key, request, getattr(view_func, "guard", None))
        except Exception:
            logger.exception("Seiten-Cache nicht erreichbar")
            return None
        if kept is not None:
            # What the view does before it renders, it does for a kept page too (the rate
            # limit of workspace/ratelimit.py counts every search).
            if refused is not None:
                return refused
            content, headers = kept
            return _answer(request, content, headers)
        # Kept with the stamp read before the view reads anything: a write that commits while
        # it renders renews the stamp, so this copy is never served after that commit.
        request._page_cache_key = (key, stamp)
        return None
