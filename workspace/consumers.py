"""Websocket consumers of the core, and the base every live page's socket shares.

Presence (who is on the page, viewing or editing) lives in :mod:`workspace.presence`: a
shared store and one hub per process, so it works the same in one process or in many.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from workspace import presence
from workspace.events import group_name
from workspace.people import may_see_names


def shown(event: dict, key: str, names: bool) -> Any:
    """``event[key]`` for whoever may see names; otherwise the public variant the service put
    into ``event["public"]`` (the person's municipality instead of their name)."""
    if not names and key in event.get("public", {}):
        return event["public"][key]
    return event[key]


def user_from_session(scope: dict[str, Any]):
    """The person behind a socket *now*: the session is read afresh from its store, so a
    logout, an ended or expired session, a password change elsewhere (the session's hash no
    longer matches) or a deactivated account all give ``AnonymousUser``. Synchronous: call it
    inside ``database_sync_to_async``. Every re-check of an open socket starts here."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.auth.models import AnonymousUser
    from django.utils.crypto import constant_time_compare

    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    try:
        user_id = store[SESSION_KEY]
        backend_path = store[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    user = load_backend(backend_path).get_user(user_id)
    if user is None or not user.is_active:
        return AnonymousUser()
    session_hash = store.get(HASH_SESSION_KEY)
    if not (session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())):
        return AnonymousUser()
    return user


# Close codes (4000–4999 are free for applications).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
PRESENCE_NAMES = 30

REVOKED_SESSION = _(
    "Sie sind nicht mehr angemeldet (abgemeldet, Sitzung abgelaufen, Passwort geändert oder "
    "Konto geschlossen). Live-Aktualisierungen gibt es erst nach einer neuen Anmeldung wieder."
)
REVOKED_ACCESS = _(
    "Sie haben keinen Zugriff mehr auf diese Seite. Die Live-Aktualisierung ist beendet."
)


class AccessChecked:
    """The part every logged-in live socket shares: it is checked again whenever access may
    have changed, with the same ``authorize`` as on connecting.

    Three things start a re-check (handler ``access_recheck``): a service's
    ``recheck_user_on_commit`` (the group ``user-<id>``, which every such socket joins), a
    ``recheck_project_on_commit`` (the group ``project-access-<id>``, joined by the sockets
    of a project and its results), and this process's presence hub, at the change of day and
    every ``LIVE_RECHECK_SECONDS`` for terms and sessions that end by date without any write.
    Messages reach a consumer one after another, so nothing sent after the change that
    revoked access is ever handed on: the re-check runs first.
    """

    #: why the socket closes when ``authorize`` says no (German, through gettext)
    revoked_text = REVOKED_ACCESS
    revoked = False
    #: ``time.monotonic()`` by which the hub asks this socket to check itself again
    recheck_due = 0.0

    async def dispatch(self, message: dict) -> None:
        # Channels hops to a thread before every handler to close stale database connections
        # (``aclose_old_connections``). Handlers here reach the database only through
        # ``database_sync_to_async``, which does that in its own thread anyway; the extra hop
        # made one event to 500 open pages wait for 500 turns of the one thread that Django's
        # views run in too, behind the very request that sent it (bench/live.py).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def authorize(self, user) -> bool:
        return True

    async def refresh(self, user) -> None:
        """Per-socket state that follows access, set again after every passed re-check."""

    def start_watch(self, user) -> None:
        """Called once the socket is accepted: from now on it is checked again."""
        self.user_id = user.pk
        self.language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        self.recheck_due = time.monotonic() + settings.LIVE_RECHECK_SECONDS
        self.watching = presence.hub()
        self.watching.watch(self)

    def stop_watch(self) -> None:
        if hasattr(self, "watching"):
            self.watching.unwatch(self)

    async def access_recheck(self, event: dict) -> None:
        if self.revoked or not hasattr(self, "watching"):
            return
        self.recheck_due = time.monotonic() + settings.LIVE_RECHECK_SECONDS
        user = await database_sync_to_async(user_from_session)(self.scope)
        if not user.is_authenticated or user.pk != self.user_id:
            await self.revoke(CLOSE_UNAUTHENTICATED, REVOKED_SESSION)
        elif not await self.authorize(user):
            await self.revoke(CLOSE_FORBIDDEN, self.revoked_text)
        else:
            await self.refresh(user)

    async def revoke(self, code: int, reason) -> None:
        """Say why in the person's language, close, and let nothing else out of this socket."""
        if self.revoked:
            return
        with translation.override(getattr(self, "language", settings.LANGUAGE_CODE)):
            text = str(reason)
        await self.send_json({"event": "revoked", "text": text})
        self.revoked = True
        self.stop_watch()
        await self.close(code=code)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        # Messages already queued behind the revoking one (and the presence hub's lists until
        # the server reports the close) end here.
        if self.revoked:
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def send_json(self, content, close=False) -> None:
        if self.revoked:
            return
        await super().send_json(content, close=close)


class PresenceConsumer(AccessChecked, AsyncJsonWebsocketConsumer):
    """A logged-in socket with presence. Subclasses decide who may connect (``authorize``)
    and which groups carry their events (``event_groups``)."""

    #: the mode this socket reports ("viewing" or "editing")
    mode = "viewing"
    presence_sent = False

    def presence_group(self) -> str:
        raise NotImplementedError

    def event_groups(self) -> list[str]:
        return []

    async def welcome(self) -> dict[str, Any]:
        """Extra fields for the first message, e.g. the current revision for a resync."""
        return {}

    def presence_entry(self) -> dict[str, Any]:
        return {"socket": self.channel_name, "person": self.person, "mode": self.mode}

    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await self.authorize(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        self.person = {"id": user.pk, "name": user.get_display_name()}
        await self.refresh(user)
        self.groups_joined = [group_name("user", user.pk), *self.event_groups()]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json(
            {
                "event": "welcome",
                "socket": self.channel_name,
                "process": settings.WS_PROCESS_NAME,
                **await self.welcome(),
            }
        )
        self.start_watch(user)
        self.hub = presence.hub()
        await self.hub.join(self.presence_group(), self)

    async def refresh(self, user) -> None:
        # Whether names in live messages reach this person as they are (workspace.people).
        self.sees_names = await database_sync_to_async(may_see_names)(user)

    async def revoke(self, code: int, reason) -> None:
        if self.revoked:
            return
        await super().revoke(code, reason)
        if hasattr(self, "hub"):
            # Gone from everyone's list at once, not when the server reports the close.
            await self.hub.leave(self.presence_group(), self)

    async def disconnect(self, code: int) -> None:
        self.stop_watch()
        if not hasattr(self, "groups_joined"):
            return
        try:
            if hasattr(self, "hub"):
                await self.hub.leave(self.presence_group(), self)
        finally:
            for group in self.groups_joined:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Pages only listen; nothing a browser sends over the socket changes anything.
        return

    async def page_push(self, event: dict) -> None:
        """An app's message for every open page of a group, passed on as it is. Apps put in
        it only what everyone on the page may know (the page fetches the rest, checked)."""
        await self.send_json(event["message"])

    async def layer_state(self, healthy: bool) -> None:
        """The shared layer went away (live updates pause) or came back (resync)."""
        if healthy:
            await self.send_json({"event": "resumed", **await self.welcome()})
        else:
            await self.send_json({"event": "paused"})

    async def send_presence(self, entries: list[dict[str, Any]]) -> None:
        """Called by this process's presence hub with everybody on the page."""
        people: dict[int, dict[str, Any]] = {}
        for entry in entries:
            person = entry["person"]
            if person["id"] == self.user_id:
                continue
            shown = people.setdefault(person["id"], {"name": person["name"], "mode": "viewing"})
            if entry["mode"] == "editing":
                shown["mode"] = "editing"
        self.presence_sent = True
        shown = sorted(people.values(), key=lambda p: (p["mode"] != "editing", p["name"]))
        # A page names a few dozen people, then counts the rest: a list of hundreds helps
        # nobody and would cost every socket kilobytes on every arrival.
        await self.send_json(
            {
                "event": "presence",
                "people": shown[:PRESENCE_NAMES],
                "more": max(0, len(shown) - PRESENCE_NAMES),
            }
        )


class NetworkPresenceConsumer(PresenceConsumer):
    """Who is online in the network right now (start page)."""

    def presence_group(self) -> str:
        return "presence-network"


class NotificationConsumer(AccessChecked, AsyncJsonWebsocketConsumer):
    """``/ws/benachrichtigungen/``: the bell's unread count on every page of one person,
    sent on connecting and again whenever their notifications change. Every logged-in
    person has a bell, so only the session decides (``AccessChecked``).

    The background worker writes notifications and rings the bells of each batch through
    the channel layer. A layer that lives in this process only (the embedded default,
    ``InMemoryChannelLayer``) does not reach from the worker's process to this one, so there
    the socket asks the database itself every ``NOTIFICATION_POLL_SECONDS`` and speaks only on a
    change.
    """

    last_unread: int | None = None

    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.groups_joined = [group_name("notifications", user.pk), group_name("user", user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.start_watch(user)
        await self.send_count()
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.polling = asyncio.create_task(self.poll_count())

    async def poll_count(self) -> None:
        while not self.revoked:
            await asyncio.sleep(settings.NOTIFICATION_POLL_SECONDS)
            if not self.revoked:
                await self.send_count(only_if_changed=True)

    async def disconnect(self, code: int) -> None:
        if polling := getattr(self, "polling", None):
            polling.cancel()
        self.stop_watch()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        return

    async def notifications_changed(self, event: dict) -> None:
        await self.send_count()

    async def layer_state(self, healthy: bool) -> None:
        if healthy:
            await self.send_count()

    @database_sync_to_async
    def _unread(self) -> int | None:
        from workspace.models import User
        from workspace.notifications import unread_count

        # Fresh from the database: roles may have changed since the socket opened.
        user = User.objects.filter(pk=self.user_id, is_active=True).first()
        return None if user is None else unread_count(user)

    async def send_count(self, *, only_if_changed: bool = False) -> None:
        unread = await self._unread()
        if unread is None:
            await self.revoke(CLOSE_UNAUTHENTICATED, REVOKED_SESSION)
            return
        if only_if_changed and unread == self.last_unread:
            return
        self.last_unread = unread
        await self.send_json({"event": "count", "unread": unread})


class BroadcastBenchConsumer(AsyncJsonWebsocketConsumer):
    """A bare broadcast for `make bench` (routed only with LIVE_BENCH_ROUTES): any message
    is sent to every socket of the group, stamped with the time it left."""

    group = "bench-broadcast"

    async def connect(self) -> None:
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        await self.channel_layer.group_send(
            self.group, {"type": "bench.message", "sent_at": time.time()}
        )

    async def bench_message(self, event: dict) -> None:
        await self.send_json({"sent_at": event["sent_at"]})
