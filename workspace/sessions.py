"""Ending sessions that are not the request's own: their rows and, with a shared cache, their
cached copies.

With ``CACHE_URL`` the sessions are ``cached_db`` (settings.py): read from the cache, written
to both. A session ended by deleting its row alone would live on in the cache until it expires,
so whoever ends someone else's session (the office off-boarding a person, a provider removed,
"Abmelden" on /konto/sitzungen/) goes through here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from workspace import fragments

logger = logging.getLogger(__name__)

# The person a session names, as the last request of that session loaded them.
PERSON_PREFIX = "session-person:"
PERSON_SECONDS = 300


def sessions_delete(session_keys: Iterable[str]) -> int:
    """Delete these sessions everywhere; the number of rows deleted."""
    keys = [key for key in session_keys if key]
    if not keys:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "cache_key_prefix"):  # cached_db: the cached copies go first
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [store.cache_key_prefix + key for key in keys] + [PERSON_PREFIX + key for key in keys]
        )
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    return deleted


class SessionStore(CachedDBStore):
    """``cached_db`` (the session engine with ``CACHE_URL``), reading in the same round trip to
    the cache the person the session names, as an earlier request of this session loaded them.

    A logged-in request used to ask the cache for its session and then the database for its
    person (workspace/backends.py). The kept person is valid only under the write stamp of
    :mod:`workspace.pagecache`, which every write to the database retires (a changed name,
    group, seat, password or a closed account is such a write), and only on the day it was
    loaded (a seat may start or end with the calendar): the same rule that serves whole pages
    from the cache. Its session must still name it with the same backend and password hash;
    otherwise Django's own ``get_user`` decides (and ends a session whose hash is stale). The
    kept copy is the person's row as the database holds it (password hash included, which the
    hash check and a password change need), in the Redis that already holds the sessions.
    """

    def load(self):
        self._person = None
        self._writes = None
        keys = [
            self.cache_key,
            PERSON_PREFIX + self.session_key,
            fragments.stamp_key(fragments.WRITES),
        ]
        try:
            found = self._cache.get_many(keys)
        except Exception:
            return super().load()
        data = found.get(keys[0])
        if data is None:
            return super().load()
        self._writes = found.get(keys[2])
        kept = found.get(keys[1])
        if kept is not None and self._writes is not None:
            writes, day, user = kept
            if writes == self._writes and day == timezone.localdate():
                self._person = user
        return data

    def kept_person(self):
        """The person this session names, from the cache, or None to load them afresh."""
        data = self._get_session()  # loads the session, and with it the kept person
        user = getattr(self, "_person", None)
        if user is None:
            return None
        if (
            data.get(SESSION_KEY) != user._meta.pk.value_to_string(user)
            or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS
        ):
            return None
        session_hash = data.get(HASH_SESSION_KEY)
        if not (session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())):
            return None
        return user

    def keep_person(self, user) -> None:
        """Keep ``user``, just loaded from the database, for this session's next requests, under
        the write stamp read before they were loaded (a write since has retired it already)."""
        writes = getattr(self, "_writes", None)
        if writes is None or self.session_key is None:
            return
        try:
            self._cache.set(
                PERSON_PREFIX + self.session_key,
                (writes, timezone.localdate(), user),
                PERSON_SECONDS,
            )
        except Exception:
            # The next request loads the person from the database again.
            logger.warning("Cache nicht erreichbar: Person der Sitzung nicht behalten")
