"""Who is on which live page: a shared store, and one small hub per server process.

Announcing every arrival to every open socket costs N² messages when N people open a page;
a storm of sockets then drowns the very events the page is for. Instead, every socket writes
its own entry to a shared store (Redis, or this process's memory when there is only one
process), and each process's hub reads the lists of the pages it has open once per tick and
hands them to its own sockets. Nothing crosses processes but the store; a process that dies
stops refreshing its entries, and they expire after ``LIVE_PRESENCE_TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

Entry = dict[str, Any]  # {"socket", "person": {"id", "name"}, "mode"}


class PresenceStore(Protocol):
    async def touch(self, group: str, entries: list[Entry]) -> None: ...
    async def drop(self, group: str, socket: str) -> None: ...
    async def entries(self, group: str) -> list[Entry]: ...


class LocalStore:
    """One process, in-memory channel layer: the store is this process's memory."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[str, tuple[float, Entry]]] = {}

    async def touch(self, group: str, entries: list[Entry]) -> None:
        now = time.monotonic()
        bucket = self.groups.setdefault(group, {})
        for entry in entries:
            bucket[entry["socket"]] = (now, entry)

    async def drop(self, group: str, socket: str) -> None:
        self.groups.get(group, {}).pop(socket, None)

    async def entries(self, group: str) -> list[Entry]:
        deadline = time.monotonic() - settings.LIVE_PRESENCE_TIMEOUT
        bucket = self.groups.get(group, {})
        for socket in [s for s, (seen, _) in bucket.items() if seen < deadline]:
            del bucket[socket]
        return [entry for _, entry in bucket.values()]


class RedisStore:
    """Several processes: a sorted set of sockets by last heartbeat, plus their entries."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio as redis

        # Blocking pool: a burst of arrivals waits for a connection instead of failing.
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=50, timeout=10, retry_on_error=[redis.ConnectionError]
        )
        self.redis = redis.Redis(connection_pool=pool)
        self.prefix = f"{prefix}:presence"

    def _keys(self, group: str) -> tuple[str, str]:
        return f"{self.prefix}:{group}:seen", f"{self.prefix}:{group}:entries"

    async def touch(self, group: str, entries: list[Entry]) -> None:
        seen, data = self._keys(group)
        now = time.time()
        ttl = int(settings.LIVE_PRESENCE_TIMEOUT * 4) + 1
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(seen, {entry["socket"]: now for entry in entries})
            pipe.hset(data, mapping={entry["socket"]: json.dumps(entry) for entry in entries})
            pipe.expire(seen, ttl)
            pipe.expire(data, ttl)
            await pipe.execute()

    async def drop(self, group: str, socket: str) -> None:
        seen, data = self._keys(group)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(seen, socket)
            pipe.hdel(data, socket)
            await pipe.execute()

    async def entries(self, group: str) -> list[Entry]:
        seen, data = self._keys(group)
        expired_before = time.time() - settings.LIVE_PRESENCE_TIMEOUT
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrangebyscore(seen, "-inf", expired_before)
            pipe.zremrangebyscore(seen, "-inf", expired_before)
            pipe.zrange(seen, 0, -1)
            gone, _, alive = await pipe.execute()
        if gone:
            await self.redis.hdel(data, *gone)
        if not alive:
            return []
        values = await self.redis.hmget(data, alive)
        return [json.loads(value) for value in values if value]


def _make_store() -> PresenceStore:
    if settings.REDIS_URL:
        return RedisStore(settings.REDIS_URL, settings.CHANNEL_LAYER_PREFIX)
    return LocalStore()


class Hub:
    """The presence of this process's sockets, one per event loop (one per server process).

    It also keeps the clock of their access re-checks (``workspace.consumers.AccessChecked``):
    a committee term or a membership ends by date, a session expires, without any write that
    could tell the sockets. Each tick costs no query: the hub only compares times, and asks a
    socket to check itself (through its own channel, so the check waits its turn behind the
    socket's other messages) when its ``recheck_due`` has passed, or when the day changed.
    """

    def __init__(self) -> None:
        self.store = _make_store()
        self.local: dict[str, dict[str, Any]] = {}  # group -> socket name -> consumer
        self.sent: dict[str, list] = {}
        self.watched: dict[str, Any] = {}  # socket name -> consumer, for access re-checks
        self.day = timezone.localdate()
        self.healthy = True
        self.wake = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())

    def watch(self, consumer) -> None:
        self.watched[consumer.channel_name] = consumer

    def unwatch(self, consumer) -> None:
        self.watched.pop(consumer.channel_name, None)

    async def join(self, group: str, consumer) -> None:
        self.local.setdefault(group, {})[consumer.channel_name] = consumer
        await self.store.touch(group, [consumer.presence_entry()])
        self._mark(group)

    async def leave(self, group: str, consumer) -> None:
        sockets = self.local.get(group, {})
        sockets.pop(consumer.channel_name, None)
        if not sockets:
            self.local.pop(group, None)
            self.sent.pop(group, None)
        try:
            await self.store.drop(group, consumer.channel_name)
        except Exception:
            logger.warning("Anwesenheit: Eintrag nicht entfernt", exc_info=True)
        self._mark(group)

    def _mark(self, group: str) -> None:
        self.wake.set()

    async def _run(self) -> None:
        last_beat = 0.0
        while True:
            try:
                # Other processes' arrivals and departures are seen within a second.
                # (asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that meets a wake-up, and the hub would then never stop.)
                async with asyncio.timeout(min(1.0, settings.LIVE_HEARTBEAT_SECONDS / 2)):
                    await self.wake.wait()
            except TimeoutError:
                pass
            self.wake.clear()
            # Arrivals in a burst are handed out together, not one list per arrival.
            await asyncio.sleep(0.05)
            now = time.monotonic()
            beat = now - last_beat >= settings.LIVE_HEARTBEAT_SECONDS or not self.healthy
            healthy = True
            for group in list(self.local):
                try:
                    if beat:
                        consumers = list(self.local.get(group, {}).values())
                        await self.store.touch(group, [c.presence_entry() for c in consumers])
                    await self._push(group, await self.store.entries(group))
                except Exception:
                    healthy = False
                    logger.warning("Anwesenheit für %s nicht aktualisiert", group, exc_info=True)
            if beat:
                last_beat = now
            if healthy != self.healthy:
                self.healthy = healthy
                await self._tell_all(healthy)
            await self._recheck_due()

    async def _recheck_due(self) -> None:
        """Ask every socket whose access may have ended by date alone to check itself."""
        from workspace.events import ACCESS_RECHECK

        today = timezone.localdate()  # Europe/Berlin: terms end at local midnight
        new_day, self.day = today != self.day, today
        now = time.monotonic()
        for consumer in list(self.watched.values()):
            if not new_day and consumer.recheck_due > now:
                continue
            # Not asked again on the next tick while this request waits in the queue.
            consumer.recheck_due = now + settings.LIVE_RECHECK_SECONDS
            try:
                await consumer.channel_layer.send(
                    consumer.channel_name, {"type": ACCESS_RECHECK, "due": True}
                )
            except Exception:
                logger.warning("Zugriff von %s nicht erneut geprüft", consumer.channel_name)

    async def _tell_all(self, healthy: bool) -> None:
        """Redis went away or came back: every open page here should know."""
        for sockets in list(self.local.values()):
            for consumer in list(sockets.values()):
                try:
                    await consumer.layer_state(healthy)
                except Exception:
                    logger.warning("Live-Zustand nicht gemeldet", exc_info=True)

    async def _push(self, group: str, entries: list[Entry]) -> None:
        consumers = list(self.local.get(group, {}).values())
        key = sorted((e["socket"], e["mode"]) for e in entries)
        if self.sent.get(group) == key:
            new = [c for c in consumers if not c.presence_sent]
        else:
            new = consumers
        self.sent[group] = key
        for consumer in new:
            await consumer.send_presence(entries)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None or current.task.done():
        current = _hubs[loop] = Hub()
    return current
