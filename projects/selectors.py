"""Reads of lead projects that are more than one line."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet

from projects.models import LeadProject, ProjectActivity, Result, TeamMembership
from projects.permissions import visible_projects
from workspace.models import Membership, Municipality, Topic, User
from workspace.versioning import selectors as versioning


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
    # pk settles equal titles, so the pages of the list neither repeat nor skip a project.
    return projects.order_by("title", "pk")


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


# --- versions: the shared reads of workspace.versioning, named as the result's callers know them


def versions_of(result: Result, *, with_drafts: bool = True) -> QuerySet:
    """The result's versions, newest first, without bodies; drafts only ``with_drafts``."""
    return versioning.versions_of(result, reads_hidden=with_drafts)


def two_versions(result: Result, old: int, new: int, *, with_drafts: bool = True) -> dict:
    """Versions ``old`` and ``new`` in one query, keyed by revision; drafts only
    ``with_drafts``."""
    return versioning.two_versions(result, old, new, reads_hidden=with_drafts)


# --- templates and adoptions -------------------------------------------------------------


def template_catalogue(*, user, topic=None, project=None, municipality=None, maturity=""):
    """The visible templates, filtered, in title order (pk settles equal titles, so the
    catalogue's pages neither repeat nor skip one). One query; the adoptions of one page are
    counted by :func:`with_adoption_counts`, so the catalogue's size never multiplies them."""
    from projects.permissions import visible_templates

    templates = (
        visible_templates(user)
        .select_related("result__project__lead_municipality", "recommended")
        .order_by("result__title", "pk")
    )
    if topic is not None:
        templates = templates.filter(result__project__topics=topic)
    if project is not None:
        templates = templates.filter(result__project=project)
    if municipality is not None:
        # distinct: these joins would repeat a template once per participant and adoption.
        templates = templates.filter(
            Q(result__project__lead_municipality=municipality)
            | Q(result__project__participants=municipality)
            | Q(adoptions__municipality=municipality)
        ).distinct()
    if maturity:
        templates = templates.filter(result__maturity=maturity)
    return templates


def with_adoption_counts(templates):
    """``templates`` (one page of them) with ``adopted`` and ``adopted_<status>`` set on each,
    counted in one query over these templates' adoptions only."""
    from projects.models import Adoption

    templates = list(templates)
    counts = {
        row["template"]: row
        for row in Adoption.objects.filter(template__in=[t.pk for t in templates])
        .values("template")
        .annotate(
            adopted=Count("pk"),
            **{
                f"adopted_{status}": Count("pk", filter=Q(status=status))
                for status in Adoption.Status.values
            },
        )
        .order_by()
    }
    names = ["adopted", *(f"adopted_{status}" for status in Adoption.Status.values)]
    for template in templates:
        row = counts.get(template.pk, {})
        for name in names:
            setattr(template, name, row.get(name, 0))
    return templates


def adoption_register(*, user, template=None, municipality=None, project=None):
    """Who reuses what, since when, at which version, in which status (one query)."""
    from projects.models import Adoption
    from projects.permissions import visible_templates

    adoptions = Adoption.objects.filter(template__in=visible_templates(user).values("pk"))
    if template is not None:
        adoptions = adoptions.filter(template=template)
    if municipality is not None:
        adoptions = adoptions.filter(municipality=municipality)
    if project is not None:
        adoptions = adoptions.filter(template__result__project=project)
    return adoptions.select_related(
        "municipality", "template__result", "copy__upstream", "adopted_row"
    ).order_by("template__result__title", "municipality__name", "pk")
