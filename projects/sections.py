"""What lead projects contribute to the core's pages (through workspace.hooks)."""

from __future__ import annotations

from django.http import HttpRequest

from projects import selectors
from projects.models import TeamMembership
from projects.permissions import visible_projects
from workspace.models import Municipality


def municipality_projects(request: HttpRequest, municipality: Municipality) -> dict:
    return selectors.projects_of_municipality(user=request.user, municipality=municipality) | {
        "municipality": municipality,
        "adoptions": list(
            selectors.adoption_register(user=request.user, municipality=municipality)
        ),
    }


def home_projects(request: HttpRequest, _obj=None) -> dict:
    projects = (
        visible_projects(request.user)
        .not_archived()
        .select_related("lead_municipality")
        .order_by("-created_at")[:6]
    )
    return {"projects": list(projects)}


def account_roles(request: HttpRequest, user) -> dict:
    """The person's roles in lead projects, for their own account page (one query)."""
    roles = list(
        TeamMembership.objects.filter(user=user)
        .select_related("project")
        .order_by("project__title")
    )
    return {"roles": roles}
