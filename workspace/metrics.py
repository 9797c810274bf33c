"""Prometheus metrics: requests, database and cache calls, the task queue, open sockets.

Every process counts for itself. Under gunicorn several workers (and the websocket processes
beside them) share one directory, ``PROMETHEUS_MULTIPROC_DIR``, where prometheus_client keeps a
file per process; a scrape of ``/metriken/`` on any process then adds them all up (gauges of
open sockets and rooms as the sum over live processes, ``gunicorn.conf.py`` marks a worker dead
when it exits). Without that directory the process reports only itself.

``/metriken/`` answers only addresses in ``METRICS_ALLOWED_NETWORKS`` (the client as
:mod:`workspace.clients` names it) or a request carrying ``Authorization: Bearer
<METRICS_TOKEN>``; everyone else gets the same 404 as for any unknown address.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from workspace.clients import client_address, parse_address

REQUESTS = Counter(
    "klassenraum_http_requests",
    "HTTP-Anfragen nach Methode, View und Status",
    ["method", "view", "status"],
)
REQUEST_SECONDS = Histogram(
    "klassenraum_http_request_duration_seconds",
    "Antwortzeit je View in Sekunden",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_QUERIES = Counter("klassenraum_db_queries", "Datenbankabfragen", ["alias"])
DB_SECONDS = Histogram(
    "klassenraum_db_query_duration_seconds",
    "Dauer der Datenbankabfragen in Sekunden",
    ["alias"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
CACHE_CALLS = Counter(
    "klassenraum_cache_calls", "Aufrufe des Caches nach Art und Ausgang", ["operation", "result"]
)
WEBSOCKETS = Gauge(
    "klassenraum_websockets_open",
    "Offene Websockets (Summe der laufenden Prozesse)",
    ["route"],
    multiprocess_mode="livesum",
)
COEDIT_ROOMS = Gauge(
    "klassenraum_coedit_rooms_open",
    "Offene Räume der gemeinsamen Bearbeitung (Summe der laufenden Prozesse)",
    multiprocess_mode="livesum",
)


# --- requests ---------------------------------------------------------------------------------


class MetricsMiddleware:
    """Counts every request by its view (never by its path: that would be one series per
    object) and times it. Synchronous, so the WSGI path stays synchronous."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The labelled series, looked up once each (labels() validates and locks every time).
        self.counters: dict[tuple[str, str, int], Counter] = {}
        self.timers: dict[str, Histogram] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unbekannt"
        series = (request.method, view, response.status_code)
        counter = self.counters.get(series)
        if counter is None:
            counter = REQUESTS.labels(request.method, view, str(response.status_code))
            # Methods and statuses are few, views a fixed set: the dict stays small.
            self.counters[series] = counter
        counter.inc()
        timer = self.timers.get(view)
        if timer is None:
            timer = self.timers[view] = REQUEST_SECONDS.labels(view)
        timer.observe(time.perf_counter() - started)
        return response


# --- database ---------------------------------------------------------------------------------


def _count_queries(execute, sql, params, many, context):
    alias = context["connection"].alias
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        DB_QUERIES.labels(alias).inc()
        DB_SECONDS.labels(alias).observe(time.perf_counter() - started)


def instrument_connection(sender, connection, **kwargs) -> None:
    """``connection_created``: every new database connection counts its queries."""
    if _count_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_queries)


# --- cache ------------------------------------------------------------------------------------


class CacheMetricsMixin:
    """Mixed into the cache backends of ``settings.CACHES``: hits, misses and writes."""

    _missing = object()

    def get(self, key, default=None, version=None):
        value = super().get(key, self._missing, version=version)
        CACHE_CALLS.labels("get", "miss" if value is self._missing else "hit").inc()
        return default if value is self._missing else value

    def get_many(self, keys, version=None):
        keys = list(keys)
        found = super().get_many(keys, version=version)
        CACHE_CALLS.labels("get", "hit").inc(len(found))
        CACHE_CALLS.labels("get", "miss").inc(len(keys) - len(found))
        return found

    def set(self, *args, **kwargs):
        CACHE_CALLS.labels("set", "ok").inc()
        return super().set(*args, **kwargs)

    def delete(self, *args, **kwargs):
        CACHE_CALLS.labels("delete", "ok").inc()
        return super().delete(*args, **kwargs)


from django.core.cache.backends.locmem import LocMemCache  # noqa: E402
from django.core.cache.backends.redis import RedisCache  # noqa: E402


class LocMemCacheWithMetrics(CacheMetricsMixin, LocMemCache):
    pass


class RedisCacheWithMetrics(CacheMetricsMixin, RedisCache):
    def clear(self) -> None:
        """Remove this cache's keys (its prefix) only, not the whole Redis database: test
        workers, other installations and the channel layer may share it."""
        client = self._cache.get_client(write=True)
        prefix = "".join(f"\\{c}" if c in "*?[]\\" else c for c in self.key_prefix)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])


# --- websockets -------------------------------------------------------------------------------


def count_websockets(app):
    """ASGI middleware of the websocket side: a socket counts from its accept to its end."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "websocket":
            return await app(scope, receive, send)
        route = _route_of(scope.get("path", ""))
        accepted = False

        async def counting_send(message):
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKETS.labels(route).inc()
            await send(message)

        try:
            return await app(scope, receive, counting_send)
        finally:
            if accepted:
                WEBSOCKETS.labels(route).dec()

    return wrapped


def _route_of(path: str) -> str:
    """A socket's kind, never its object: ``/ws/leitprojekte/x/ergebnisse/7/gemeinsam/`` →
    ``gemeinsam``."""
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2 or parts[0] != "ws":
        return "unbekannt"
    if parts[-1] == "gemeinsam":
        return "gemeinsam"
    if "ergebnisse" in parts:
        return "ergebnis"
    return {"leitprojekte": "leitprojekt", "steuerkreis": "sitzung"}.get(parts[1], parts[1])


# --- scrape -----------------------------------------------------------------------------------


class QueueCollector:
    """Read at scrape time: how many background tasks wait, and how long the oldest has."""

    def collect(self):
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready()
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        count = GaugeMetricFamily("klassenraum_tasks_waiting", "Wartende Hintergrund-Aufgaben")
        count.add_metric([], waiting.count())
        yield count
        age = GaugeMetricFamily(
            "klassenraum_tasks_oldest_age_seconds", "Alter der ältesten wartenden Aufgabe"
        )
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield age


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and constant_time_compare(header[7:], token):
        return True
    address = parse_address(client_address(request))
    if address is None:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(QueueCollector())
    body = generate_latest(registry) + generate_latest(scrape)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
