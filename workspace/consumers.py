"""Websocket consumers of the core, and the presence machinery every live page shares.

Presence is kept by the sockets themselves, so it works the same in one process or in many
behind Redis: a new socket announces itself to its presence group, everybody there answers,
and every socket repeats a heartbeat. A socket whose heartbeat stops (tab closed, connection
dead, server process killed) drops out of every list after ``LIVE_PRESENCE_TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from workspace.events import group_name

# Close codes (4000–4999 are free for applications).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    """A logged-in socket with presence. Subclasses decide who may connect (``authorize``)
    and which groups carry their events (``event_groups``)."""

    #: the mode this socket reports ("viewing" or "editing")
    mode = "viewing"

    async def authorize(self, user) -> bool:
        return True

    def presence_group(self) -> str:
        raise NotImplementedError

    def event_groups(self) -> list[str]:
        return []

    async def welcome(self) -> dict[str, Any]:
        """Extra fields for the first message, e.g. the current revision for a resync."""
        return {}

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
        self.peers: dict[str, dict[str, Any]] = {}
        self.groups_joined = [
            self.presence_group(),
            group_name("user", user.pk),
            *self.event_groups(),
        ]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "welcome", "socket": self.channel_name, **await self.welcome()})
        await self._announce("presence.join")
        self.heartbeat = asyncio.create_task(self._heartbeat())

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "groups_joined"):
            return
        self.heartbeat.cancel()
        try:
            await self.channel_layer.group_send(
                self.presence_group(), {"type": "presence.leave", "socket": self.channel_name}
            )
        finally:
            for group in self.groups_joined:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Pages only listen; nothing a browser sends over the socket changes anything.
        return

    # --- presence ------------------------------------------------------------------

    async def _announce(self, kind: str, to: str | None = None) -> None:
        message = {
            "type": kind,
            "socket": self.channel_name,
            "person": self.person,
            "mode": self.mode,
        }
        if to is None:
            await self.channel_layer.group_send(self.presence_group(), message)
        else:
            await self.channel_layer.send(to, message)

    async def _heartbeat(self) -> None:
        interval = settings.LIVE_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(interval)
            try:
                await self._announce("presence.beat")
            except Exception:  # noqa: S110 – the layer is down: the socket closes by itself
                pass
            await self._prune()

    async def _prune(self) -> None:
        deadline = time.monotonic() - settings.LIVE_PRESENCE_TIMEOUT
        gone = [socket for socket, peer in self.peers.items() if peer["seen"] < deadline]
        for socket in gone:
            del self.peers[socket]
        if gone:
            await self._send_presence()

    def _remember(self, event: dict) -> bool:
        """Record a peer; True when the visible list changed."""
        if event["socket"] == self.channel_name:
            return False
        before = self.peers.get(event["socket"])
        self.peers[event["socket"]] = {
            "person": event["person"],
            "mode": event["mode"],
            "seen": time.monotonic(),
        }
        return before is None or before["mode"] != event["mode"]

    async def _send_presence(self) -> None:
        people: dict[int, dict[str, Any]] = {}
        for peer in self.peers.values():
            person = peer["person"]
            if person["id"] == self.user_id:
                continue
            entry = people.setdefault(person["id"], {"name": person["name"], "mode": "viewing"})
            if peer["mode"] == "editing":
                entry["mode"] = "editing"
        await self.send_json(
            {"event": "presence", "people": sorted(people.values(), key=lambda p: p["name"])}
        )

    async def presence_join(self, event: dict) -> None:
        if event["socket"] != self.channel_name:
            await self._announce("presence.here", to=event["socket"])
        if self._remember(event) or event["socket"] == self.channel_name:
            await self._send_presence()

    async def presence_here(self, event: dict) -> None:
        if self._remember(event):
            await self._send_presence()

    async def presence_beat(self, event: dict) -> None:
        if self._remember(event):
            await self._send_presence()

    async def presence_leave(self, event: dict) -> None:
        if self.peers.pop(event["socket"], None) is not None:
            await self._send_presence()


class NetworkPresenceConsumer(PresenceConsumer):
    """Who is online in the network right now (start page)."""

    def presence_group(self) -> str:
        return "presence-network"


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
