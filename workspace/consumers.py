"""Websocket consumers of the core."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close code for "not logged in" (4000–4999 are free for applications).
CLOSE_UNAUTHENTICATED = 4401


class NetworkPresenceConsumer(AsyncJsonWebsocketConsumer):
    """Who is online in the network right now.

    Stateless across processes: a new socket announces itself to the group and everyone
    present answers it directly, so it works the same with one process or many behind Redis.
    """

    group = "network-presence"

    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.person = {"id": user.pk, "name": user.get_display_name()}
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "welcome", "socket": self.channel_name})
        await self.channel_layer.group_send(
            self.group,
            {"type": "presence.join", "person": self.person, "socket": self.channel_name},
        )

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "person"):
            return
        await self.channel_layer.group_send(
            self.group,
            {"type": "presence.leave", "person": self.person, "socket": self.channel_name},
        )
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # The page only listens; nothing a browser sends here changes anything.
        return

    async def presence_join(self, event: dict) -> None:
        await self.send_json(
            {"event": "join", "person": event["person"], "socket": event["socket"]}
        )
        if event["socket"] != self.channel_name:
            await self.channel_layer.send(
                event["socket"],
                {"type": "presence.here", "person": self.person, "socket": self.channel_name},
            )

    async def presence_here(self, event: dict) -> None:
        await self.send_json(
            {"event": "here", "person": event["person"], "socket": event["socket"]}
        )

    async def presence_leave(self, event: dict) -> None:
        await self.send_json(
            {"event": "leave", "person": event["person"], "socket": event["socket"]}
        )
