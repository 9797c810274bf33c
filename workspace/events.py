"""The one module that sends websocket events.

Events go out only after the surrounding transaction commits (``transaction.on_commit``), so
no open page is ever told of a change that was rolled back. Views never talk to the channel
layer; services call :func:`send_event_on_commit`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def group_name(kind: str, key: int | str) -> str:
    """The channel-layer group of one thing, e.g. ``group_name("result", 7) == "result-7"``."""
    return f"{kind}-{key}"


def send_event_on_commit(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Schedule ``payload`` for every socket in ``group`` once the transaction commits.

    ``event_type`` names the consumer handler (``"result.version"`` → ``result_version``).
    """
    message = {**payload, "type": event_type}
    transaction.on_commit(lambda: _send_now(group, message))


def _send_now(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Stamped as it leaves, after the commit: what live pages and `make bench` measure from.
        async_to_sync(layer.group_send)(group, {**message, "sent_at": time.time()})
    except Exception:
        # The change itself is committed; a live update that cannot be delivered must not
        # turn the user's successful save into an error page.
        logger.exception("Live-Ereignis %s an %s nicht zugestellt", message["type"], group)
