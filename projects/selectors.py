"""Reads of lead projects that are more than one line."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Length

from projects.models import LeadProject, ProjectActivity, Result, TeamMembership
from projects.permissions import visible_projects, without_drafts
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


VERSION_COLUMNS = (
    "history_id",
    "id",
    "revision",
    "title",
    "maturity",
    "history_date",
    "history_change_reason",
    "history_user__username",
    "history_user__display_name",
    "history_user__public_name",
    "history_user__first_name",
    "history_user__last_name",
)


def versions_of(result: Result, *, with_drafts: bool = True):
    """The versions page's rows, newest first, without loading any body (``.only``);
    the body's length comes from the database. Outside the team, versions written while the
    result was a draft stay hidden, as drafts do."""
    history = result.history.all() if with_drafts else without_drafts(result.history.all())
    return (
        history.select_related("history_user")
        .only(*VERSION_COLUMNS)
        .annotate(body_length=Length("body"))
        .order_by("-revision")
    )


@dataclass(frozen=True)
class VersionPage:
    """One page of a result's versions, newest first.

    Revisions run without gaps from 1 to ``result.revision``, so a page is a range of
    revisions found through the (id, revision) index: no OFFSET, no COUNT, the same cost
    on page 1 and page 200.
    """

    result: Result
    number: int
    per_page: int
    with_drafts: bool = True

    @classmethod
    def of(
        cls, result: Result, requested: str | None, *, per_page: int, with_drafts: bool = True
    ) -> VersionPage:
        pages = max(1, -(-result.revision // per_page))
        try:
            number = min(max(1, int(requested or 1)), pages)
        except ValueError:
            number = 1
        return cls(result=result, number=number, per_page=per_page, with_drafts=with_drafts)

    @property
    def count(self) -> int:
        return self.result.revision

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def versions(self) -> list:
        top = self.count - (self.number - 1) * self.per_page
        return list(
            versions_of(self.result, with_drafts=self.with_drafts).filter(
                revision__lte=top, revision__gt=top - self.per_page
            )
        )


def with_change_sizes(result: Result, versions: list) -> list:
    """Attach ``change`` (characters added or removed) to each row of one page, asking the
    database once for the one older neighbour the page does not hold."""
    if not versions:
        return versions
    oldest = versions[-1].revision
    # Asked even for the first page of a young result, so the page always costs the same.
    before = (
        result.history.filter(revision=oldest - 1)
        .annotate(body_length=Length("body"))
        .values_list("body_length", flat=True)
        .first()
    )
    lengths = [v.body_length for v in versions] + [before]
    for version, previous in zip(versions, lengths[1:], strict=True):
        version.change = None if previous is None else version.body_length - previous
    return versions


def two_versions(result: Result, old: int, new: int, *, with_drafts: bool = True) -> dict:
    """Versions ``old`` and ``new`` of ``result`` in one query, keyed by revision."""
    history = result.history.all() if with_drafts else without_drafts(result.history.all())
    rows = history.filter(revision__in={old, new}).only(
        "revision", "title", "summary", "body", "history_date", "history_change_reason"
    )
    return {row.revision: row for row in rows}


# --- templates and adoptions -------------------------------------------------------------


def template_catalogue(*, user, topic=None, project=None, municipality=None, maturity=""):
    """The catalogue as one query: each visible template with its adoptions counted by status."""
    from projects.models import Adoption
    from projects.permissions import visible_templates

    # distinct: the filters below join projects and adoptions once more, which would
    # multiply the counted rows.
    counts = {
        f"adopted_{status}": Count("adoptions", filter=Q(adoptions__status=status), distinct=True)
        for status in Adoption.Status.values
    }
    templates = (
        visible_templates(user)
        .select_related("result__project__lead_municipality", "recommended")
        .annotate(adopted=Count("adoptions", distinct=True), **counts)
        .order_by("result__title")
    )
    if topic is not None:
        templates = templates.filter(result__project__topics=topic)
    if project is not None:
        templates = templates.filter(result__project=project)
    if municipality is not None:
        templates = templates.filter(
            Q(result__project__lead_municipality=municipality)
            | Q(result__project__participants=municipality)
            | Q(adoptions__municipality=municipality)
        )
    if maturity:
        templates = templates.filter(result__maturity=maturity)
    return templates.distinct()


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
    ).order_by("template__result__title", "municipality__name")
