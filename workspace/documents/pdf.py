"""PDF through WeasyPrint: tagged (PDF/UA-1) for reading, tagged PDF/A-3a for the archive.

WeasyPrint's default URL fetcher reads ``file://`` and any host. Here it is replaced by one
that answers only the document's own images (the object's attachments, by the address the
body names them with) and the app's own static files; everything else is refused before any
byte is read, so a text can never make the server fetch something.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from workspace.documents import Document

# The base every relative address in a document is resolved against. It names no real host:
# the fetcher below answers it from the app's own data, never from the network.
BASE_URL = "https://dokument.klassenraum.invalid/"
STYLESHEET = "css/document.css"

READING = "pdf/ua-1"
ARCHIVE = "pdf/a-3a"


class RefusedFetch(ValueError):
    """A document asked for something that is neither its own image nor a static file."""


def _static_file(path: str) -> Path | None:
    prefix = urlsplit(settings.STATIC_URL).path
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    return Path(found) if found else None


def url_fetcher_for(document: Document, fetched: list[str] | None = None):
    """A fetcher that serves ``document.images`` and static files only (``fetched`` records
    what it was asked for, for whoever wants to know)."""
    base = urlsplit(BASE_URL)
    images = {
        urlsplit(BASE_URL.rstrip("/") + key if key.startswith("/") else key).path: image
        for key, image in document.images.items()
    }

    def fetch(url: str, *args, **kwargs) -> dict:
        if fetched is not None:
            fetched.append(url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise RefusedFetch(url)
        image = images.get(parts.path)
        if image is not None:
            return {"string": image.read(), "mime_type": image.content_type}
        static = _static_file(parts.path)
        if static is not None and static.is_file():
            mime = "text/css" if static.suffix == ".css" else None
            return {"string": static.read_bytes(), "mime_type": mime}
        raise RefusedFetch(url)

    return fetch


def html_of(document: Document) -> str:
    return render_to_string(
        "documents/document.html",
        {"document": document, "stylesheet": settings.STATIC_URL + STYLESHEET},
    )


def render_pdf(
    document: Document, *, archive: bool = False, fetched: list[str] | None = None
) -> bytes:
    """The tagged PDF of ``document``; ``archive``: PDF/A-3a (tagged too) instead of PDF/UA-1."""
    from weasyprint import HTML  # imported late: it loads Pango, which the pages never need

    html = HTML(
        string=html_of(document),
        base_url=BASE_URL,
        url_fetcher=url_fetcher_for(document, fetched),
    )
    return html.write_pdf(
        pdf_variant=ARCHIVE if archive else READING,
        pdf_tags=True,
        custom_metadata=True,
        # The same input makes the same file: a kept copy and a fresh one are byte-equal.
        pdf_identifier=document.filename.encode(),
    )
