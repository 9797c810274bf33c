"""The channel layer of the embedded default: one process, no Redis.

Channels' ``InMemoryChannelLayer`` sweeps every queued message and every group membership
for expiry on each ``send``, ``receive`` and ``group_send``, creates a task per member for a
group send and copies each message with ``copy.deepcopy``. One event to 500 open pages of a
result (each page in three groups) thus walked 1,500 memberships 500 times: the cost grew
with the square of the open pages (``bench/live.py``). This layer keeps its rules — messages
expire after ``expiry`` seconds, memberships after ``group_expiry``, a full channel misses a
group message, every socket gets a copy of its own — and does the sweep at most once a
``sweep_seconds``, so one event costs the same for each page however many are open.
"""

from __future__ import annotations

import asyncio
import time
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

_IMMUTABLE = (str, bytes, int, float, bool, type(None))


def copy_message(value: Any) -> Any:
    """A copy of a layer message of its own, as if it had been serialised: messages hold
    the plain values Channels' layers carry (dicts, lists, strings, numbers), and
    immutable values need no copy. Anything else is deep-copied as Channels does."""
    if isinstance(value, _IMMUTABLE):
        return value
    if type(value) is dict:
        return {key: copy_message(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(copy_message(item) for item in value)
    return deepcopy(value)


def _require_dict(message: Any) -> None:
    if not isinstance(message, dict):
        raise TypeError("a layer message is a dict")


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    """Channels' in-memory layer with the expiry sweep rationed and group sends direct."""

    #: at most one sweep for expired messages and memberships in this many seconds
    sweep_seconds = 1.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.sweep_seconds
        super()._clean_expired()

    def _queue(self, channel: str) -> asyncio.Queue:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    async def send(self, channel: str, message: dict) -> None:
        _require_dict(message)
        self.require_valid_channel_name(channel)
        if "__asgi_channel__" in message:
            raise ValueError("a message to a channel names no __asgi_channel__")
        self._clean_expired()
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, copy_message(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            while True:
                expires, message = await queue.get()
                if expires >= time.time():
                    return message
                # Expired between two sweeps: dropped, and the channel leaves its groups,
                # as the sweep would have done.
                self._remove_from_groups(channel)
        finally:
            if queue.empty():
                self.channels.pop(channel, None)

    async def group_send(self, group: str, message: dict) -> None:
        _require_dict(message)
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, ())):
            try:
                self._queue(channel).put_nowait((expires, copy_message(message)))
            except asyncio.QueueFull:
                # As in Channels: a channel that is full misses the group's message.
                pass
