"""Ending sessions that are not the request's own: their rows and, with a shared cache, their
cached copies.

With ``CACHE_URL`` the sessions are ``cached_db`` (settings.py): read from the cache, written
to both. A session ended by deleting its row alone would live on in the cache until it expires,
so whoever ends someone else's session (the office off-boarding a person, a provider removed,
"Abmelden" on /konto/sitzungen/) goes through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session


def sessions_delete(session_keys: Iterable[str]) -> int:
    """Delete these sessions everywhere; the number of rows deleted."""
    keys = [key for key in session_keys if key]
    if not keys:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "cache_key_prefix"):  # cached_db: the cached copies go first
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [store.cache_key_prefix + key for key in keys]
        )
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    return deleted
