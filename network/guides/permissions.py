"""Who may read and edit guides and the glossary: the one place that decides.

- Guides are public. A planned guide ("bald verfügbar") shows its title and summary to
  everyone, its body, versions and comparisons only to its editors.
- Editors of a guide: the network office and the guide's named authors.
- New guides and the glossary's terms: the network office.
- Links to lead projects and results follow the projects' own visibility
  (``projects.permissions.visible_projects``): a team-only project is never named to
  someone who may not see it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet  # SEARCH
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from network.guides.models import Authorship, Guide, Term
from projects.models import LeadProject, Result
from projects.permissions import visible_projects
from workspace.access import decide
from workspace.models import User
from workspace.permissions import is_network_office

NOT_EDITOR = _("Leitfäden bearbeiten nur ihre Autorinnen und Autoren und die Geschäftsstelle.")
NOT_OFFICE_GUIDE = _("Neue Leitfäden legt die Geschäftsstelle an.")
NOT_OFFICE_TERM = _("Das Vokabelheft pflegt die Geschäftsstelle.")


class GuideAccess:
    """What one user may do with one guide (its authorships prefetched or one query)."""

    def __init__(self, user: User | AnonymousUser, guide: Guide) -> None:
        self.user = user
        self.guide = guide

    @property
    def can_edit(self) -> bool:
        if not self.user.is_authenticated or not self.user.is_active:
            return False
        if is_network_office(self.user):
            return True
        return any(a.person_id == self.user.pk for a in self.guide.authorships.all())

    @property
    def can_read_body(self) -> bool:
        """The body (and its versions) of a planned guide is its editors' only."""
        return not self.guide.is_planned or self.can_edit

    @property
    def can_read_planned_versions(self) -> bool:
        """Versions written while the guide was planned: its editors' only."""
        return self.can_edit


# --- Planned: who reads a guide's hidden versions --------------------------------------------
#
# A planned guide's body, and every version written while it was planned, is its editors' (its
# authors and the office): ``GuideAccess.can_read_body`` and ``can_read_planned_versions``
# for one guide, ``guides_with_readable_body`` for many, ``without_planned`` for the rows
# everyone else gets. Nothing else filters on the planned stage
# (tests/workspace/test_one_access_decision.py reads the code).


def is_planned(row) -> bool:
    """Whether a guide, or a row of its history, is planned."""
    return row.status == Guide.Status.PLANNED


def without_planned(rows: QuerySet) -> QuerySet:
    """Guides, or rows of their history, without the planned ones."""
    return rows.exclude(status=Guide.Status.PLANNED)


def only_planned(rows: QuerySet) -> QuerySet:
    """The planned guides among ``rows`` (the lists' "bald verfügbar")."""
    return rows.filter(status=Guide.Status.PLANNED)


def guides_with_readable_body(user: User | AnonymousUser) -> QuerySet[Guide]:  # SEARCH
    # GuideAccess.can_read_body for many guides in one query (the search matches bodies  # SEARCH
    # only here): not planned, or planned and ``user`` is its editor.  # SEARCH
    return Guide.objects.filter(readable_body(user))  # SEARCH


def readable_body(user: User | AnonymousUser) -> Q:  # SEARCH
    # The same as a condition on the guide itself, which the database checks row by row  # SEARCH
    # (a subquery of every readable guide would be listed whole first); ``Q()`` for the  # SEARCH
    # office, who reads every body.  # SEARCH
    if is_network_office(user):  # SEARCH
        return Q()  # SEARCH
    readable = ~Q(status=Guide.Status.PLANNED)  # SEARCH
    if user.is_authenticated and user.is_active:  # SEARCH
        readable |= Q(pk__in=Authorship.objects.filter(person=user).values("guide_id"))  # SEARCH
    return readable  # SEARCH


def can_create_guide(user: User | AnonymousUser) -> bool:
    return is_network_office(user)


def can_edit_glossary(user: User | AnonymousUser) -> bool:
    return is_network_office(user)


def get_guide_for(
    user: User | AnonymousUser, slug: str, *, edit: bool = False, body: bool = False
) -> tuple[Guide, GuideAccess]:
    """The guide behind ``slug`` with the user's access; ``body``: the page shows the body
    or its versions (planned: editors only, 404 for others, login for the anonymous);
    ``edit``: the user must be an editor (403 with a German message)."""
    guide = (
        Guide.objects.select_related("created_by")
        .prefetch_related(
            Prefetch(
                "authorships", queryset=Authorship.objects.select_related("person", "municipality")
            )
        )
        .filter(slug=slug)
        .first()
    )
    if guide is None:
        raise Http404
    access = GuideAccess(user, guide)
    decide(user, sees=not body or access.can_read_body)
    decide(user, acts=not edit or access.can_edit, refusal=NOT_EDITOR)
    return guide, access


def get_term_for(user: User | AnonymousUser, slug: str, *, edit: bool = False) -> Term:
    term = Term.objects.filter(slug=slug).first()
    if term is None:
        raise Http404
    decide(user, acts=not edit or can_edit_glossary(user), refusal=NOT_OFFICE_TERM)
    return term


def linked_projects_for(user: User | AnonymousUser) -> QuerySet[LeadProject]:
    """The lead projects a guide may name to ``user``: those they may see."""
    return visible_projects(user).select_related("lead_municipality").order_by("title")


def linked_results_for(user: User | AnonymousUser) -> QuerySet[Result]:
    """The results a guide may name to ``user``: published ones of projects they may see."""
    return (
        Result.objects.filter(project__in=visible_projects(user).values("pk"), is_archived=False)
        .published()
        .select_related("project")
        .order_by("title")
    )
