"""Throttling per token (or person, or address) through the shared cache.

A fixed window counted with the cache's atomic ``incr``: with Redis as the cache
(``CACHE_URL``), every process counts into the same key, so the limit holds across all of
them. DRF's own throttles keep a list of times and write it back, which loses counts when
two processes answer at once.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from workspace.api.models import AccessToken
from workspace.clients import client_address


def _rate(name: str) -> tuple[int, int]:
    count, _slash, period = settings.API_THROTTLE_RATES[name].partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1]]
    return int(count), seconds


class SharedCacheThrottle(BaseThrottle):
    def _identity(self, request) -> tuple[str, str]:
        if isinstance(request.auth, AccessToken):
            return "token", f"token-{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return "user", f"user-{request.user.pk}"
        return "anonymous", f"address-{client_address(request._request)}"

    def allow_request(self, request, view) -> bool:
        kind, ident = self._identity(request)
        limit, period = _rate(kind)
        now = time.time()
        window = int(now // period)
        key = f"api-throttle:{ident}:{period}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
