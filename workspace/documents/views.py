"""The answer to a document request, after the app's view has decided who may have it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path

from workspace.documents import Document
from workspace.documents.store import (
    ARCHIVE,
    CONTENT_TYPES,
    EXTENSIONS,
    ODT,
    PDF,
    DocumentKey,
    kept,
    make,
    make_later,
)

# Texts longer than this are made by the background worker rather than in the request.
LONG_TEXT_CHARACTERS = 60_000
RELOAD_SECONDS = 5


def requested_format(request: HttpRequest, fmt: str) -> str:
    """``pdf`` with ``?archiv=1`` is the archive copy (PDF/A-3a)."""
    if fmt == PDF and request.GET.get("archiv") == "1":
        return ARCHIVE
    return fmt


def document_response(
    request: HttpRequest,
    *,
    key: DocumentKey,
    fmt: str,
    build: Callable[[], Document],
    filename: str,
    background: bool = False,
    back_url: str = "",
) -> HttpResponse:
    """The kept document, or a fresh one; ``background``: if none is kept, the worker makes
    it and the answer is a page that says so (202) and asks again shortly."""
    data = kept(key, fmt)
    if data is None and background:
        make_later(key, fmt)
        response = render(
            request,
            "documents/pending.html",
            {"filename": filename, "back_url": back_url, "reload_seconds": RELOAD_SECONDS},
            status=202,
        )
        response["Retry-After"] = str(RELOAD_SECONDS)
        response["Cache-Control"] = "private, no-store"
        return response
    if data is None:
        data = make(key, fmt, build())
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = f"{filename}.{EXTENSIONS[fmt]}"
    disposition = "attachment" if fmt == ODT else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{escape_uri_path(name)}"
    # Documents follow their object's visibility: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = ["ARCHIVE", "ODT", "PDF", "document_response", "requested_format"]
