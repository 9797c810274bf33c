"""The REST API at ``/api/v1/``: the machinery every app's ``api.py`` plugs into.

The core holds what all endpoints share (personal access tokens and their authentication,
cursor pagination, ETags, throttling through the shared cache, the schema and its reference
page) and a small registry: each app registers its viewsets from ``AppConfig.ready()`` with
:func:`register`, so the core imports none of them (DESIGN.md, "the core imports no app").
Who may read or write what is never decided here: the viewsets ask their app's permission
helpers, the same ones the pages ask.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    prefix: str
    viewset: type
    basename: str


_routes: dict[str, Route] = {}


def register(prefix: str, viewset: type, *, basename: str) -> None:
    """Add ``viewset`` under ``/api/v1/<prefix>/`` (an app calls this in ``ready()``)."""
    _routes[basename] = Route(prefix=prefix, viewset=viewset, basename=basename)


def routes() -> list[Route]:
    return sorted(_routes.values(), key=lambda route: route.prefix)
