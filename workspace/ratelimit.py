"""Rate limits of the forms anyone can send: join requests, newsletter subscription, password
reset, topic suggestions, accessibility feedback, comments and search.

Each form has two limits (``settings.RATE_LIMITS``): per client address (generous — a whole
town hall may share one address; the address as :mod:`workspace.clients` names it) and per
person (tighter — the account when logged in, else the e-mail address the form carries).
Every request counts, valid or not, before the form is even read; the one over a limit is
answered with 429 and a page that says why, and the view never runs, so nothing is written.

The counters live in the cache ``ratelimit`` (settings.py): the shared Redis when ``CACHE_URL``
or ``REDIS_URL`` is set, so all processes count together; each process's memory otherwise.
Counting is by fixed windows (``<count>/<period>``, e.g. ``20/h``): one Redis INCR per limit,
all limits of a request in one round trip.
Keys hold a keyed hash of the address or e-mail address, never the address itself.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from workspace.clients import client_address

logger = logging.getLogger(__name__)

CACHE_ALIAS = "ratelimit"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"20/h"``, ``"5/10m"``, ``"60/m"``: so many requests per period."""
        count, _, period = text.strip().partition("/")
        unit = period[-1:] if period else ""
        amount = period[:-1] or "1"
        if not (count.isdigit() and amount.isdigit() and unit in PERIODS and int(amount) > 0):
            raise ValueError(f"Keine Rate: {text!r} (erwartet z. B. 20/h oder 5/10m)")
        return cls(count=int(count), seconds=int(amount) * PERIODS[unit])


@dataclass(frozen=True)
class Refusal:
    """A request over a limit: how long until the window that refused it ends."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _hash(value: str) -> str:
    return salted_hmac("workspace.ratelimit", value).hexdigest()[:32]


@dataclass(frozen=True)
class Window:
    """One limit's counter for this request: its cache key, the seconds its window has left."""

    key: str
    left: int
    rate: Rate


def _windows(request: HttpRequest, form: str, person: str, now: float) -> list[Window]:
    limits = settings.RATE_LIMITS[form]
    checks = [("address", client_address(request) or "unknown")]
    if person:
        checks.append(("person", person))
    windows = []
    for kind, who in checks:
        rate = Rate.parse(limits[kind])
        window = int(now // rate.seconds)
        key = f"ratelimit:{form}:{kind}:{_hash(who)}:{rate.seconds}:{window}"
        windows.append(Window(key, rate.seconds - int(now % rate.seconds), rate))
    return windows


def _judge(windows: list[Window], counts: list[int]) -> Refusal | None:
    refusals = [
        window.left
        for window, count in zip(windows, counts, strict=True)
        if count > window.rate.count
    ]
    return Refusal(retry_after=max(refusals)) if refusals else None


def _pipeline_counts(pipeline, windows: list[Window]) -> int:
    """Add the counting of ``windows`` to a pipeline of the counters' Redis: INCR, and an
    EXPIRE that only the window's first request sets. The number of answers it adds (every
    other one a count)."""
    counters = caches[CACHE_ALIAS]
    for window in windows:
        name = counters.make_and_validate_key(window.key)
        pipeline.incr(name)
        pipeline.expire(name, window.left + 1, nx=True)
    return 2 * len(windows)


def _count_all(windows: list[Window]) -> list[int]:
    """Count one request in each window: on Redis in one round trip for all of them,
    elsewhere with the cache's add and incr."""
    counters = caches[CACHE_ALIAS]
    if isinstance(counters, RedisCache):
        pipeline = counters._cache.get_client(write=True).pipeline(transaction=False)
        _pipeline_counts(pipeline, windows)
        return pipeline.execute()[0::2]
    counted = []
    for window in windows:
        counters.add(window.key, 0, timeout=window.left + 1)
        try:
            counted.append(counters.incr(window.key))
        except ValueError:  # expired between add and incr
            counters.set(window.key, 1, timeout=window.left + 1)
            counted.append(1)
    return counted


def shares_redis_with(cache) -> bool:
    """Whether the counters live in the same Redis as ``cache``, so that one pipeline can read
    from it and count (workspace/pagecache.py: a kept page and its rate limit in one trip)."""
    counters = caches[CACHE_ALIAS]
    return (
        isinstance(cache, RedisCache)
        and isinstance(counters, RedisCache)
        and cache._servers == counters._servers
    )


def person_of(request: HttpRequest, email_field: str | None = "email") -> str:
    """Who sends the form: the account when logged in, else the e-mail address typed in
    (lower case, trimmed); ``""`` when neither names anybody."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"account:{user.pk}"
    if email_field:
        email = request.POST.get(email_field, "").strip().lower()
        if email:
            return f"email:{email}"
    return ""


def hit(request: HttpRequest, form: str, *, person: str = "") -> Refusal | None:
    """Count this request of ``form`` per address and per person; a :class:`Refusal` when
    either is over its limit."""
    windows = _windows(request, form, person, time.time())
    try:
        counts = _count_all(windows)
    except Exception:  # noqa: BLE001 – the counters' Redis is down: the form still works
        logger.warning("Ratenbegrenzung: Zähler nicht erreichbar", exc_info=True)
        return None
    return _judge(windows, counts)


def limited_page(request: HttpRequest, refusal: Refusal, *, title: str) -> HttpResponse:
    """429 in the page shell of the refused form: its title, the reason, when to try again."""
    response = render(
        request,
        "workspace/rate_limited.html",
        {"title": title, "refusal": refusal, "back": request.get_full_path()},
        status=429,
    )
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _is_post(request: HttpRequest) -> bool:
    return request.method == "POST"


def rate_limited(
    form: str,
    *,
    title: str,
    person: Callable[[HttpRequest], str] = person_of,
    counts: Callable[[HttpRequest], bool] = _is_post,
):
    """Decorate a view: requests ``counts`` selects (every POST by default) are counted and,
    over a limit, refused with 429 before the view runs."""

    def decorate(view):
        def refused(request: HttpRequest, refusal: Refusal | None) -> HttpResponse | None:
            request._rate_counted = (form, refusal)
            return None if refusal is None else limited_page(request, refusal, title=str(title))

        def guard(request: HttpRequest) -> HttpResponse | None:
            if not counts(request):
                return None
            counted = getattr(request, "_rate_counted", None)
            if counted is not None and counted[0] == form:  # counted with its kept page
                return refused(request, counted[1])
            return refused(request, hit(request, form, person=person(request)))

        def pipelined(request: HttpRequest, pipeline):
            """Count this request in the caller's pipeline of the counters' Redis: (how many
            answers it added, a function of those answers giving the refusal or None)."""
            if not counts(request):
                return 0, lambda answers: None
            windows = _windows(request, form, person(request), time.time())
            added = _pipeline_counts(pipeline, windows)
            return added, lambda answers: refused(request, _judge(windows, answers[0::2]))

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return guard(request) or view(request, *args, **kwargs)

        # A page served from the page cache (workspace/pagecache.py) counts all the same, in
        # the same round trip to Redis that reads the page where it can.
        guard.pipelined = pipelined
        wrapped.guard = guard
        return wrapped

    return decorate
