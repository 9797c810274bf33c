"""The one module that sends websocket events.

Events go out only after the surrounding transaction commits (``transaction.on_commit``), so
no open page is ever told of a change that was rolled back. Views never talk to the channel
layer; services call :func:`send_event_on_commit`.
"""

from __future__ import annotations

import asyncio
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


def send_events_on_commit(groups: list[str], event_type: str, payload: dict[str, Any]) -> None:
    """:func:`send_event_on_commit` for many groups at once (the bells of a batch of people):
    one callback after the commit, whose sends are in flight together, not one by one."""
    if not groups:
        return
    message = {**payload, "type": event_type}
    transaction.on_commit(lambda: _send_many_now(list(groups), message))


def _send_many_now(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> list:
        stamped = {**message, "sent_at": time.time()}
        return await asyncio.gather(
            *(layer.group_send(group, stamped) for group in groups), return_exceptions=True
        )

    try:
        failed = [error for error in async_to_sync(send_all)() if isinstance(error, Exception)]
    except Exception:
        logger.exception(
            "Live-Ereignis %s an %s Gruppen nicht zugestellt", message["type"], len(groups)
        )
        return
    if failed:
        logger.error(
            "Live-Ereignis %s an %s von %s Gruppen nicht zugestellt: %r",
            message["type"],
            len(failed),
            len(groups),
            failed[0],
        )


# --- Access re-checks of open sockets -----------------------------------------------------
#
# Whatever makes a page answer 404 or 403 must close or silence the open sockets of the
# people it shuts out, at once and on every process. Services do not decide *whose* sockets
# are affected; they say *what* changed, and every open socket concerned checks itself anew
# with the same access helpers as the pages (session still valid? still allowed?):
#
# - a change to one person (roles, seats, memberships, deactivation, off-boarding, erasure,
#   logout, password change) → the group ``user-<id>``, which every socket of that person joins;
# - a change to one lead project (visibility, maturity of a result, archiving, team) → the
#   group ``project-access-<id>``, which every project, result and co-editing socket joins.
#
# The message type is always ``access.recheck`` (handler ``access_recheck``).

ACCESS_RECHECK = "access.recheck"


def project_access_group(project_id: int) -> str:
    """The group every socket that shows something of lead project ``project_id`` joins."""
    return group_name("project-access", project_id)


def recheck_user_on_commit(user_id: int) -> None:
    """After commit, every open socket of ``user_id`` (any process) checks its access anew."""
    send_event_on_commit(group_name("user", user_id), ACCESS_RECHECK, {"user": user_id})


def recheck_project_on_commit(project_id: int) -> None:
    """After commit, every open socket showing lead project ``project_id`` checks anew."""
    send_event_on_commit(project_access_group(project_id), ACCESS_RECHECK, {"project": project_id})
