"""What the dates contribute to the core's pages (through workspace.hooks)."""

from __future__ import annotations

from django.http import HttpRequest

from network.dates import selectors
from workspace.models import Municipality


def home_dates(request: HttpRequest, _obj=None) -> dict:
    return {"appointments": selectors.next_dates(limit=3)}


def municipality_impulses(request: HttpRequest, municipality: Municipality) -> dict | None:
    appointments = selectors.impulses_of(municipality)
    if not appointments:
        return None
    return {"appointments": appointments, "municipality": municipality}
