"""The event a lead project's page hears when something in the project changes."""

from __future__ import annotations

from projects.models import LeadProject
from workspace.events import group_name, send_event_on_commit


def project_event(
    project: LeadProject, event: str, text: str, public_text: str | None = None, **payload
) -> None:
    """``public_text``: the same message for people who may not see names (workspace.people)."""
    if public_text is not None and str(public_text) != str(text):
        payload["public"] = {"text": str(public_text)}
    send_event_on_commit(
        group_name("project", project.pk),
        event,
        {"project": project.pk, "text": str(text), **payload},
    )
