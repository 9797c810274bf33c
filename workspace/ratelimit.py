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


def _count_all(counts: list[tuple[str, Rate]], now: float) -> list[tuple[int, int]]:
    """Count one request under each ``(key, rate)``: for each, (requests in this window,
    seconds it has left). On Redis one round trip for all of them (INCR and an EXPIRE that
    only the window's first request sets, pipelined); elsewhere the cache's add and incr."""
    windows = []
    for key, rate in counts:
        window = int(now // rate.seconds)
        left = rate.seconds - int(now % rate.seconds)
        windows.append((f"ratelimit:{key}:{rate.seconds}:{window}", left))
    counters = caches[CACHE_ALIAS]
    if isinstance(counters, RedisCache):
        pipeline = counters._cache.get_client(write=True).pipeline(transaction=False)
        for full, left in windows:
            name = counters.make_and_validate_key(full)
            pipeline.incr(name)
            pipeline.expire(name, left + 1, nx=True)
        answers = pipeline.execute()
        return [(answers[2 * index], left) for index, (_, left) in enumerate(windows)]
    counted = []
    for full, left in windows:
        counters.add(full, 0, timeout=left + 1)
        try:
            counted.append((counters.incr(full), left))
        except ValueError:  # expired between add and incr
            counters.set(full, 1, timeout=left + 1)
            counted.append((1, left))
    return counted


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
    limits = settings.RATE_LIMITS[form]
    checks = [("address", client_address(request) or "unknown")]
    if person:
        checks.append(("person", person))
    rates = [Rate.parse(limits[kind]) for kind, _ in checks]
    keys = [f"{form}:{kind}:{_hash(who)}" for kind, who in checks]
    try:
        counted = _count_all(list(zip(keys, rates, strict=True)), time.time())
    except Exception:  # noqa: BLE001 – the counters' Redis is down: the form still works
        logger.warning("Ratenbegrenzung: Zähler nicht erreichbar", exc_info=True)
        return None
    refusals = [
        left for (count, left), rate in zip(counted, rates, strict=True) if count > rate.count
    ]
    return Refusal(retry_after=max(refusals)) if refusals else None


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
        def guard(request: HttpRequest) -> HttpResponse | None:
            if counts(request):
                refusal = hit(request, form, person=person(request))
                if refusal is not None:
                    return limited_page(request, refusal, title=str(title))
            return None

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return guard(request) or view(request, *args, **kwargs)

        # A page served from the page cache (workspace/pagecache.py) counts all the same.
        wrapped.guard = guard
        return wrapped

    return decorate
