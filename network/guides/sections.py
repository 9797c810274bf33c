"""What guides contribute to the core's pages (through workspace.hooks)."""

from __future__ import annotations

from django.http import HttpRequest

from network.guides import selectors


def home_guides(request: HttpRequest, _obj=None) -> dict:
    return {"guides": selectors.newest(limit=4)}
