"""Every write of lead projects and teams: keyword-only, atomic, validated, with its event."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import notifications  # NOTIFY
from projects.coedit.services import coedit_body_saved  # COEDIT
from projects.models import (
    Adoption,
    LeadProject,
    Offer,
    ProjectActivity,
    Result,
    ResultAttachment,
    StaleRevision,
    TeamMembership,
    Template,
)
from projects.permissions import CHANGE, ProjectAccess, is_draft, sync_role_permissions
from workspace.events import (
    group_name,
    recheck_project_on_commit,
    recheck_user_on_commit,
    send_event_on_commit,
)
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


@dataclass(frozen=True)
class Transition:
    """Who may move a project from one state to another, and whether a reason is required."""

    office_only: bool
    needs_reason: bool


_TO_ARCHIVE = Transition(office_only=True, needs_reason=True)
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.IDEA, Status.PROPOSED): Transition(office_only=False, needs_reason=False),
    (Status.PROPOSED, Status.IDEA): Transition(office_only=False, needs_reason=True),
    # Until the steering committee decides, the network office records the agreement.
    (Status.PROPOSED, Status.AGREED): Transition(office_only=True, needs_reason=True),
    (Status.AGREED, Status.RUNNING): Transition(office_only=False, needs_reason=False),
    (Status.RUNNING, Status.COMPLETED): Transition(office_only=True, needs_reason=True),
    (Status.COMPLETED, Status.RUNNING): Transition(office_only=True, needs_reason=True),
    (Status.COMPLETED, Status.ESTABLISHED): Transition(office_only=True, needs_reason=True),
    **{(status, Status.ARCHIVED): _TO_ARCHIVE for status in Status if status != Status.ARCHIVED},
}


# Steps that only an adopted agreement of the steering committee takes (``decision=``). The
# steering app names them in its ready(); without it, the network office records them.
COMMITTEE_STEPS: set[tuple[str, str]] = set()


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
        and (source, to) not in COMMITTEE_STEPS
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


def _project_event(
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
        _project_event(
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
    the only way through a step in :data:`COMMITTEE_STEPS`, and it stands for ``by``'s rights.
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
    elif (project.status, to) in COMMITTEE_STEPS:
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
    _project_event(
        project,
        "project.status",
        _("Neuer Stand: %(status)s.") % {"status": project.get_status_display()},
        old=old,
        new=to,
    )
    notifications.status_changed(project=project, by=by, decision=decision)  # NOTIFY


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
    _project_event(
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
    _project_event(
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
    _project_event(
        project,
        "project.team",
        _("%(name)s gehört nicht mehr zum Team.") % {"name": user.get_display_name()},
        _("%(name)s gehört nicht mehr zum Team.") % {"name": public_name(user, None)},
        user=user.pk,
        role=None,
    )


# --- living results -------------------------------------------------------------------

RESULT_FIELDS = ("title", "summary", "body", "kind", "maturity")


def _result_events(result: Result, by: User, note: str) -> None:
    payload = {
        "result": result.pk,
        "title": result.title,
        "revision": result.revision,
        "author": by.get_display_name(),
        "public": {"author": public_name(by, None)},
        "note": note,
        "draft": result.is_draft,
        # The same partial the page includes, so page and push can never drift apart.
        "html": render_to_string("projects/_result_body.html", {"result": result}),
    }
    send_event_on_commit(group_name("result", result.pk), "result.version", payload)
    if result.project_id:
        send_event_on_commit(group_name("project", result.project_id), "result.version", payload)


@transaction.atomic
def result_create(
    *,
    project: LeadProject,
    by: User,
    title: str,
    summary: str = "",
    body: str = "",
    kind: str = Result.Kind.CONCEPT,
    maturity: str = Result.Maturity.DRAFT,
    note: str = "",
) -> Result:
    result = Result(
        project=project,
        title=title,
        summary=summary,
        body=body,
        kind=kind,
        maturity=maturity,
        created_by=by,
    )
    result.full_clean(exclude=["revision"])
    result._history_user = by
    result._change_reason = note.strip()
    result.save()
    _result_events(result, by, note.strip())
    notifications.result_saved(result=result, by=by, created=True)  # NOTIFY
    return result


@transaction.atomic
def result_update(
    *, result: Result, by: User, base_revision: int, note: str = "", **fields
) -> bool:
    """Save a new version of ``result`` if anything changed; returns whether it did.

    Refused with :class:`StaleRevision` when ``base_revision`` is not the current revision:
    nobody's change is ever overwritten unseen.
    """
    unknown = set(fields) - set(RESULT_FIELDS) - {"upstream"}
    if unknown:
        raise TypeError(f"not a result field: {sorted(unknown)}")
    current = Result.objects.select_for_update().get(pk=result.pk)
    if current.revision != base_revision:
        raise StaleRevision(current.revision)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(current, name, fields[name])
    current.full_clean(exclude=["revision"])
    current._history_user = by
    current._change_reason = note.strip()
    current.save()
    if "maturity" in changed and current.project_id:
        # Before the version's events: a result back to draft is gone for everyone outside
        # the team before its new text could reach them.
        recheck_project_on_commit(current.project_id)
    if "body" in changed:
        coedit_body_saved(result=current)  # COEDIT: the Yjs state follows, as a diff
    for name in (*RESULT_FIELDS, "revision", "updated_at"):
        setattr(result, name, getattr(current, name))
    _result_events(current, by, note.strip())
    notifications.result_saved(result=current, by=by, note=note.strip())  # NOTIFY
    return True


@transaction.atomic
def result_restore(*, result: Result, by: User, revision: int, base_revision: int) -> None:
    """Write the content of version ``revision`` as a new version; history stays untouched."""
    old = result.history.filter(revision=revision).only(*RESULT_FIELDS).first()
    if old is None:
        raise ValidationError({"revision": _("Diese Version gibt es nicht.")})
    changed = result_update(
        result=result,
        by=by,
        base_revision=base_revision,
        note=str(_("wiederhergestellt aus Version %(n)s") % {"n": revision}),
        **{name: getattr(old, name) for name in RESULT_FIELDS},
    )
    if not changed:
        raise ValidationError(
            {
                "revision": _("Version %(n)s ist inhaltlich schon die aktuelle Fassung.")
                % {"n": revision}
            }
        )


@transaction.atomic
def result_archive(*, result: Result, by: User, base_revision: int) -> None:
    """Archive a result: it stays readable with its whole history, but is no longer listed."""
    current = Result.objects.select_for_update().get(pk=result.pk)
    if current.revision != base_revision:
        raise StaleRevision(current.revision)
    if current.is_archived:
        return
    current.is_archived = True
    current._history_user = by
    current._change_reason = str(_("archiviert"))
    current.save()
    result.is_archived, result.revision = True, current.revision
    if current.project_id:
        recheck_project_on_commit(current.project_id)
    _result_events(current, by, current._change_reason)


MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


@transaction.atomic
def attachment_add(*, result: Result, by: User, upload) -> ResultAttachment:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("Die Datei ist größer als 25 MB.")})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    name = os.path.basename(upload.name)[:200] or "anhang"
    attachment = ResultAttachment(
        result=result,
        name=name,
        size=upload.size,
        sha256=digest.hexdigest(),
        content_type=(upload.content_type or "")[:100],
        uploaded_by=by,
    )
    attachment.file.save(f"{digest.hexdigest()[:12]}-{name}", upload, save=False)
    attachment.save()
    return attachment


# --- templates and adoptions -------------------------------------------------------------


def current_row(result: Result):
    """The history row of ``result``'s current version."""
    return result.history.filter(revision=result.revision).get()


@transaction.atomic
def template_publish(
    *,
    result: Result,
    by: User,
    licence: str,
    recommended_revision: int,
    prerequisites: str = "",
    effort: str = "",
    contact: str = "",
) -> Template:
    """Publish ``result`` as a template, or update what its template says about reuse."""
    if result.is_copy:
        raise ValidationError(_("Eine Nachnutzung kann nicht selbst Vorlage werden."))
    if result.is_draft:
        raise ValidationError(
            {
                "result": _(
                    "Ein Entwurf wird keine Vorlage. Setzen Sie die Reife zuerst auf „in der Praxis erprobt“."
                )
            }
        )
    recommended = result.history.filter(revision=recommended_revision).first()
    if recommended is None or is_draft(recommended):
        raise ValidationError(
            {
                "recommended_revision": _(
                    "Empfehlen Sie eine vorhandene Version, die kein Entwurf ist."
                )
            }
        )
    template, created = Template.objects.update_or_create(
        result=result,
        defaults={
            "licence": licence,
            "recommended": recommended,
            "prerequisites": prerequisites,
            "effort": effort,
            "contact": contact,
        },
        create_defaults={
            "licence": licence,
            "recommended": recommended,
            "prerequisites": prerequisites,
            "effort": effort,
            "contact": contact,
            "published_by": by,
        },
    )
    template.full_clean()
    if created:
        _project_event(
            result.project,
            "project.changed",
            _("„%(title)s“ ist jetzt eine Vorlage.") % {"title": result.title},
        )
    return template


@transaction.atomic
def adoption_create(
    *, template: Template, municipality: Municipality, by: User, revision: int | None = None
) -> Adoption:
    """``municipality`` adopts ``template``: its own copy of the chosen version (default: the
    recommended one), which remembers that exact source row."""
    if not municipality.is_member:
        raise ValidationError(_("Nachnutzen können Mitgliedskommunen des Netzwerks."))
    if Adoption.objects.filter(template=template, municipality=municipality).exists():
        raise ValidationError(
            _("%(name)s nutzt diese Vorlage schon nach.") % {"name": municipality.name}
        )
    source = template.result
    row = source.history.filter(revision=revision).first() if revision else template.recommended
    if row is None:
        raise ValidationError({"revision": _("Diese Version der Vorlage gibt es nicht.")})
    copy = Result(
        municipality=municipality,
        upstream=row,
        title=row.title,
        summary=row.summary,
        body=row.body,
        kind=row.kind,
        maturity=Result.Maturity.DRAFT,
        created_by=by,
    )
    copy.full_clean(exclude=["revision"])
    copy._history_user = by
    copy._change_reason = str(
        _("nachgenutzt aus „%(title)s“, Version %(n)s") % {"title": source.title, "n": row.revision}
    )
    copy.save()
    adoption = Adoption.objects.create(
        template=template, municipality=municipality, copy=copy, adopted_row=row, adopted_by=by
    )
    _project_event(
        source.project,
        "project.changed",
        _("%(municipality)s nutzt „%(title)s“ jetzt nach.")
        % {"municipality": municipality.name, "title": source.title},
    )
    notifications.adopted(adoption=adoption, by=by)  # NOTIFY
    return adoption


def upstream_change(adoption: Adoption):
    """``(from_row, to_row)`` when the template changed since the copy's source version and the
    change was neither taken over nor dismissed; otherwise ``None``. Two queries at most."""
    copy = adoption.copy
    source = adoption.template.result
    based_on = copy.upstream
    if based_on is None or source.revision <= based_on.revision:
        return None
    if adoption.dismissed_row_id and adoption.dismissed_row.revision >= source.revision:
        return None
    return based_on, current_row(source)


@transaction.atomic
def adoption_take_over(
    *, adoption: Adoption, by: User, base_revision: int, body: str, title: str | None = None
) -> None:
    """Take the template's change over: a new version of the copy that records the source
    row it now follows. ``body`` is what the staff settled on (the merge they checked)."""
    change = upstream_change(adoption)
    if change is None:
        raise ValidationError(_("Die Vorlage hat sich seit Ihrer Version nicht geändert."))
    _old, new = change
    copy = adoption.copy
    fields = {"body": body, "upstream": new}
    if title:
        fields["title"] = title
    result_update(
        result=copy,
        by=by,
        base_revision=base_revision,
        note=str(_("Änderung der Vorlage übernommen (Version %(n)s)") % {"n": new.revision}),
        **fields,
    )


@transaction.atomic
def adoption_dismiss(*, adoption: Adoption, by: User) -> None:
    """Leave the copy as it is; this change of the template is not shown again."""
    change = upstream_change(adoption)
    if change is None:
        return
    adoption.dismissed_row = change[1]
    adoption.save(update_fields=["dismissed_row"])


@transaction.atomic
def adoption_set_status(*, adoption: Adoption, by: User, status: str, experience: str) -> None:
    if status not in Adoption.Status.values:
        raise ValidationError({"status": _("Diesen Stand gibt es nicht.")})
    adoption.status = status
    adoption.experience = experience.strip()
    adoption.full_clean()
    adoption.save(update_fields=["status", "experience"])


@transaction.atomic
def offer_create(*, adoption: Adoption, by: User, message: str = "") -> Offer:
    """Offer the copy's current version back to the template's team."""
    copy = adoption.copy
    if Offer.objects.filter(adoption=adoption, status=Offer.Status.OPEN).exists():
        raise ValidationError(_("Es gibt schon ein offenes Angebot dieser Kommune."))
    copy_row = current_row(copy)
    source = adoption.template.result
    if copy_row.body == current_row(source).body:
        raise ValidationError(
            _("Ihre Fassung gleicht der aktuellen Vorlage; es gibt nichts anzubieten.")
        )
    offer = Offer.objects.create(
        adoption=adoption,
        base_row=copy.upstream,
        copy_row=copy_row,
        message=message.strip(),
        offered_by=by,
    )
    _project_event(
        source.project,
        "project.changed",
        _("%(municipality)s bietet eine Verbesserung für „%(title)s“ an.")
        % {"municipality": adoption.municipality.name, "title": source.title},
    )
    notifications.offered(offer=offer, by=by)  # NOTIFY
    return offer


@transaction.atomic
def offer_accept(*, offer: Offer, by: User, base_revision: int) -> None:
    """The source team takes the offered text as a new version of the template, crediting
    the municipality and the person who offered it."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.OPEN:
        raise ValidationError(_("Über dieses Angebot ist schon entschieden."))
    source = offer.adoption.template.result
    result_update(
        result=source,
        by=by,
        base_revision=base_revision,
        note=str(
            _("Verbesserung aus %(municipality)s übernommen, angeboten von %(name)s")
            % {
                "municipality": offer.adoption.municipality.name,
                "name": offer.offered_by.get_display_name(),
            }
        ),
        body=offer.copy_row.body,
    )
    offer.status = Offer.Status.ACCEPTED
    offer.decided_by = by
    offer.decided_at = timezone.now()
    offer.source_row = current_row(source)
    offer.save()
    copy = offer.adoption.copy
    if copy.revision == offer.copy_row.revision:
        # The copy is what the template now says: it follows the new version, so its staff
        # are not told of "a change" that is their own contribution.
        result_update(
            result=copy,
            by=by,
            base_revision=copy.revision,
            note=str(
                _("Angebot angenommen: folgt jetzt Version %(n)s der Vorlage")
                % {"n": source.revision}
            ),
            upstream=offer.source_row,
        )


@transaction.atomic
def offer_decline(*, offer: Offer, by: User, note: str) -> None:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.OPEN:
        raise ValidationError(_("Über dieses Angebot ist schon entschieden."))
    if not note.strip():
        raise ValidationError({"note": _("Bitte sagen Sie der Kommune kurz, warum.")})
    offer.status = Offer.Status.DECLINED
    offer.decided_by = by
    offer.decided_at = timezone.now()
    offer.decision_note = note.strip()
    offer.save()
