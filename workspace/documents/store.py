"""Documents are made once and kept: per object, version, audience and format.

The key names the version (a version never changes) and the *audience* (who the document was
made for: which names it may print, which parts it may show), so one made for the committee
is never handed to a visitor. Every key also carries the people generation: when a person is
erased or changes what may be shown of them (consent to the public name withdrawn, the name
changed), the generation moves on and every kept document is dropped at once — a document
cannot know in advance whose names it will print, and a stale one must never survive.

Long documents and dossiers are made by the background worker (``manage.py db_worker``); the
page says so meanwhile and asks again by itself.

Kept copies live in the file storage (``documents/``, as private as the attachments), which the
web processes and the worker share whatever the cache is; the generation comes from the cache.
A change of people also deletes every kept file, so no copy with an erased name stays on disk.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string
from django_tasks import task

from workspace.documents import Document

GENERATION_KEY = "documents:people-generation"
# While the worker makes a document, a second request does not queue it again.
PENDING_SECONDS = 10 * 60

PDF, ARCHIVE, ODT = "pdf", "pdfa", "odt"
FORMATS = (PDF, ARCHIVE, ODT)
CONTENT_TYPES = {
    PDF: "application/pdf",
    ARCHIVE: "application/pdf",
    ODT: "application/vnd.oasis.opendocument.text",
}
EXTENSIONS = {PDF: "pdf", ARCHIVE: "pdf", ODT: "odt"}

Builder = Callable[[int, int, str], Document]


@dataclass(frozen=True)
class DocumentKey:
    """One document: ``builder`` is the dotted path of the app's function that builds it from
    ``(pk, version, audience)``, so the worker finds it without the core importing any app."""

    builder: str
    pk: int
    version: int  # the version of the text; 0 for records that never change
    audience: str  # e.g. "namen" or "oeffentlich"; the builder reads it, nothing else

    def cache_key(self, fmt: str) -> str:
        return f"documents:{generation()}:{self.builder}:{self.pk}:{self.version}:{self.audience}:{fmt}"


def generation() -> str:
    # A random token, not a counter: if the cache loses it, the next one orphans every kept
    # document instead of bringing old ones back.
    return cache.get_or_set(GENERATION_KEY, uuid.uuid4().hex, None)


def forget_people() -> None:
    """Drop every kept document: someone named in documents was erased or changed consent."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{FOLDER}/{name}")


FOLDER = "dokumente"


def path_of(key: DocumentKey, fmt: str) -> str:
    digest = hashlib.sha256(key.cache_key(fmt).encode()).hexdigest()
    return f"{FOLDER}/{digest}.{EXTENSIONS[fmt]}"


def render(document: Document, fmt: str) -> bytes:
    if fmt == ODT:
        from workspace.documents.odt import render_odt

        return render_odt(document)
    from workspace.documents.pdf import render_pdf

    return render_pdf(document, archive=fmt == ARCHIVE)


def kept(key: DocumentKey, fmt: str) -> bytes | None:
    path = path_of(key, fmt)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as stored:
        return stored.read()


def make(
    key: DocumentKey, fmt: str, document: Document | None = None, path: str | None = None
) -> bytes:
    """Build (unless given), render and keep the document (at ``path``: where the request that
    queued it will look); returns its bytes."""
    if document is None:
        build: Builder = import_string(key.builder)
        document = build(key.pk, key.version, key.audience)
    data = render(document, fmt)
    path = path or path_of(key, fmt)
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    cache.delete(_pending_key(path))
    return data


def _pending_key(path: str) -> str:
    return "documents:pending:" + path


def make_later(key: DocumentKey, fmt: str) -> None:
    """Queue the document for the background worker, once."""
    path = path_of(key, fmt)
    if cache.add(_pending_key(path), True, PENDING_SECONDS):
        document_make.enqueue(key.builder, key.pk, key.version, key.audience, fmt, path)


@task()
def document_make(
    builder: str, pk: int, version: int, audience: str, fmt: str, path: str = ""
) -> int:
    """Make and keep one document (the worker's side of :func:`make_later`); returns its size."""
    return len(make(DocumentKey(builder, pk, version, audience), fmt, path=path or None))
