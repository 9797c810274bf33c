"""``/ws/leitprojekte/<slug>/ergebnisse/<id>/gemeinsam/``: the co-editing socket of a result.

Checked on connect with the same check as the pages (``get_result_for``): editors edit,
everyone else who may see the result follows read-only (their updates are dropped). A
refusal is accepted and then closed with 4401, 4403 or 4404, because y-websocket reconnects
forever after a refused handshake. The socket holds no channel-layer channel of its own.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.http import Http404

from projects.coedit import protocol
from projects.coedit.rooms import Room, hub
from projects.models import Result
from projects.permissions import get_result_for
from workspace.access import LoginRequired

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN = 4404

# Cursor colours with enough contrast on white (WCAG AA for the name label's text).
COLOURS = ("#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#be185d", "#0e7490")


class CoeditConsumer(AsyncWebsocketConsumer):
    # No channel of its own: the process's hub listens for all its sockets.
    channel_layer_alias = "__coedit_has_no_channel__"

    room: Room | None = None
    can_edit = False

    async def connect(self) -> None:
        await self.accept()
        code = await self._check()
        if code is not None:
            await self.close(code=code)
            return
        self.hub = self.scope.get("coedit_hub") or hub()
        self.room = await self.hub.join(self)
        await self.send(
            bytes_data=protocol.control_message(
                {
                    "event": "welcome",
                    "name": self.cursor_user["name"],
                    "color": self.cursor_user["color"],
                    "can_edit": self.can_edit,
                    "revision": self.revision,
                }
            )
        )

    async def disconnect(self, code: int) -> None:
        room, self.room = self.room, None
        if room is not None:
            await self.hub.leave(self, room)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.room is None or not bytes_data:
            return
        await self.room.receive(self, bytes_data)

    async def recheck(self) -> None:
        """Roles changed: a socket that may no longer edit (or see) is closed; the page
        reconnects and is checked anew."""
        code = await self._check()
        if code is not None or not self.can_edit and self._could_edit:
            await self.close(code=code or CLOSE_FORBIDDEN)

    @database_sync_to_async
    def _check(self) -> int | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            return CLOSE_UNAUTHENTICATED
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            result, access = get_result_for(user, kwargs["slug"], kwargs["result_id"])
        except LoginRequired:
            return CLOSE_UNAUTHENTICATED
        except (Http404, PermissionDenied):
            known = Result.objects.filter(
                pk=kwargs["result_id"], project__slug=kwargs["slug"]
            ).exists()
            return CLOSE_FORBIDDEN if known else CLOSE_UNKNOWN
        self._could_edit = self.can_edit
        self.can_edit = access.can_edit_results and not result.is_archived
        self.user_id = user.pk
        self.result_id = result.pk
        self.project_id = result.project_id
        self.revision = result.revision
        self.cursor_user = {
            "name": user.get_display_name(),
            "color": COLOURS[user.pk % len(COLOURS)],
            "colorLight": COLOURS[user.pk % len(COLOURS)] + "33",
        }
        return None
