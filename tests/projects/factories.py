"""Lead projects and their teams for tests, built through the services (the real way).

A project made here has its coordinator's guardian permissions, its activity rows and its
history exactly as the pages would leave them; nothing is written to the tables directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from projects import services
from projects.models import LeadProject, TeamMembership, Visibility
from workspace.models import Municipality, User

Role = TeamMembership.Role


def lead_project(
    *,
    coordinator: User,
    lead: Municipality,
    title: str,
    visibility: str = Visibility.PUBLIC,
    team: Iterable[tuple[User, str]] = (),
    **fields,
) -> LeadProject:
    """A project started by ``coordinator`` (who then coordinates it) with ``team`` added by them.

    ``team`` is a list of ``(user, role)``; ``fields`` go to ``services.project_create``.
    """
    fields.setdefault("summary", f"Worum es bei „{title}“ geht.")
    project = services.project_create(
        by=coordinator, title=title, lead_municipality=lead, visibility=visibility, **fields
    )
    for user, role in team:
        services.team_member_add(project=project, by=coordinator, user=user, role=role)
    return project
