"""The y-protocols wire format as the browser's provider speaks it, plus our control messages.

Message type 0 is sync (step 1, step 2, update), 1 is awareness (cursors), as in y-websocket.
Type 100 carries one JSON object either way: the server's welcome, the revision of a version
the room wrote; the browser's request for "Version speichern".
"""

from __future__ import annotations

import json
from typing import Any

from pycrdt import Decoder, YMessageType, YSyncMessageType, write_var_uint

SYNC = YMessageType.SYNC
AWARENESS = YMessageType.AWARENESS
CONTROL = 100
EMPTY_UPDATE = b"\x00\x00"

__all__ = [
    "AWARENESS",
    "CONTROL",
    "SYNC",
    "awareness_message",
    "control_message",
    "create_sync_step1_message",
    "create_sync_step2_message",
    "create_update_message",
    "decode_awareness",
    "encode_awareness",
    "read_payload",
]


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
