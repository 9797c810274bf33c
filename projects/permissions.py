"""The one place that decides who may see and do what in a lead project (DESIGN.md).

Team roles are rows (``TeamMembership``); :func:`sync_role_permissions` turns a role into
guardian object permissions on the direct foreign-key models. The network office
(``is_network_office``) may do everything a team may, in every project.

Who reads a result's drafts is stated here once ("Drafts" below) and asked by pages, lists,
search, export and steering alike. The answer to "may not" is ``workspace.access.decide``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from projects.models import (
    LeadProject,
    LeadProjectGroupObjectPermission,
    LeadProjectUserObjectPermission,
    Result,
    TeamMembership,
    Visibility,
)
from workspace.access import decide
from workspace.models import Membership, User
from workspace.permissions import (
    is_member_or_office,
    is_network_member,
    is_network_office,
    member_or_office_people,
    network_member_people,
    network_office_people,
)

VIEW = "view_leadproject"
EDIT_RESULTS = "edit_results"
CHANGE = "change_leadproject"
MANAGE_TEAM = "manage_team"

Role = TeamMembership.Role
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OBSERVER: frozenset({VIEW}),
    Role.EDITOR: frozenset({VIEW, EDIT_RESULTS}),
    Role.COORDINATOR: frozenset({VIEW, EDIT_RESULTS, CHANGE, MANAGE_TEAM}),
}
TEAM_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())

DENIED = {
    CHANGE: _(
        "Nur die Koordination des Leitprojekts und die Geschäftsstelle dürfen es bearbeiten."
    ),
    MANAGE_TEAM: _(
        "Nur die Koordination des Leitprojekts und die Geschäftsstelle verwalten das Team."
    ),
    EDIT_RESULTS: _(
        "Ergebnisse bearbeiten nur Bearbeitung und Koordination des Teams und die Geschäftsstelle."
    ),
}


def sync_role_permissions(*, project: LeadProject, user: User, role: str | None) -> None:
    """Make ``user``'s object permissions on ``project`` exactly those of ``role`` (None: none).

    Called only by the team services, inside their transaction.
    """
    wanted = ROLE_PERMISSIONS[role] if role else frozenset()
    granted = LeadProjectUserObjectPermission.objects.filter(user=user, content_object=project)
    granted.exclude(permission__codename__in=wanted).delete()
    have = set(granted.values_list("permission__codename", flat=True))
    missing = Permission.objects.filter(
        content_type__app_label="projects",
        content_type__model="leadproject",
        codename__in=wanted - have,
    )
    for permission in missing:
        LeadProjectUserObjectPermission.objects.create(
            user=user, content_object=project, permission=permission
        )


def _object_grants(user: User, codename: str, through: str = "") -> Q:
    """Projects on which ``user`` holds ``codename`` directly or through a group (``through``:
    the project a row points at, e.g. ``"project__"``)."""
    direct = LeadProjectUserObjectPermission.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")
    via_group = LeadProjectGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename
    ).values("content_object_id")
    return Q(**{f"{through}pk__in": direct}) | Q(**{f"{through}pk__in": via_group})


def can_create_project(user: User | AnonymousUser) -> bool:
    """The network office, and staff of a pioneer municipality, start lead projects."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_network_office(user):
        return True
    return Membership.objects.active().filter(user=user, municipality__is_pioneer=True).exists()


def visible_projects(user: User | AnonymousUser) -> QuerySet[LeadProject]:
    """Every project ``user`` may see, as one query: public ∪ network (members) ∪ team."""
    return LeadProject.objects.filter(readable_project(user))


def readable_project(user: User | AnonymousUser, through: str = "") -> Q:
    """:func:`visible_projects` as a condition on a project or, with ``through`` (e.g.
    ``"project__"``), on the project a row points at: a join the database checks row by row
    instead of first listing every visible project."""

    def on(lookup: str, value) -> Q:
        return Q(**{f"{through}{lookup}": value})

    if not user.is_authenticated or not user.is_active:
        return on("visibility", Visibility.PUBLIC)
    if is_network_office(user):
        return on("pk__isnull", False) if through else Q()  # every project
    allowed = on("visibility", Visibility.PUBLIC) | _object_grants(user, VIEW, through)
    if is_network_member(user):
        allowed |= on("visibility", Visibility.NETWORK)
    return allowed


def _granted_people(project_id: int, codename: str) -> Q:
    """People holding ``codename`` on the project directly or through a group (the other
    direction of :func:`_object_grants`)."""
    direct = LeadProjectUserObjectPermission.objects.filter(
        content_object_id=project_id, permission__codename=codename
    ).values("user_id")
    groups = LeadProjectGroupObjectPermission.objects.filter(
        content_object_id=project_id, permission__codename=codename
    ).values("group_id")
    via_group = User.groups.through.objects.filter(group_id__in=groups).values("user_id")
    return Q(pk__in=direct) | Q(pk__in=via_group)


def project_audience(project: LeadProject) -> Q:
    """Everyone who may see ``project``, as a condition on people: :func:`visible_projects`
    turned around (public ∪ network members ∪ team ∪ office). No query of its own."""
    if project.visibility == Visibility.PUBLIC:
        return Q(is_active=True)
    allowed = network_office_people() | (Q(is_active=True) & _granted_people(project.pk, VIEW))
    if project.visibility == Visibility.NETWORK:
        allowed |= network_member_people()
    return allowed


class ProjectAccess:
    """What one user may do with one project, asked without a query per question."""

    def __init__(self, user: User | AnonymousUser, project: LeadProject) -> None:
        self.user = user
        self.project = project
        self._checker = (
            ObjectPermissionChecker(user) if user.is_authenticated and user.is_active else None
        )

    def has(self, codename: str) -> bool:
        if self._checker is None:
            return False
        return is_network_office(self.user) or self._checker.has_perm(codename, self.project)

    @property
    def can_view(self) -> bool:
        visibility = self.project.visibility
        if visibility == Visibility.PUBLIC:
            return True
        if self._checker is None:
            return False
        if visibility == Visibility.NETWORK and is_network_member(self.user):
            return True
        return self.has(VIEW)

    @property
    def can_change(self) -> bool:
        return self.has(CHANGE)

    @property
    def can_manage_team(self) -> bool:
        return self.has(MANAGE_TEAM)

    @property
    def can_edit_results(self) -> bool:
        return self.has(EDIT_RESULTS)


def get_project_for(
    user: User | AnonymousUser, slug: str, *, perm: str | None = None
) -> tuple[LeadProject, ProjectAccess]:
    """The project behind ``slug`` if ``user`` may see it (and hold ``perm``), with its access.

    Anonymous on a non-public project or action → login; logged in but not allowed to see →
    404; allowed to see but not to act → 403 with a German message.
    """
    project = (
        LeadProject.objects.select_related("lead_municipality", "lead_exception_recorded_by")
        .filter(slug=slug)
        .first()
    )
    # Anonymous visitors learn nothing about which hidden projects exist: login either way.
    access = ProjectAccess(user, project) if project is not None else None
    decide(user, sees=access is not None and access.can_view)
    decide(user, acts=perm is None or access.has(perm), refusal=DENIED.get(perm))
    return project, access


def results_visible_in(project: LeadProject, access: ProjectAccess):
    """The project's results ``access`` allows: drafts only for the team (and the office)."""
    results = Result.objects.filter(project=project)
    return results if reads_drafts(access) else without_drafts(results)


def get_result_for(
    user: User | AnonymousUser, slug: str, result_id: int, *, perm: str | None = None
):
    """A result of a project ``user`` may see, with the project's access, by the same rules:
    drafts exist only for the team — for everyone else they are 404 (or login)."""
    project, access = get_project_for(user, slug)
    result = (
        Result.objects.select_related("created_by").filter(pk=result_id, project=project).first()
    )
    decide(user, sees=result is not None and (not is_draft(result) or reads_drafts(access)))
    result.project = project
    decide(user, acts=perm is None or access.has(perm), refusal=DENIED.get(perm))
    return result, access


# --- adopted copies and templates ------------------------------------------------------


def works_for(user: User | AnonymousUser, municipality_id: int) -> bool:
    """Whether ``user`` is active staff of that municipality (one query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.active().filter(user=user, municipality_id=municipality_id).exists()


class CopyAccess:
    """What a user may do with a municipality's adopted copy: everybody in the network reads
    it; only that municipality's staff change it."""

    can_change = False
    can_manage_team = False

    def __init__(self, user: User | AnonymousUser, municipality) -> None:
        self.user = user
        self.municipality = municipality
        self.can_view = is_member_or_office(user)
        self.can_edit_results = works_for(user, municipality.pk)

    def has(self, codename: str) -> bool:
        if codename == VIEW:
            return self.can_view
        if codename == EDIT_RESULTS:
            return self.can_edit_results
        return False


COPY_DENIED = _("Die Nachnutzung bearbeiten nur Mitarbeitende der Kommune, die sie nachnutzt.")


def get_copy_for(
    user: User | AnonymousUser, municipality_slug: str, result_id: int, *, perm: str | None = None
):
    """A municipality's adopted copy, with the same three answers as every other object."""

    result = (
        Result.objects.select_related("municipality", "created_by", "adoption__template__result")
        .filter(pk=result_id, municipality__slug=municipality_slug)
        .first()
    )
    access = CopyAccess(user, result.municipality) if result is not None else None
    decide(user, sees=access is not None and access.can_view)
    decide(user, acts=perm is None or access.has(perm), refusal=COPY_DENIED)
    return result, access


def visible_templates(user: User | AnonymousUser):
    """Templates ``user`` may see: their project is visible, their result published, and
    "internal to the network" ones never for anonymous visitors. One query."""
    from projects.models import Template

    templates = Template.objects.filter(readable_project(user, "result__project__")).exclude(
        result__maturity=DRAFT
    )
    if not user.is_authenticated:
        templates = templates.exclude(licence=Template.Licence.INTERNAL)
    return templates


def template_audience(template) -> Q:
    """Everyone who may see ``template`` (:func:`visible_templates` turned around); reads
    its result and project if they are not loaded yet."""
    result = template.result
    if result.project_id is None or result.maturity == DRAFT:
        return Q(pk__in=[])
    return project_audience(result.project)


def get_template_for(user: User | AnonymousUser, template_id: int):
    template = (
        visible_templates(user)
        .select_related("result__project__lead_municipality", "recommended", "published_by")
        .filter(pk=template_id)
        .first()
    )
    decide(user, sees=template is not None)
    return template


def is_source_team(user: User | AnonymousUser, project: LeadProject) -> bool:
    """The source team (editor or coordinator of the template's project) decides on offers;
    the network office's global rights do not stand in for the team here."""
    if not user.is_authenticated or not user.is_active:
        return False
    return ObjectPermissionChecker(user).has_perm(EDIT_RESULTS, project)


def visible_results(user: User | AnonymousUser):
    """Every result ``user`` may see, as one query: the published results of the projects
    they see, drafts for the team (and the office), adopted copies for the network."""
    return Result.objects.filter(readable_result(user))


def readable_result(user: User | AnonymousUser, through: str = "") -> Q:
    """:func:`visible_results` as a condition on a result or, with ``through`` (e.g.
    ``"result__"``), on the result a row points at: joins the database checks row by row,
    where a subquery of every visible result would have it list them all first."""

    def on(lookup: str, value) -> Q:
        return Q(**{f"{through}{lookup}": value})

    in_project = readable_project(user, f"{through}project__")
    if not user.is_authenticated or not user.is_active:
        return in_project & on("maturity__in", _PUBLISHED)
    if not is_network_office(user):
        team = _object_grants(user, VIEW, f"{through}project__")
        in_project &= on("maturity__in", _PUBLISHED) | team
    if is_member_or_office(user):
        in_project |= on("project__isnull", True)
    return in_project


def result_audience(result: Result) -> Q:
    """Everyone who may see ``result`` (:func:`visible_results` turned around): a published
    result whoever sees its project, a draft only the team and the office, an adopted copy the
    network. Reads the project if it is not loaded yet."""
    if result.project_id is None:
        return member_or_office_people()
    if result.maturity == DRAFT:
        return network_office_people() | (
            Q(is_active=True) & _granted_people(result.project_id, VIEW)
        )
    return project_audience(result.project)


# --- Drafts: who reads a result's hidden versions -------------------------------------------
#
# A draft (a result, or a version of one, whose maturity is "draft") is its team's: the team
# and the office read it (``reads_drafts``). A seat holder of the steering committee reads
# exactly the versions pinned by proposals on a meeting's agenda (``readable_versions``), and
# nothing more of the result. Everyone else gets results and versions without their drafts
# (``without_drafts``). Pages, lists, search, export and steering ask here; nothing else
# filters on the draft stage (tests/workspace/test_one_access_decision.py reads the code).

DRAFT = Result.Maturity.DRAFT
_PUBLISHED = [m for m in Result.Maturity.values if m != DRAFT]


def is_draft(row) -> bool:
    """Whether a result, or a row of its history, is a draft."""
    return row.maturity == DRAFT


def reads_drafts(access) -> bool:
    """Whether ``access`` (a project's or a copy's) reads the drafts of its results."""
    return access.has(VIEW)


def without_drafts(rows: QuerySet) -> QuerySet:
    """Results, or rows of their history, without the drafts."""
    return rows.exclude(maturity=DRAFT)


def readable_versions(user: User | AnonymousUser, versions, access) -> set[int]:
    """The history ids among ``versions`` (rows of results of ``access``'s project, ``None``
    for none) that ``user`` reads; one query at most.

    The committee's share is the versions pinned by proposals on a meeting's agenda, which it
    has to read to decide, and nothing more; the seat is checked today (``active_seat``).
    """
    team = access is not None and reads_drafts(access)
    readable = {v.history_id for v in versions if team or not is_draft(v)}
    hidden = [v.history_id for v in versions if v.history_id not in readable]
    # The steering app builds on projects, so it is asked late, not imported at the top.
    from steering.models import ProposalVersion
    from steering.permissions import active_seat

    if hidden and active_seat(user) is not None:
        pinned = ProposalVersion.objects.filter(
            history_row_id__in=hidden, proposal__agenda_items__isnull=False
        )
        readable |= set(pinned.values_list("history_row_id", flat=True))
    return readable
