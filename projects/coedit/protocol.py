"""The y-protocols wire format as the browser's provider speaks it, plus our control messages.

Message type 0 is sync (step 1, step 2, update), 1 is awareness (cursors), as in y-websocket.
Type 100 carries one JSON object either way: the server's welcome, the revision of a version
the room wrote; the browser's request for "Version speichern".

Every frame a browser sends is untrusted: :func:`parse` reads one whole message strictly (a
known kind, varints that end within the frame and within 53 bits as lib0 allows, lengths that
fit, nothing left over, awareness states that are JSON objects, a state vector that decodes)
and raises :class:`ProtocolError` on anything else, so no later step meets a half-read frame.
Whether a document update decodes only pycrdt can tell; the room asks it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pycrdt import Decoder, YMessageType, YSyncMessageType, write_var_uint

SYNC = YMessageType.SYNC
AWARENESS = YMessageType.AWARENESS
QUERY_AWARENESS = 3
CONTROL = 100
EMPTY_UPDATE = b"\x00\x00"
# lib0 reads at most 53 bits (JavaScript's safe integers); anything longer is garbage.
_VAR_UINT_MAX = 2**53 - 1
# A cursor is a position and a name; a state far above that is no cursor.
AWARENESS_STATE_MAX = 8 * 1024
AWARENESS_ENTRIES_MAX = 100

__all__ = [
    "AWARENESS",
    "CONTROL",
    "QUERY_AWARENESS",
    "SYNC",
    "Message",
    "ProtocolError",
    "awareness_message",
    "control_message",
    "create_sync_step1_message",
    "create_sync_step2_message",
    "create_update_message",
    "decode_awareness",
    "encode_awareness",
    "parse",
    "read_payload",
]


class ProtocolError(ValueError):
    """A frame that is no well-formed message of ours; the socket that sent it is closed."""


class _Reader:
    """lib0's decoding, with every read checked against the end of the frame."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        value = shift = 0
        while True:
            if self.pos >= len(self.data):
                raise ProtocolError("truncated varint")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if value > _VAR_UINT_MAX:
                raise ProtocolError("varint out of range")
            if byte < 0x80:
                return value
            shift += 7

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        if length > len(self.data) - self.pos:
            raise ProtocolError("length beyond the frame")
        chunk = self.data[self.pos : self.pos + length]
        self.pos += length
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode()
        except UnicodeDecodeError as error:
            raise ProtocolError("string is not UTF-8") from error

    def end(self) -> None:
        if self.pos != len(self.data):
            raise ProtocolError("bytes after the message")


@dataclass(frozen=True)
class Message:
    """One parsed client message: ``kind`` and, as the kind has them, ``sync`` (step 1,
    step 2 or update) with its ``payload``, awareness ``entries``, or a ``control`` object."""

    kind: int
    sync: YSyncMessageType | None = None
    payload: bytes = b""
    entries: tuple[AwarenessEntry, ...] = ()
    control: dict[str, Any] | None = None


def parse(frame: bytes) -> Message:
    """The one message in ``frame``; :class:`ProtocolError` on anything malformed."""
    reader = _Reader(frame)
    kind = reader.var_uint()
    if kind == SYNC:
        try:
            sync = YSyncMessageType(reader.var_uint())
        except ValueError as error:
            raise ProtocolError("unknown sync message") from error
        payload = reader.var_bytes()
        reader.end()
        if sync == YSyncMessageType.SYNC_STEP1:
            _check_state_vector(payload)
        return Message(kind, sync=sync, payload=payload)
    if kind == AWARENESS:
        update = reader.var_bytes()
        reader.end()
        return Message(kind, payload=update, entries=tuple(_strict_awareness(update)))
    if kind == QUERY_AWARENESS:
        reader.end()
        return Message(kind)
    if kind == CONTROL:
        text = reader.var_string()
        reader.end()
        try:
            value = json.loads(text)
        except ValueError as error:
            raise ProtocolError("control message is not JSON") from error
        if not isinstance(value, dict):
            raise ProtocolError("control message is no object")
        return Message(kind, control=value)
    raise ProtocolError(f"unknown message kind {kind}")


def _check_state_vector(vector: bytes) -> None:
    reader = _Reader(vector)
    for _ in range(reader.var_uint()):
        reader.var_uint()  # client
        reader.var_uint()  # clock
    reader.end()


def _strict_awareness(update: bytes) -> list[AwarenessEntry]:
    reader = _Reader(update)
    count = reader.var_uint()
    if count > AWARENESS_ENTRIES_MAX:
        raise ProtocolError("too many awareness entries")
    entries = []
    for _ in range(count):
        client = reader.var_uint()
        clock = reader.var_uint()
        state = reader.var_string()
        if len(state) > AWARENESS_STATE_MAX:
            raise ProtocolError("awareness state too long")
        try:
            value = json.loads(state)
        except ValueError as error:
            raise ProtocolError("awareness state is not JSON") from error
        if value is not None and not isinstance(value, dict):
            raise ProtocolError("awareness state is no object")
        entries.append((client, clock, state))
    reader.end()
    return entries


def _sync_message(kind: YSyncMessageType, data: bytes) -> bytes:
    return bytes([SYNC, kind]) + write_var_uint(len(data)) + data


def create_sync_step1_message(state_vector: bytes) -> bytes:
    return _sync_message(YSyncMessageType.SYNC_STEP1, state_vector)


def create_sync_step2_message(update: bytes) -> bytes:
    return _sync_message(YSyncMessageType.SYNC_STEP2, update)


def create_update_message(update: bytes) -> bytes:
    return _sync_message(YSyncMessageType.SYNC_UPDATE, update)


def _var_string(text: str) -> bytes:
    data = text.encode()
    return write_var_uint(len(data)) + data


def read_payload(message: bytes, offset: int) -> bytes:
    """The length-prefixed payload of ``message`` starting at ``offset``."""
    payload = Decoder(message[offset:]).read_message()
    return payload if payload is not None else b""


def sync_kind(message: bytes) -> YSyncMessageType | None:
    if len(message) < 2 or message[0] != SYNC:
        return None
    try:
        return YSyncMessageType(message[1])
    except ValueError:
        return None


def control_message(payload: dict[str, Any]) -> bytes:
    return bytes([CONTROL]) + _var_string(json.dumps(payload))


def read_control(message: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(read_payload(message, 1).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


AwarenessEntry = tuple[int, int, str]  # client id, clock, state as JSON ("null": gone)


def decode_awareness(update: bytes) -> list[AwarenessEntry]:
    """The entries of an awareness update; raises ValueError on garbage."""
    decoder = Decoder(update)
    count = decoder.read_var_uint()
    if count > 1000:
        raise ValueError("too many awareness entries")
    entries = []
    for _ in range(count):
        client = decoder.read_var_uint()
        clock = decoder.read_var_uint()
        entries.append((client, clock, decoder.read_var_string()))
    return entries


def encode_awareness(entries: list[AwarenessEntry]) -> bytes:
    out = bytearray(write_var_uint(len(entries)))
    for client, clock, state in entries:
        out += write_var_uint(client) + write_var_uint(clock) + _var_string(state)
    return bytes(out)


def awareness_message(update: bytes) -> bytes:
    return bytes([AWARENESS]) + write_var_uint(len(update)) + update
