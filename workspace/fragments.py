"""Page fragments rendered once and served from the shared cache (``CACHE_URL``).

A fragment's key carries a stamp for the data it shows. The models it reads bump that stamp
through their signals, at once and again when the transaction commits, so the next request
renders afresh on every process: a reader that cached the old rows between the save and the
commit did so under a stamp that the commit retires. Stamps are random rather than counters,
so a stamp the cache evicted can never come back with a value an old fragment still carries.
Everything else that changes a fragment's output (who looks, the language, the query) goes
into the key by the caller.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

# The stamp every write to the database renews (workspace/pagecache.py).
WRITES = "writes"

# Long enough to serve a quiet network from the cache, short enough to let a rarely read
# variant fall out; a change never waits for it (the stamp changes).
FRAGMENT_SECONDS = 24 * 3600


def stamp_key(name: str) -> str:
    """The cache key that holds the stamp of fragment ``name``."""
    return f"fragment-stamp:{name}"


_stamp_key = stamp_key


def stamp(name: str) -> str:
    """The current stamp of the data behind fragment ``name`` (one cache read)."""
    value = cache.get(_stamp_key(name))
    if value is None:
        cache.add(_stamp_key(name), uuid.uuid4().hex, None)
        value = cache.get(_stamp_key(name)) or ""
    return value


def renew(name: str) -> None:
    """Retire every cached copy of fragment ``name`` now."""
    cache.set(_stamp_key(name), uuid.uuid4().hex, None)


def bump(name: str) -> None:
    """Retire every cached copy of fragment ``name``, now and once more at commit."""
    renew(name)
    transaction.on_commit(lambda: renew(name))


def key(name: str, *parts: object) -> str:
    """The cache key of one variant of fragment ``name`` under its current stamps: its own
    and that of every write to the database (workspace/pagecache.py), so a write that no
    signal announces (``QuerySet.update()``, raw SQL) retires it too."""
    variant = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"fragment:{name}:{stamp(name)}:{stamp(WRITES)}:{variant}"


def cached(fragment_key: str) -> SafeString | None:
    html = cache.get(fragment_key)
    # Only this module's store() writes under these keys, with HTML the templates escaped.
    return mark_safe(html) if html is not None else None  # noqa: S308


def store(fragment_key: str, html: str) -> None:
    cache.set(fragment_key, html, FRAGMENT_SECONDS)
