"""What lead projects tell their followers (through ``workspace.notifications``).

The services call these helpers inside their transactions, one line each, so a change that
is rolled back tells nobody, and who is told stays in one place. Called rather than hung on
the websocket events: those carry display text for open pages, not the actor and the objects
a notification needs, and they leave only after the commit.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _

from projects.models import Adoption, LeadProject, Offer, Result, TeamMembership, Template
from projects.permissions import (
    project_audience,
    result_audience,
    template_audience,
    visible_projects,
    visible_results,
    visible_templates,
)
from workspace.hooks import register_section, register_visibility
from workspace.models import NotificationKind as Kind
from workspace.models import User
from workspace.notifications import follow, notify


def result_saved(*, result: Result, by: User, note: str = "", created: bool = False) -> None:
    """A new version: the followers of the result and of its project; for a template, the
    followers of every adopted copy hear of the upstream change."""
    detail = (
        _("Version %(n)s") % {"n": result.revision}
        if not note
        else _("Version %(n)s („%(note)s“)") % {"n": result.revision, "note": note}
    )
    if created:
        detail = _("neu angelegt")
    notify(
        kind=Kind.NEW_VERSION,
        actor=by,
        target=result,
        via=[result, result.project] if result.project_id else [result],
        title=result.title,
        detail=detail,
        url=result.get_absolute_url(),
    )
    if created or result.is_copy:
        return
    template = Template.objects.filter(result=result).first()
    if template is None:
        return
    for adoption in template.adoptions.select_related("copy__municipality"):
        copy = adoption.copy
        notify(
            kind=Kind.UPSTREAM,
            actor=by,
            target=copy,
            title=copy.title,
            detail=_("Version %(n)s von „%(title)s“")
            % {"n": result.revision, "title": result.title},
            url=copy.get_absolute_url(),
        )


def status_changed(*, project: LeadProject, by: User, decision: str = "") -> None:
    """A new status; when a decision of the steering committee took the step, its own
    notification says so (one per person, not two)."""
    if decision:
        return
    notify(
        kind=Kind.STATUS,
        actor=by,
        target=project,
        title=project.title,
        detail=str(project.get_status_display()),
    )


def adopted(*, adoption: Adoption, by: User) -> None:
    template = adoption.template
    source = template.result
    notify(
        kind=Kind.ADOPTION,
        actor=by,
        target=template,
        via=[template, source, source.project],
        title=source.title,
        detail=adoption.municipality.name,
        url=template.get_absolute_url(),
    )
    # Whoever adopts hears of the template's later changes through their copy.
    follow(user=by, target=adoption.copy)


def offered(*, offer: Offer, by: User) -> None:
    """The source team decides on an offer: its members hear of it, as do the followers."""
    adoption = offer.adoption
    template = adoption.template
    source = template.result
    team = User.objects.filter(
        team_memberships__project=source.project_id,
        team_memberships__role__in=[TeamMembership.Role.EDITOR, TeamMembership.Role.COORDINATOR],
    )
    notify(
        kind=Kind.OFFER,
        actor=by,
        target=template,
        via=[template, source],
        recipients=list(team),
        title=source.title,
        detail=adoption.municipality.name,
        url=reverse("templates:offer", kwargs={"template_id": template.pk, "offer_id": offer.pk}),
    )


def _team_follows(sender, instance: TeamMembership, created: bool, raw: bool = False, **kwargs):
    """Members of a team follow their project from the day they join."""
    if created and not raw:
        follow(user=instance.user, target=instance.project)


def register() -> None:
    """Called from ``ProjectsConfig.ready()``."""
    from workspace.notification_views import follow_section

    register_visibility(LeadProject, visible_projects, audience=project_audience)
    register_visibility(Result, visible_results, audience=result_audience)
    register_visibility(Template, visible_templates, audience=template_audience)
    post_save.connect(_team_follows, sender=TeamMembership, dispatch_uid="team-follows-project")
    for page in ("project_detail", "result_detail", "template_detail"):
        register_section(page, template="workspace/_follow.html", context=follow_section, order=5)
