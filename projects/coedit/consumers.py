"""The co-editing socket of a text, the same for every kind (:mod:`.kinds`):
``/ws/leitprojekte/<slug>/ergebnisse/<id>/gemeinsam/`` for a result,
``/ws/leitfaeden/<slug>/gemeinsam/`` for a guide (``CoeditConsumer.as_asgi(kind=...)``).

Checked on connect with the same check as the pages (the kind's ``check``: for results
``get_result_for``, for guides ``get_guide_for``): editors edit, everyone else who may read
the text follows read-only (their updates are dropped). A refusal is accepted and then
closed, because a refused handshake tells the browser nothing: 4401 without a valid session,
4403 for everything else. Hidden, missing and forbidden texts get the same 4403, as the
pages answer 404 for both, so the code reveals no hidden text.

Checked again whenever access may have ended (the process's hub hears ``access.recheck``
for the person or the text's access group, and asks every socket at the change of day and
every ``LIVE_RECHECK_SECONDS``): from the session as it is now (``user_from_session``), then
the kind's check. A socket that lost access is told why (control message ``revoked``) and
closed; one that may still read but no longer edit stays open read-only (told with
``readonly``), so the person keeps following the text instead of losing the page. While a
re-check runs, nothing is sent to the socket; what was held back goes out only if it passes.

Every frame is untrusted: it is size-checked, rate-limited (a token bucket per socket) and
parsed strictly (:func:`.protocol.parse`); anything malformed closes this socket alone with
4400, too many messages with 4429, a frame above ``COEDIT_FRAME_MAX_BYTES`` with 1009. Every
way out of the consumer leaves the room (``__call__``'s ``finally``), so no dead socket
keeps a room open. The socket holds no channel-layer channel of its own.
"""

from __future__ import annotations

import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from projects.coedit import protocol
from projects.coedit.kinds import get_kind
from projects.coedit.rooms import Room, hub
from workspace.access import LoginRequired
from workspace.consumers import user_from_session

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_PROTOCOL = 4400
CLOSE_TOO_MANY = 4429
CLOSE_TOO_BIG = 1009  # RFC 6455: "message too big"
CLOSE_SERVER_ERROR = 1011

UNAUTHENTICATED = _(
    "Sie sind nicht mehr angemeldet (abgemeldet, Sitzung abgelaufen, Passwort geändert oder "
    "Konto geschlossen). Die gemeinsame Bearbeitung wurde beendet."
)

# Cursor colours with enough contrast on white (WCAG AA for the name label's text).
COLOURS = ("#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#be185d", "#0e7490")


class CoeditConsumer(AsyncWebsocketConsumer):
    # No channel of its own: the process's hub listens for all its sockets.
    channel_layer_alias = "__coedit_has_no_channel__"
    #: the kind of text (``as_asgi(kind="guide")``)
    kind = "result"

    def __init__(self, *args, kind: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kind is not None:
            get_kind(kind)  # an unknown kind fails here, not on the first socket
            self.kind = kind

    room: Room | None = None
    can_edit = False
    user_id: int | None = None
    language = settings.LANGUAGE_CODE
    #: the close code once this socket is closed (or being closed) by the server
    closed: int | None = None
    #: messages held back while a re-check runs (``None``: none running)
    held: list[bytes] | None = None
    holds = 0

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Whatever ended the consumer (a disconnect, an error, a cancelled task): out of
            # the room, so it sends to no dead socket and can close when the last one left.
            await self._leave()

    async def connect(self) -> None:
        await self.accept()
        self.tokens = float(settings.COEDIT_MESSAGES_BURST)
        self.refilled = time.monotonic()
        code = await self._check(self.scope.get("user"))
        if code is not None:
            await self.shut(code)
            return
        self.hub = self.scope.get("coedit_hub") or hub()
        self.room = await self.hub.join(self)
        await self.send(
            bytes_data=protocol.control_message(
                {
                    "event": "welcome",
                    "process": settings.WS_PROCESS_NAME,
                    "name": self.cursor_user["name"],
                    "color": self.cursor_user["color"],
                    "can_edit": self.can_edit,
                    "revision": self.revision,
                }
            )
        )

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        room, self.room = self.room, None
        if room is not None:
            await self.hub.leave(self, room)

    async def shut(self, code: int) -> None:
        """Leave the room first (nothing more goes to this socket), then close it once."""
        await self._leave()
        if self.closed is None:
            self.closed = code
            await self.close(code=code)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        if self.closed is not None:
            return
        if self.held is not None and bytes_data is not None and not close:
            self.held.append(bytes_data)
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    # --- frames from the browser -----------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.room is None:
            return  # refused or closed: what the browser still sends goes nowhere
        try:
            if bytes_data is None:
                raise protocol.ProtocolError("text frame")
            if len(bytes_data) > settings.COEDIT_FRAME_MAX_BYTES:
                await self._refuse(CLOSE_TOO_BIG, f"Nachricht zu groß ({len(bytes_data)} Bytes)")
                return
            if not self._within_rate():
                await self._refuse(CLOSE_TOO_MANY, "zu viele Nachrichten")
                return
            await self.room.receive(self, protocol.parse(bytes_data))
        except protocol.ProtocolError as error:
            await self._refuse(CLOSE_PROTOCOL, f"ungültige Nachricht ({error})")
        except OSError:
            await self.shut(CLOSE_SERVER_ERROR)  # the browser is gone already
        except Exception:
            logger.exception("Gemeinsame Bearbeitung: Fehler bei einer Nachricht")
            await self.shut(CLOSE_SERVER_ERROR)

    async def _refuse(self, code: int, why: str) -> None:
        # Client garbage is no server error: one line, no traceback.
        logger.warning(
            "Gemeinsame Bearbeitung: Socket von Nutzer %s an %s geschlossen: %s",
            self.user_id,
            f"{self.kind}-{getattr(self, 'text_id', '?')}",
            why,
        )
        await self.shut(code)

    def _within_rate(self) -> bool:
        """A token bucket: ``COEDIT_MESSAGES_PER_SECOND`` on average, bursts up to
        ``COEDIT_MESSAGES_BURST`` (a paste, a reconnect's sync)."""
        now = time.monotonic()
        self.tokens = min(
            float(settings.COEDIT_MESSAGES_BURST),
            self.tokens + (now - self.refilled) * settings.COEDIT_MESSAGES_PER_SECOND,
        )
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    # --- access ----------------------------------------------------------------------------

    def hold(self) -> None:
        """A re-check is about to run: from now on nothing reaches this socket until it
        passed (called synchronously, before anything that came after the change is sent)."""
        if self.held is None:
            self.held = []
        self.holds += 1

    async def recheck(self) -> None:
        """Check again, after :meth:`hold`: closed if access is gone, read-only if editing is."""
        could_edit = self.can_edit
        if self.closed is not None:
            self.holds -= 1
            return
        try:
            user = await database_sync_to_async(user_from_session)(self.scope)
            code = await self._check(user)
        except Exception:
            self.holds -= 1
            logger.warning("Gemeinsame Bearbeitung: erneute Prüfung gescheitert", exc_info=True)
            await self.shut(CLOSE_SERVER_ERROR)  # the browser reconnects and is checked anew
            return
        self.holds -= 1
        if self.closed is not None:
            return
        if code is not None:
            self.held = None
            await self.say({"event": "revoked", "text": self._revoked(code)})
            await self.shut(code)
            return
        if self.holds == 0:
            held, self.held = self.held or [], None
            for message in held:
                await self.send(bytes_data=message)
        if could_edit and not self.can_edit:
            await self.say({"event": "readonly", "text": get_kind(self.kind).readonly_text})

    async def say(self, payload: dict, **numbers: int) -> None:
        """A control message whose ``text`` is put in the person's language (with
        ``numbers`` filled in, grouped as there), past any hold."""
        with translation.override(self.language):
            values = {
                key: formats.number_format(n, force_grouping=True) for key, n in numbers.items()
            }
            text = str(payload["text"])
            payload = {**payload, "text": text % values if values else text}
        if self.closed is None:
            await super().send(bytes_data=protocol.control_message(payload))

    def _revoked(self, code: int):
        if code == CLOSE_UNAUTHENTICATED:
            return UNAUTHENTICATED
        return get_kind(self.kind).revoked_text

    @database_sync_to_async
    def _check(self, user) -> int | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return CLOSE_UNAUTHENTICATED
        if self.user_id is not None and user.pk != self.user_id:
            return CLOSE_UNAUTHENTICATED
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            checked = get_kind(self.kind).check(user, kwargs)
        except LoginRequired:
            return CLOSE_UNAUTHENTICATED
        except (Http404, PermissionDenied):
            # Hidden and missing alike: a different code would tell which ids exist.
            return CLOSE_FORBIDDEN
        if self.room is not None and checked.pk != self.text_id:
            return CLOSE_FORBIDDEN  # the path now names another text (a slug given away)
        self.can_edit = checked.can_edit
        self.user_id = user.pk
        self.language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        self.text_id = checked.pk
        self.access = checked.access
        self.revision = checked.revision
        self.cursor_user = {
            "name": user.get_display_name(),
            "color": COLOURS[user.pk % len(COLOURS)],
            "colorLight": COLOURS[user.pk % len(COLOURS)] + "33",
        }
        return None
