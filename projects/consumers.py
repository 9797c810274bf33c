"""Live sockets of a lead project and of a result, with the same checks as their pages."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from projects.permissions import VIEW, get_project_for, get_result_for
from workspace.access import LoginRequired
from workspace.consumers import CLOSE_FORBIDDEN, PresenceConsumer, shown
from workspace.events import group_name, project_access_group


def _version_text(event: dict, *, names: bool) -> str:
    """The page's message for a new version, encoded once per process (and per way of naming
    the author), not once per socket."""
    key = (event["result"], event["revision"], event["sent_at"], names)
    cached = _version_cache.get(key)
    if cached is None:
        cached = json.dumps(
            {
                "event": "version",
                "revision": event["revision"],
                "author": shown(event, "author", names=names),
                "note": event["note"],
                "html": event["html"],
                "sent_at": event["sent_at"],
            }
        )
        _version_cache[key] = cached
        while len(_version_cache) > 32:
            _version_cache.pop(next(iter(_version_cache)))
    return cached


_version_cache: dict[tuple, str] = {}


class ProjectConsumer(PresenceConsumer):
    """``/ws/leitprojekte/<slug>/``: status, team and result events of one project.

    Checked again (``access_recheck``) whenever the project's visibility, a result's maturity
    or the person's roles change, with the same ``get_project_for`` as the page."""

    revoked_text = _(
        "Dieses Leitprojekt ist für Sie nicht mehr sichtbar. Die Live-Aktualisierung ist beendet."
    )

    @database_sync_to_async
    def _check(self, user) -> bool:
        try:
            project, access = get_project_for(user, self.scope["url_route"]["kwargs"]["slug"])
        except (Http404, PermissionDenied, LoginRequired):
            return False
        self.project_id = project.pk
        self.can_see_drafts = access.has(VIEW)
        return True

    async def authorize(self, user) -> bool:
        return await self._check(user)

    def presence_group(self) -> str:
        return f"presence-{group_name('project', self.project_id)}"

    def event_groups(self) -> list[str]:
        return [group_name("project", self.project_id), project_access_group(self.project_id)]

    async def result_version(self, event: dict) -> None:
        if event["draft"] and not self.can_see_drafts:
            return
        await self.send_json(
            {
                "event": "result",
                "result": event["result"],
                "title": event["title"],
                "revision": event["revision"],
                "author": shown(event, "author", names=self.sees_names),
            }
        )

    async def project_status(self, event: dict) -> None:
        await self.send_json({"event": "notice", "text": shown(event, "text", self.sees_names)})

    async def project_team(self, event: dict) -> None:
        await self.send_json({"event": "notice", "text": shown(event, "text", self.sees_names)})

    async def project_changed(self, event: dict) -> None:
        await self.send_json({"event": "notice", "text": shown(event, "text", self.sees_names)})


class ResultConsumer(ProjectConsumer):
    """``/ws/leitprojekte/<slug>/ergebnisse/<id>/``: new versions and who is here.

    ``?modus=bearbeiten`` marks the socket of an edit page, shown as "editing"."""

    revoked_text = _(
        "Dieses Ergebnis ist für Sie nicht mehr sichtbar. Die Live-Aktualisierung ist beendet."
    )

    @database_sync_to_async
    def _check(self, user) -> bool:
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            result, access = get_result_for(user, kwargs["slug"], kwargs["result_id"])
        except (Http404, PermissionDenied, LoginRequired):
            return False
        self.project_id = result.project_id
        self.result_id = result.pk
        self.revision = result.revision
        self.can_see_drafts = access.has(VIEW)
        if b"modus=bearbeiten" in self.scope.get("query_string", b""):
            self.mode = "editing"
        return True

    def presence_group(self) -> str:
        return f"presence-{group_name('result', self.result_id)}"

    def event_groups(self) -> list[str]:
        return [group_name("result", self.result_id), project_access_group(self.project_id)]

    async def welcome(self) -> dict:
        return {"revision": await self._current_revision()}

    @database_sync_to_async
    def _current_revision(self) -> int:
        from projects.models import Result

        return Result.objects.filter(pk=self.result_id).values_list("revision", flat=True).first()

    async def result_version(self, event: dict) -> None:
        if event["result"] != self.result_id:
            return
        if event["draft"] and not self.can_see_drafts:
            # The result became a draft: outside the team it is gone (the service's re-check,
            # sent first, has normally closed this socket already).
            await self.revoke(CLOSE_FORBIDDEN, self.revoked_text)
            return
        await self.send(text_data=_version_text(event, names=self.sees_names))
