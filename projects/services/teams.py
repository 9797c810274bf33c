"""Project teams: who is in a project's team, in which role (and the permissions that follow)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from projects.models import LeadProject, ProjectActivity, TeamMembership
from projects.permissions import sync_role_permissions
from projects.services.events import project_event
from workspace.events import recheck_user_on_commit
from workspace.models import User
from workspace.people import public_name

Role = TeamMembership.Role


def _team_put(*, project: LeadProject, user: User, role: str) -> TeamMembership:
    membership, _created = TeamMembership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    sync_role_permissions(project=project, user=user, role=role)
    return membership


def _keep_a_coordinator(membership: TeamMembership) -> None:
    """Refuse to take the last coordinator out of a project: someone must manage the team."""
    if membership.role != Role.COORDINATOR:
        return
    others = membership.project.team.filter(role=Role.COORDINATOR).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(
            {
                "role": _(
                    "Ein Leitprojekt braucht mindestens eine Koordination. "
                    "Benennen Sie zuerst eine weitere."
                )
            }
        )


@transaction.atomic
def team_member_add(*, project: LeadProject, by: User, user: User, role: str) -> TeamMembership:
    if role not in Role.values:
        raise ValidationError({"role": _("Diese Rolle gibt es nicht.")})
    if not user.is_active:
        raise ValidationError({"person": _("Dieses Konto ist nicht aktiv.")})
    if TeamMembership.objects.filter(project=project, user=user).exists():
        raise ValidationError(
            {"person": _("%(name)s gehört schon zum Team.") % {"name": user.get_display_name()}}
        )
    membership = _team_put(project=project, user=user, role=role)
    ProjectActivity.objects.create(
        project=project, actor=by, kind=ProjectActivity.Kind.MEMBER_ADDED, member=user, role=role
    )
    # Open sockets of the newcomer follow the new role (drafts of the project, for one).
    recheck_user_on_commit(user.pk)
    project_event(
        project,
        "project.team",
        _("%(name)s gehört jetzt zum Team.") % {"name": user.get_display_name()},
        _("%(name)s gehört jetzt zum Team.") % {"name": public_name(user, None)},
        user=user.pk,
        role=role,
    )
    return membership


@transaction.atomic
def team_member_change_role(*, membership: TeamMembership, by: User, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Diese Rolle gibt es nicht.")})
    membership = TeamMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return
    project = membership.project
    _keep_a_coordinator(membership)
    _team_put(project=project, user=membership.user, role=role)
    ProjectActivity.objects.create(
        project=project,
        actor=by,
        kind=ProjectActivity.Kind.ROLE_CHANGED,
        member=membership.user,
        role=role,
    )
    recheck_user_on_commit(membership.user_id)
    project_event(
        project,
        "project.team",
        _("Die Rolle von %(name)s ist geändert.") % {"name": membership.user.get_display_name()},
        _("Die Rolle von %(name)s ist geändert.") % {"name": public_name(membership.user, None)},
        user=membership.user_id,
        role=role,
    )


@transaction.atomic
def team_member_remove(*, membership: TeamMembership, by: User) -> None:
    membership = TeamMembership.objects.select_for_update().get(pk=membership.pk)
    project = membership.project
    _keep_a_coordinator(membership)
    user = membership.user
    membership.delete()
    sync_role_permissions(project=project, user=user, role=None)
    ProjectActivity.objects.create(
        project=project, actor=by, kind=ProjectActivity.Kind.MEMBER_REMOVED, member=user
    )
    recheck_user_on_commit(user.pk)
    project_event(
        project,
        "project.team",
        _("%(name)s gehört nicht mehr zum Team.") % {"name": user.get_display_name()},
        _("%(name)s gehört nicht mehr zum Team.") % {"name": public_name(user, None)},
        user=user.pk,
        role=None,
    )
