"""What the Schülerzeitung contributes to the core's pages (through workspace.hooks)."""

from __future__ import annotations

from django.http import HttpRequest

from network.newsletter import selectors


def latest(request: HttpRequest, obj=None) -> dict:
    """The start page's "Neueste Schülerzeitung" (one query)."""
    return {"issue": selectors.latest_issue()}
