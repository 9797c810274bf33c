"""Lead projects: creating, editing, and their steps along the lifecycle (:mod:`projects.lifecycle`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from projects import notifications  # NOTIFY
from projects.lifecycle import TRANSITIONS, agreement_decides
from projects.models import LeadProject, ProjectActivity, TeamMembership
from projects.permissions import CHANGE, ProjectAccess
from projects.services.events import project_event
from projects.services.teams import _team_put
from workspace.events import recheck_project_on_commit
from workspace.models import Municipality, Topic, User
from workspace.people import public_name
from workspace.permissions import is_network_office
from workspace.text import german_slugify

Status = LeadProject.Status
Role = TeamMembership.Role

# The fields a project form edits; everything else changes through its own service.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "criterion_concerns_all",
    "criterion_saves_resources",
    "criterion_joint_impact",
    "lead_municipality",
    "kind",
    "visibility",
    "starts_on",
    "ends_on",
)


def allowed_transitions(*, project: LeadProject, by: User) -> list[str]:
    """The states ``by`` may move ``project`` to now (empty for who may not change it)."""
    if not ProjectAccess(by, project).has(CHANGE):
        return []
    office = is_network_office(by)
    return [
        to
        for (source, to), rule in TRANSITIONS.items()
        if source == project.status
        and (office or not rule.office_only)
        and not agreement_decides(project, to)
    ]


def _validate_lead(
    *, lead: Municipality, exception_reason: str, by: User, previous: LeadProject | None
) -> None:
    if not lead.is_member:
        raise ValidationError(
            {"lead_municipality": _("Die Federführung kann nur eine Mitgliedskommune übernehmen.")}
        )
    if lead.is_pioneer:
        return
    if not exception_reason.strip():
        raise ValidationError(
            {
                "lead_municipality": _(
                    "Die Federführung liegt bei einer Pionierkommune. Für eine andere Kommune "
                    "muss die Ausnahme mit dem Beschluss des Steuerkreises erfasst werden."
                )
            }
        )
    unchanged = (
        previous is not None
        and previous.lead_municipality_id == lead.pk
        and previous.lead_exception_reason == exception_reason
    )
    if not unchanged and not is_network_office(by):
        raise ValidationError(
            {
                "lead_exception_reason": _(
                    "Eine Ausnahme bei der Federführung erfasst nur die Geschäftsstelle."
                )
            }
        )


def _unique_slug(title: str) -> str:
    base = german_slugify(title)[:70] or "leitprojekt"
    slug, n = base, 2
    while LeadProject.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def project_create(
    *,
    by: User,
    title: str,
    summary: str,
    lead_municipality: Municipality,
    description: str = "",
    topics: Iterable[Topic] = (),
    participants: Iterable[Municipality] = (),
    criterion_concerns_all: str = "",
    criterion_saves_resources: str = "",
    criterion_joint_impact: str = "",
    kind: str = LeadProject.Kind.COOPERATIVE,
    visibility: str = LeadProject._meta.get_field("visibility").default,
    starts_on=None,
    ends_on=None,
    lead_exception_reason: str = "",
    status: str = Status.IDEA,
) -> LeadProject:
    """Start a lead project as an idea; its creator coordinates it (the office need not)."""
    _validate_lead(
        lead=lead_municipality, exception_reason=lead_exception_reason, by=by, previous=None
    )
    if status not in (Status.IDEA, Status.PROPOSED):
        raise ValidationError(
            {"status": _("Ein neues Leitprojekt beginnt als Idee oder Vorschlag.")}
        )
    project = LeadProject(
        title=title,
        slug=_unique_slug(title),
        summary=summary,
        description=description,
        criterion_concerns_all=criterion_concerns_all,
        criterion_saves_resources=criterion_saves_resources,
        criterion_joint_impact=criterion_joint_impact,
        lead_municipality=lead_municipality,
        lead_exception_reason=lead_exception_reason,
        lead_exception_recorded_by=by if lead_exception_reason else None,
        kind=kind,
        visibility=visibility,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        created_by=by,
    )
    project.full_clean()
    project._history_user = by
    project.save()
    project.topics.set(topics)
    project.participants.set(participants)
    ProjectActivity.objects.create(project=project, actor=by, kind=ProjectActivity.Kind.CREATED)
    if not is_network_office(by):
        _team_put(project=project, user=by, role=Role.COORDINATOR)
    return project


@transaction.atomic
def project_update(
    *,
    project: LeadProject,
    by: User,
    topics: Iterable[Topic] | None = None,
    participants: Iterable[Municipality] | None = None,
    **fields,
) -> list[str]:
    """Change what the project form edits; returns the names of the changed fields.

    A save that changes nothing writes no history row and no activity.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"lead_exception_reason"}
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    previous = LeadProject.objects.select_for_update().get(pk=project.pk)
    lead = fields.get("lead_municipality", project.lead_municipality)
    reason = fields.get("lead_exception_reason", project.lead_exception_reason)
    if lead.is_pioneer:
        reason = ""
    fields["lead_exception_reason"] = reason
    _validate_lead(lead=lead, exception_reason=reason, by=by, previous=previous)

    changed = [name for name, value in fields.items() if getattr(previous, name) != value]
    for name in changed:
        setattr(project, name, fields[name])
    if "lead_exception_reason" in changed:
        project.lead_exception_recorded_by = by if reason else None
    if changed:
        project.full_clean()
        project._history_user = by
        project.save()
    if "visibility" in changed:
        # Sent before the change's own event: whoever may no longer see the project is
        # gone before anything else reaches their socket.
        recheck_project_on_commit(project.pk)
    if topics is not None:
        topics = list(topics)
        if {t.pk for t in topics} != set(project.topics.values_list("pk", flat=True)):
            project.topics.set(topics)
            changed.append("topics")
    if participants is not None:
        participants = list(participants)
        if {m.pk for m in participants} != set(project.participants.values_list("pk", flat=True)):
            project.participants.set(participants)
            changed.append("participants")
    if changed:
        ProjectActivity.objects.create(
            project=project, actor=by, kind=ProjectActivity.Kind.EDITED, changed_fields=changed
        )
        project_event(
            project,
            "project.changed",
            _("%(name)s hat das Leitprojekt bearbeitet.") % {"name": by.get_display_name()},
            _("%(name)s hat das Leitprojekt bearbeitet.") % {"name": public_name(by, None)},
            fields=changed,
        )
    return changed


@transaction.atomic
def project_change_status(
    *, project: LeadProject, by: User, to: str, reason: str = "", decision: str = ""
) -> None:
    """Move ``project`` along its lifecycle, if the rules allow ``by`` this step.

    ``decision`` names the steering committee's adopted agreement that takes the step; it is
    the only way through a step the lifecycle gives to the committee
    (:func:`projects.lifecycle.agreement_decides`), and it stands for ``by``'s rights.
    """
    caller_copy = project
    project = LeadProject.objects.select_for_update().get(pk=project.pk)
    rule = TRANSITIONS.get((project.status, to))
    if rule is None:
        raise ValidationError(
            {
                "to": _("Von „%(source)s“ geht es nicht direkt zu „%(target)s“.")
                % {"source": project.get_status_display(), "target": Status(to).label}
                if to in Status.values
                else _("Diesen Stand gibt es nicht.")
            }
        )
    if decision:
        reason = reason.strip() or decision
    elif agreement_decides(project, to):
        raise PermissionDenied(_("Diesen Schritt geht nur ein Beschluss des Steuerkreises."))
    elif not ProjectAccess(by, project).has(CHANGE) or (
        rule.office_only and not is_network_office(by)
    ):
        raise PermissionDenied(
            _("Diesen Schritt im Ablauf des Leitprojekts darf nur die Geschäftsstelle gehen.")
        )
    if rule.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Bitte begründen Sie diesen Schritt.")})
    old = project.status
    project.status = to
    project._change_reason = reason.strip()
    project._history_user = by
    project.save()
    caller_copy.status = to
    if to == Status.ARCHIVED:
        recheck_project_on_commit(project.pk)
    ProjectActivity.objects.create(
        project=project,
        actor=by,
        kind=ProjectActivity.Kind.STATUS,
        old_status=old,
        new_status=to,
        reason=reason.strip(),
    )
    project_event(
        project,
        "project.status",
        _("Neuer Stand: %(status)s.") % {"status": project.get_status_display()},
        old=old,
        new=to,
    )
    notifications.status_changed(project=project, by=by, decision=decision)  # NOTIFY
