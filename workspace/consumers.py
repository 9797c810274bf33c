"""Websocket consumers of the core, and the base every live page's socket shares.

Presence (who is on the page, viewing or editing) lives in :mod:`workspace.presence`: a
shared store and one hub per process, so it works the same in one process or in many.
"""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

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


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    """A logged-in socket with presence. Subclasses decide who may connect (``authorize``)
    and which groups carry their events (``event_groups``)."""

    #: the mode this socket reports ("viewing" or "editing")
    mode = "viewing"
    presence_sent = False

    async def authorize(self, user) -> bool:
        return True

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
        # Whether names in live messages reach this person as they are (workspace.people).
        self.sees_names = await database_sync_to_async(may_see_names)(user)
        self.groups_joined = [group_name("user", user.pk), *self.event_groups()]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json(
            {"event": "welcome", "socket": self.channel_name, **await self.welcome()}
        )
        self.hub = presence.hub()
        await self.hub.join(self.presence_group(), self)

    async def disconnect(self, code: int) -> None:
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


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/benachrichtigungen/``: the bell's unread count on every page of one person,
    sent on connecting and again whenever their notifications change."""

    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.group = group_name("notifications", user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_count()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

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

    async def send_count(self) -> None:
        unread = await self._unread()
        if unread is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
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
