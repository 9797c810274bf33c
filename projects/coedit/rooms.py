"""The open co-editing rooms of one server process, and how processes keep each other whole.

One :class:`Room` per text (a result or a guide, see :mod:`.kinds`) and process holds the
shared document. An update from a socket
is applied once and relayed to the room's other local sockets (never back to the sender) and
once to the other processes, through the channel-layer group of the room. Sockets hold no
channel of their own: the process has one (:class:`Hub`), which joins the groups of its open
rooms and the user groups of its sockets' people, so a Redis outage closes no socket.

Messages get lost (both Redis layers drop silently when a channel is full, and a Redis
restart forgets group membership), so when a room opens, and every
``COEDIT_EXCHANGE_INTERVAL`` seconds while it is open, processes exchange state vectors and
send each other what the other one lacks.

The text never grows beyond ``LONG_TEXT_MAX`` code points. An update cannot be refused
without the sender's copy drifting apart from everyone else's, so the room applies it and
deletes the excess at the end in a transaction of its own, which goes to every socket (the
sender included) and every process like any edit; the sender is told why.

The hub also joins the access group of each open room (a result's lead project, a guide): an
``access.recheck`` for a person, a project or a guide, the change of day and every ``LIVE_RECHECK_SECONDS`` make the sockets
concerned check themselves again (see :mod:`.consumers`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections import Counter
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy
from pycrdt import YSyncMessageType, get_state

from projects.coedit import protocol
from projects.coedit.kinds import get_kind, room_group, room_key
from projects.coedit.services import (
    NOTE_MAX,
    Rule,
    coedit_state_open,
    coedit_state_save,
    coedit_version_write,
)
from projects.coedit.state import doc_from
from workspace.events import ACCESS_RECHECK, group_name
from workspace.limits import LONG_TEXT_MAX
from workspace.metrics import COEDIT_ROOMS
from workspace.validators import CONTROL_CHARACTERS

if TYPE_CHECKING:
    from projects.coedit.consumers import CoeditConsumer

logger = logging.getLogger(__name__)

AWARENESS_TIMEOUT = 30.0  # seconds, as y-protocols' own outdatedTimeout
# Seconds between two looks at the clock: the day may change (or the wall clock jump) while
# the hub sleeps towards the next LIVE_RECHECK_SECONDS.
RECHECK_TICK = 30.0
# Cursors one socket may have in the room (a browser has one per tab's document).
AWARENESS_PER_SOCKET = 4

TOO_LONG = gettext_lazy(
    "Der Text darf höchstens %(max)s Zeichen lang sein. Was darüber hinausging, wurde am Ende "
    "entfernt."
)


def _apply(doc, update: bytes) -> None:
    """Apply a browser's update; one pycrdt cannot decode is the browser's fault."""
    try:
        doc.apply_update(update)
    except Exception as error:  # pycrdt raises ValueError, its Rust side may panic
        raise protocol.ProtocolError("undecodable update") from error


class Room:
    """The shared document of one text in this process, and its local sockets."""

    def __init__(self, hub: Hub, kind: str, pk: int, access: tuple[str, int]) -> None:
        self.hub = hub
        self.kind = kind
        self.pk = pk
        self.key = room_key(kind, pk)
        self.group = room_group(kind, pk)
        # The access.recheck this room's sockets listen for beside their person's.
        self.access = access
        self.access_group = get_kind(kind).access_group(access[1])
        self.doc, self.text = doc_from(b"")
        self.sockets: dict[CoeditConsumer, None] = {}
        # client id -> (clock, state as JSON, last seen, owner: a local socket or a process)
        self.awareness: dict[int, tuple[int, str, float, Any]] = {}
        self.text_changed = False
        self.text.observe(self._on_text)
        self.last_edit = 0.0
        self.unsaved_since: float | None = None
        self.edited_since_version = False
        self.authors: set[int] = set()
        self.last_editor: int | None = None
        self.wake = asyncio.Event()
        self.db_lock = asyncio.Lock()
        self.ready = asyncio.get_running_loop().create_future()
        self.timer: asyncio.Task | None = None
        self.closed = False

    def _on_text(self, event) -> None:
        # pycrdt does not say who changed: whoever called apply_update is noted around it.
        self.text_changed = True

    # --- opening and closing -----------------------------------------------------------------

    async def open(self) -> None:
        try:
            state = await database_sync_to_async(coedit_state_open)(kind=self.kind, pk=self.pk)
            self.doc.apply_update(state)
            if self.trim() is not None:
                self._note_edit(None)  # a text from before the limit: saved trimmed
            await self.hub.group_add(self.group)
            await self.hub.group_add(self.access_group)
            await self.exchange()
            self.timer = asyncio.get_running_loop().create_task(self._timers())
            self.ready.set_result(True)
        except BaseException as error:
            self.ready.set_exception(error)
            raise

    async def close(self) -> None:
        """The last local socket left: save, write a version if the text changed, go."""
        self.closed = True
        self.wake.set()
        if self.timer is not None:
            self.timer.cancel()
        try:
            await self.persist()
            await self.write_version(Rule.CLOSED)
        finally:
            await self.hub.group_discard(self.group)
            await self.hub.group_discard(self.access_group)

    # --- sockets ---------------------------------------------------------------------------

    async def join(self, consumer: CoeditConsumer) -> None:
        self.sockets[consumer] = None
        await consumer.send(bytes_data=protocol.create_sync_step1_message(self.doc.get_state()))
        entries = self._awareness_entries()
        if entries:
            update = protocol.encode_awareness(entries)
            await consumer.send(bytes_data=protocol.awareness_message(update))

    async def leave(self, consumer: CoeditConsumer) -> None:
        self.sockets.pop(consumer, None)
        gone = [
            (client, clock + 1, "null")
            for client, (clock, _state, _seen, owner) in list(self.awareness.items())
            if owner is consumer
        ]
        for client, _clock, _state in gone:
            del self.awareness[client]
        if gone:
            update = protocol.encode_awareness(gone)
            await self._to_sockets(protocol.awareness_message(update))
            await self.hub.publish(
                self.group, {"type": "coedit.awareness", "room": self.key, "update": update}
            )

    async def receive(self, consumer: CoeditConsumer, message: protocol.Message) -> None:
        """One parsed message of a local socket; :class:`~.protocol.ProtocolError` for what
        only applying can find wrong (the consumer closes the socket)."""
        if message.kind == protocol.SYNC:
            if message.sync == YSyncMessageType.SYNC_STEP1:
                try:
                    missing = self.doc.get_update(message.payload)
                except Exception as error:
                    raise protocol.ProtocolError("undecodable state vector") from error
                await consumer.send(bytes_data=protocol.create_sync_step2_message(missing))
            else:
                await self.local_update(consumer, message.payload)
        elif message.kind == protocol.AWARENESS:
            await self.local_awareness(consumer, list(message.entries))
        elif message.kind == protocol.QUERY_AWARENESS:
            entries = self._awareness_entries()
            update = protocol.encode_awareness(entries)
            await consumer.send(bytes_data=protocol.awareness_message(update))
        elif message.kind == protocol.CONTROL:
            control = message.control or {}
            if control.get("action") == "version" and consumer.can_edit:
                note = control.get("note", "")
                if not isinstance(note, str) or len(note) > NOTE_MAX:
                    raise protocol.ProtocolError("note")
                if CONTROL_CHARACTERS.search(note):
                    raise protocol.ProtocolError("control characters in the note")
                revision = await self.write_version(Rule.REQUESTED, note=note)
                await consumer.send(
                    bytes_data=protocol.control_message({"event": "saved", "revision": revision})
                )

    async def local_update(self, consumer: CoeditConsumer, update: bytes) -> None:
        if update == protocol.EMPTY_UPDATE:
            return
        if not consumer.can_edit:
            # A viewer's update is dropped here and goes nowhere; garbage still closes.
            try:
                get_state(update)
            except Exception as error:
                raise protocol.ProtocolError("undecodable update") from error
            return
        self.text_changed = False
        _apply(self.doc, update)
        trimmed = self.trim()
        if self.text_changed:
            self._note_edit(consumer.user_id)
        # The other processes first: the PUBLISH is on its way to Redis (the task runs up to
        # waiting for Redis's answer) while this process writes to its own sockets.
        publish = asyncio.get_running_loop().create_task(
            self.hub.publish(
                self.group, {"type": "coedit.update", "room": self.key, "update": update}
            )
        )
        await asyncio.sleep(0)
        await self._to_sockets(protocol.create_update_message(update), skip=consumer)
        await publish
        if trimmed is not None:
            await self._send_trim(trimmed)
            await consumer.say({"event": "limit", "text": TOO_LONG}, max=LONG_TEXT_MAX)

    def trim(self) -> bytes | None:
        """Delete what goes beyond ``LONG_TEXT_MAX`` code points; the update that did, or
        None when the text is within the limit."""
        if len(self.text) <= LONG_TEXT_MAX:
            return None  # pycrdt counts UTF-8 bytes: never fewer than code points
        text = str(self.text)
        if len(text) <= LONG_TEXT_MAX:
            return None
        cut = len(text[:LONG_TEXT_MAX].encode())
        before = self.doc.get_state()
        with self.doc.transaction():
            del self.text[cut : len(self.text)]
        return self.doc.get_update(before)

    async def _send_trim(self, update: bytes) -> None:
        """The compensating delete, to every local socket (the sender's copy holds the
        excess too) and every other process."""
        await self._to_sockets(protocol.create_update_message(update))
        await self.hub.publish(
            self.group, {"type": "coedit.update", "room": self.key, "update": update}
        )

    async def local_awareness(
        self, consumer: CoeditConsumer, entries: list[protocol.AwarenessEntry]
    ) -> None:
        now = time.monotonic()
        rewritten = []
        owned = sum(1 for entry in self.awareness.values() if entry[3] is consumer)
        for client, clock, state in entries:
            known = self.awareness.get(client)
            if known is not None and known[3] is not consumer:
                continue  # nobody speaks for another socket's cursor
            value = json.loads(state)  # parsed strictly already: an object or null
            if value is not None:
                if known is None:
                    if owned >= AWARENESS_PER_SOCKET:
                        raise protocol.ProtocolError("too many cursors")
                    owned += 1
                # The name in a cursor is the server's, whatever the browser claims.
                value["user"] = consumer.cursor_user
                state = json.dumps(value)
                self.awareness[client] = (clock, state, now, consumer)
            else:
                self.awareness.pop(client, None)
            rewritten.append((client, clock, state))
        if not rewritten:
            return
        update = protocol.encode_awareness(rewritten)
        # Back to the sender too: it learns its name, and y-websocket drops a socket that
        # heard nothing for 30 s.
        await self._to_sockets(protocol.awareness_message(update))
        await self.hub.publish(
            self.group, {"type": "coedit.awareness", "room": self.key, "update": update}
        )

    def _awareness_entries(self) -> list[protocol.AwarenessEntry]:
        deadline = time.monotonic() - AWARENESS_TIMEOUT
        for client in [c for c, (_, _, seen, _) in self.awareness.items() if seen < deadline]:
            del self.awareness[client]
        return [(c, clock, state) for c, (clock, state, _, _) in self.awareness.items()]

    async def _to_sockets(self, message: bytes, skip: Any = None) -> None:
        for consumer in list(self.sockets):
            if consumer is skip:
                continue
            try:
                await consumer.send(bytes_data=message)
            except Exception:
                logger.info("Gemeinsame Bearbeitung: Socket nicht erreichbar", exc_info=True)

    # --- other processes -------------------------------------------------------------------

    async def exchange(self) -> None:
        """Tell the other processes our state vector; each answers with what we lack."""
        await self.hub.publish(
            self.group,
            {"type": "coedit.exchange", "room": self.key, "sv": self.doc.get_state()},
        )

    async def remote_update(self, update: bytes, *, unsaved: bool = True) -> None:
        """An update from another process (or a form save): apply, hand to every socket.

        It counts as unsaved here too: should its own process die before saving, this one
        still writes it (merging the same change twice changes nothing)."""
        if not update or update == protocol.EMPTY_UPDATE:
            return
        before = self.doc.get_state()
        self.text_changed = False
        self.doc.apply_update(update)
        if self.text_changed or self.doc.get_state() != before:
            await self._to_sockets(protocol.create_update_message(update))
            if unsaved:
                self._note_edit(None)
        # Two processes' edits, each within the limit, may together go beyond it.
        trimmed = self.trim()
        if trimmed is not None:
            self._note_edit(None)
            await self._send_trim(trimmed)

    def remote_awareness(self, update: bytes, owner: str) -> list[protocol.AwarenessEntry]:
        entries = protocol.decode_awareness(update)
        now = time.monotonic()
        for client, clock, state in entries:
            if state == "null":
                self.awareness.pop(client, None)
            else:
                self.awareness[client] = (clock, state, now, owner)
        return entries

    # --- saving and versions ---------------------------------------------------------------

    def _note_edit(self, user_id: int | None) -> None:
        """Something changed the text: a local editor (``user_id``) or another process.

        Deadlines only move later with an edit, so the timer task is woken only when one is
        armed anew, not on every keystroke (a task switch less on the relay's hot path)."""
        now = time.monotonic()
        arms = self.unsaved_since is None or (user_id is not None and not self.edited_since_version)
        if self.unsaved_since is None:
            self.unsaved_since = now
        if user_id is not None:
            self.last_edit = now
            self.last_editor = user_id
            self.authors.add(user_id)
            self.edited_since_version = True
        elif not self.edited_since_version:
            self.last_edit = now
        if arms:
            self.wake.set()

    async def _timers(self) -> None:
        while not self.closed:
            save_at = version_at = None
            if self.unsaved_since is not None:
                save_at = min(
                    self.last_edit + settings.COEDIT_SAVE_DELAY,
                    self.unsaved_since + settings.COEDIT_SAVE_MAX_INTERVAL,
                )
            if self.edited_since_version:
                version_at = self.last_edit + settings.COEDIT_VERSION_IDLE
            now = time.monotonic()
            try:
                if version_at is not None and now >= version_at:
                    await self.write_version(Rule.IDLE)
                    continue
                if save_at is not None and now >= save_at:
                    await self.persist()
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Gemeinsame Bearbeitung: Speichern von %s fehlgeschlagen", self)
                await asyncio.sleep(1)
                continue
            # Not due yet: sleep until the earliest deadline (edits since may have moved it
            # later; then this loop simply looks again) or until a deadline is armed anew.
            deadlines = [at for at in (save_at, version_at) if at is not None]
            self.wake.clear()
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=timeout)
            except TimeoutError:
                pass

    async def persist(self) -> None:
        """Write the document (merged with what others wrote), if anything is unsaved."""
        async with self.db_lock:
            if self.unsaved_since is None:
                return
            authors, editor, since = set(self.authors), self.last_editor, self.unsaved_since
            self.authors.clear()
            self.last_editor = None
            self.unsaved_since = None
            try:
                merged = await database_sync_to_async(coedit_state_save)(
                    kind=self.kind,
                    pk=self.pk,
                    state=self.doc.get_update(),
                    authors=authors,
                    last_editor_id=editor,
                )
            except BaseException:
                self.authors |= authors
                self.last_editor = self.last_editor or editor
                self.unsaved_since = since
                raise
            await self.remote_update(merged, unsaved=False)

    async def write_version(self, rule: str, note: str = "") -> int | None:
        await self.persist()
        self.edited_since_version = False
        async with self.db_lock:
            revision = await database_sync_to_async(coedit_version_write)(
                kind=self.kind, pk=self.pk, rule=rule, note=note
            )
        if revision is not None:
            await self.announce_version(revision)
            await self.hub.publish(
                self.group,
                {"type": "coedit.version", "room": self.key, "revision": revision},
            )
        return revision

    async def announce_version(self, revision: int) -> None:
        await self._to_sockets(protocol.control_message({"event": "version", "revision": revision}))

    def __str__(self) -> str:
        return f"Raum {self.key}"


class Hub:
    """This process's rooms and its one channel-layer channel."""

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.rooms: dict[str, Room] = {}  # by room key ("result-7", "guide-3")
        self.closing: dict[str, asyncio.Task] = {}
        self.users: Counter[int] = Counter()
        self.groups: Counter[str] = Counter()
        self.channel = ""
        self.tasks: list[asyncio.Task] = []
        self.started = False
        self.start_lock = asyncio.Lock()
        self.healthy = True
        self.rechecks: set[asyncio.Task] = set()

    async def start(self) -> None:
        async with self.start_lock:
            if self.started:
                return
            loop = asyncio.get_running_loop()
            if self.layer is not None:
                self.channel = await self.layer.new_channel("coedit.")
                self.tasks.append(loop.create_task(self._receive()))
            self.tasks.append(loop.create_task(self._exchanges()))
            self.tasks.append(loop.create_task(self._rechecks()))
            self.started = True

    async def stop(self) -> None:
        """Shutdown: every open room is saved (uvicorn's lifespan, or the end of a test)."""
        for room in list(self.rooms.values()):
            try:
                await room.persist()
            except Exception:
                logger.exception("Gemeinsame Bearbeitung: %s beim Beenden nicht gespeichert", room)
        for task in self.closing.values():
            await asyncio.gather(task, return_exceptions=True)
        for task in [*self.tasks, *self.rechecks]:
            task.cancel()
        await asyncio.gather(*self.tasks, *self.rechecks, return_exceptions=True)
        self.tasks.clear()
        self.started = False

    # --- sockets come and go ---------------------------------------------------------------

    async def join(self, consumer: CoeditConsumer) -> Room:
        await self.start()
        key = room_key(consumer.kind, consumer.text_id)
        while True:
            closing = self.closing.get(key)
            if closing is not None:
                await asyncio.gather(closing, return_exceptions=True)
                continue
            room = self.rooms.get(key)
            if room is None:
                room = self.rooms[key] = Room(
                    self, consumer.kind, consumer.text_id, consumer.access
                )
                COEDIT_ROOMS.set(len(self.rooms))
                try:
                    await room.open()
                except BaseException:
                    self.rooms.pop(key, None)
                    COEDIT_ROOMS.set(len(self.rooms))
                    raise
            else:
                await asyncio.shield(room.ready)
            if room.closed:
                continue
            break
        self.users[consumer.user_id] += 1
        if self.users[consumer.user_id] == 1:
            await self.group_add(group_name("user", consumer.user_id))
        await room.join(consumer)
        return room

    async def leave(self, consumer: CoeditConsumer, room: Room) -> None:
        await room.leave(consumer)
        self.users[consumer.user_id] -= 1
        if self.users[consumer.user_id] <= 0:
            del self.users[consumer.user_id]
            await self.group_discard(group_name("user", consumer.user_id))
        if not room.sockets and self.rooms.get(room.key) is room:
            del self.rooms[room.key]
            COEDIT_ROOMS.set(len(self.rooms))
            task = asyncio.get_running_loop().create_task(room.close())
            self.closing[room.key] = task
            try:
                # Awaited here, so a server that stops gracefully waits for the save.
                await asyncio.shield(task)
            finally:
                if self.closing.get(room.key) is task:
                    del self.closing[room.key]

    # --- the channel layer -----------------------------------------------------------------

    async def group_add(self, group: str) -> None:
        self.groups[group] += 1
        if self.layer is None or self.groups[group] > 1:
            return
        try:
            await self.layer.group_add(group, self.channel)
        except Exception:
            self._unhealthy("group_add")

    async def group_discard(self, group: str) -> None:
        self.groups[group] -= 1
        if self.groups[group] > 0:
            return
        del self.groups[group]
        if self.layer is None:
            return
        try:
            await self.layer.group_discard(group, self.channel)
        except Exception:
            self._unhealthy("group_discard")

    async def publish(self, group: str, message: dict[str, Any]) -> None:
        if self.layer is None:
            return
        try:
            await self.layer.group_send(group, {**message, "from": self.channel})
            self.healthy = True
        except Exception:
            # Nothing is lost for good: the next exchange sends the others what they lack.
            self._unhealthy("group_send")

    def _unhealthy(self, what: str) -> None:
        if self.healthy:
            logger.warning("Gemeinsame Bearbeitung: Kanal-Schicht gestört (%s)", what)
        self.healthy = False

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._unhealthy("receive")
                await asyncio.sleep(1)
                continue
            try:
                await self.dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Gemeinsame Bearbeitung: Nachricht %s", message.get("type"))

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind in (ACCESS_RECHECK, "access.revoked"):
            self.recheck(self._concerned(message))
            return
        if message.get("from") == self.channel:
            return  # our own group send
        room = self.rooms.get(message.get("room"))
        if room is None or not room.ready.done() or room.ready.exception():
            return
        if kind == "coedit.update":
            await room.remote_update(message["update"])
        elif kind == "coedit.exchange":
            await self.layer.send(
                message["from"],
                {
                    "type": "coedit.diff",
                    "room": room.key,
                    "from": self.channel,
                    "update": room.doc.get_update(message["sv"]),
                    "sv": room.doc.get_state(),
                    "reply": True,
                },
            )
        elif kind == "coedit.diff":
            await room.remote_update(message["update"])
            if message.get("reply"):
                await self.layer.send(
                    message["from"],
                    {
                        "type": "coedit.diff",
                        "room": room.key,
                        "from": self.channel,
                        "update": room.doc.get_update(message["sv"]),
                        "sv": room.doc.get_state(),
                        "reply": False,
                    },
                )
        elif kind == "coedit.awareness":
            room.remote_awareness(message["update"], message["from"])
            await room._to_sockets(protocol.awareness_message(message["update"]))
        elif kind == "coedit.version":
            await room.announce_version(message["revision"])

    async def exchange_now(self) -> None:
        """One round of state-vector exchange for every open room (also re-joins groups,
        which a Redis restart forgets)."""
        if self.layer is not None:
            for group in list(self.groups):
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:
                    self._unhealthy("group_add")
        for room in list(self.rooms.values()):
            if room.ready.done() and not room.ready.exception():
                await room.exchange()

    async def _exchanges(self) -> None:
        while True:
            await asyncio.sleep(settings.COEDIT_EXCHANGE_INTERVAL)
            try:
                await self.exchange_now()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Gemeinsame Bearbeitung: Abgleich gescheitert")

    # --- access ----------------------------------------------------------------------------

    def _concerned(self, message: dict[str, Any]) -> list[CoeditConsumer]:
        """The local sockets an ``access.recheck`` is about: one person's, or those of the
        rooms whose text it names (a lead project's results, a guide)."""
        user = message.get("user")
        return [
            consumer
            for room in list(self.rooms.values())
            for consumer in list(room.sockets)
            if (user is not None and consumer.user_id == user)
            or message.get(room.access[0], object()) == room.access[1]
        ]

    def recheck(self, consumers: list[CoeditConsumer]) -> None:
        """Hold ``consumers`` at once (whatever this process relays after the change waits),
        then let each check itself in the background, so the relay goes on for the others."""
        for consumer in consumers:
            consumer.hold()
        if not consumers:
            return
        task = asyncio.get_running_loop().create_task(self._recheck_all(consumers))
        self.rechecks.add(task)
        task.add_done_callback(self.rechecks.discard)

    async def _recheck_all(self, consumers: list[CoeditConsumer]) -> None:
        for consumer in consumers:
            try:
                await consumer.recheck()
            except Exception:
                # A browser gone while it was told: its disconnect leaves the room anyway.
                logger.info("Gemeinsame Bearbeitung: Socket nicht erreichbar", exc_info=True)

    async def _rechecks(self) -> None:
        """Every socket checks itself again at the change of the local day (terms end by
        date) and at the latest every ``LIVE_RECHECK_SECONDS`` (sessions expire unwritten)."""
        day = timezone.localdate()
        last = time.monotonic()
        while True:
            await asyncio.sleep(min(RECHECK_TICK, settings.LIVE_RECHECK_SECONDS))
            today = timezone.localdate()
            if today == day and time.monotonic() - last < settings.LIVE_RECHECK_SECONDS:
                continue
            day, last = today, time.monotonic()
            self.recheck(
                [consumer for room in list(self.rooms.values()) for consumer in room.sockets]
            )


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None:
        current = _hubs[loop] = Hub()
    return current


async def shutdown() -> None:
    """Save every open room of this process (called from the ASGI lifespan)."""
    current = _hubs.get(asyncio.get_running_loop())
    if current is not None:
        await current.stop()
