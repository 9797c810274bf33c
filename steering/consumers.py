"""The live socket of a meeting: the tally of every vote as it is cast, for the committee."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from steering.permissions import get_meeting_for
from workspace.access import LoginRequired
from workspace.consumers import PresenceConsumer
from workspace.events import group_name


class MeetingConsumer(PresenceConsumer):
    """``/ws/steuerkreis/sitzungen/<id>/``: whoever may see the meeting page sees its votes.

    A seat's term ends by date; the presence hub has the socket checked again at the change
    of day (``workspace.consumers.AccessChecked``)."""

    revoked_text = _(
        "Diese Sitzung sieht nur der Steuerkreis; Sie gehören ihm nicht mehr an. "
        "Die Live-Aktualisierung ist beendet."
    )

    @database_sync_to_async
    def _check(self, user) -> bool:
        try:
            meeting = get_meeting_for(user, self.scope["url_route"]["kwargs"]["meeting_id"])
        except (Http404, PermissionDenied, LoginRequired):
            return False
        self.meeting_id = meeting.pk
        return True

    async def authorize(self, user) -> bool:
        return await self._check(user)

    def presence_group(self) -> str:
        return f"presence-{group_name('meeting', self.meeting_id)}"

    def event_groups(self) -> list[str]:
        return [group_name("meeting", self.meeting_id)]

    async def meeting_tally(self, event: dict) -> None:
        await self.send_json(
            {
                "event": "tally",
                "item": event["item"],
                "yes": event["yes"],
                "no": event["no"],
                "abstain": event["abstain"],
                "outcome": event["outcome"],
                "outcome_label": event["outcome_label"],
                "text": event["text"],
            }
        )

    async def meeting_state(self, event: dict) -> None:
        await self.send_json({"event": "notice", "text": event["text"]})
