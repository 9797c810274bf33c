"""Reads of lead projects that are more than one line."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from projects.models import LeadProject, ProjectActivity, TeamMembership
from projects.permissions import visible_projects
from workspace.models import Membership, Municipality, Topic, User


def project_list(
    *,
    user: User | AnonymousUser,
    status: str = "",
    topic: Topic | None = None,
    municipality: Municipality | None = None,
) -> QuerySet[LeadProject]:
    """The projects ``user`` may see, filtered; archived ones only when asked for."""
    projects = visible_projects(user).for_list()
    projects = projects.filter(status=status) if status else projects.not_archived()
    if topic is not None:
        projects = projects.filter(topics=topic)
    if municipality is not None:
        projects = projects.filter(
            Q(lead_municipality=municipality) | Q(participants=municipality)
        ).distinct()
    return projects


def team_of(project: LeadProject) -> list[TeamMembership]:
    """The team with each person's municipalities, in three queries whatever its size."""
    return list(
        project.team.select_related("user").prefetch_related(
            Prefetch(
                "user__memberships",
                queryset=Membership.objects.active().select_related("municipality"),
                to_attr="active_memberships",
            )
        )
    )


def recent_activity(project: LeadProject, *, limit: int = 20) -> list[ProjectActivity]:
    return list(project.activities.select_related("actor", "member")[:limit])


def projects_of_municipality(
    *, user: User | AnonymousUser, municipality: Municipality
) -> dict[str, list[LeadProject]]:
    """What a municipality leads and what it joins, as far as ``user`` may see (two queries)."""
    visible = visible_projects(user).not_archived().select_related("lead_municipality")
    return {
        "leads": list(visible.filter(lead_municipality=municipality)),
        "joins": list(visible.filter(participants=municipality)),
    }
