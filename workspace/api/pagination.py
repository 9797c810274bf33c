"""Cursor pagination on every list: stable pages however the data grows, no COUNT, no OFFSET."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "anzahl"
    max_page_size = 200
    ordering = "pk"
    cursor_query_description = (
        "Die Stelle in der Liste, an der die Seite beginnt (aus next/previous)."
    )
    page_size_query_description = "Einträge je Seite (höchstens 200)."
