"""A person leaves: their team roles go to the successor (workspace.services.membership_end)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from projects import services
from projects.models import TeamMembership
from workspace.hooks import Handover
from workspace.models import User

Role = TeamMembership.Role
RANK = {Role.OBSERVER: 0, Role.EDITOR: 1, Role.COORDINATOR: 2}


def _roles(person: User) -> list[TeamMembership]:
    return list(
        TeamMembership.objects.filter(user=person)
        .select_related("project")
        .order_by("project__title")
    )


def preview(person: User) -> list[Handover]:
    return [
        Handover(
            what=_("%(role)s in „%(project)s“")
            % {"role": membership.get_role_display(), "project": membership.project.title},
            needs_successor=membership.role == Role.COORDINATOR,
        )
        for membership in _roles(person)
    ]


def apply(*, person: User, successor: User | None, by: User, today: datetime.date) -> None:
    """The successor takes each role (keeping a higher one they already hold), then the person
    leaves the team — in this order, so no project is ever without a coordinator."""
    for membership in _roles(person):
        if successor is not None:
            theirs = TeamMembership.objects.filter(
                project=membership.project, user=successor
            ).first()
            if theirs is None:
                services.team_member_add(
                    project=membership.project, by=by, user=successor, role=membership.role
                )
            elif RANK[theirs.role] < RANK[membership.role]:
                services.team_member_change_role(membership=theirs, by=by, role=membership.role)
        services.team_member_remove(membership=membership, by=by)
