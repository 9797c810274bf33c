"""Who may read, write and moderate a discussion: the one place that decides.

A discussion belongs to a lead project or one of its results and follows it: whoever may not
see the project (or a draft result) learns nothing about its comments (404). Of those who see
it, staff of the member municipalities, the project's team and the network office take part
(read and write); a stranger to the network is told so (403). The project's coordination and
the network office moderate: they hide a comment, with a reason.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from network.discussion.models import Comment
from projects.models import LeadProject, Result
from projects.permissions import CHANGE, VIEW, ProjectAccess, get_project_for, get_result_for
from workspace.access import decide
from workspace.models import User
from workspace.permissions import is_member_or_office

NOT_MEMBER = _(
    "Mitreden können Mitarbeitende der Mitgliedskommunen, das Team des Leitprojekts und die "
    "Geschäftsstelle."
)
NOT_MODERATOR = _(
    "Kommentare blenden nur die Koordination des Leitprojekts und die Geschäftsstelle aus."
)
NOT_AUTHOR = _("Einen Kommentar ändert nur, wer ihn geschrieben hat.")


class DiscussionAccess:
    """What one user may do in the discussion of one project (or of one of its results)."""

    def __init__(self, user: User | AnonymousUser, access: ProjectAccess) -> None:
        self.user = user
        self.can_read = bool(
            access.can_view
            and user.is_authenticated
            and user.is_active
            and (is_member_or_office(user) or access.has(VIEW))
        )
        self.can_comment = self.can_read
        self.can_moderate = self.can_read and access.has(CHANGE)


def discussion_access(user: User | AnonymousUser, project: LeadProject) -> DiscussionAccess:
    return DiscussionAccess(user, ProjectAccess(user, project))


def discussion_of_project(user, slug: str) -> tuple[LeadProject, DiscussionAccess]:
    project, access = get_project_for(user, slug)
    return project, DiscussionAccess(user, access)


def discussion_of_result(user, result_id: int) -> tuple[Result, DiscussionAccess]:
    """A result of a lead project (adopted copies have no discussion) and its discussion."""
    slug = (
        Result.objects.filter(pk=result_id, project__isnull=False)
        .values_list("project__slug", flat=True)
        .first()
    )
    decide(user, sees=slug is not None)
    result, access = get_result_for(user, slug, result_id)
    return result, DiscussionAccess(user, access)


def get_comment_for(user, comment_id: int) -> tuple[Comment, DiscussionAccess]:
    """A comment its reader may see: its project (and result) visible and the reader one who
    takes part; otherwise 404 (login first for the anonymous)."""
    comment = (
        Comment.objects.select_related("project", "result", "author", "hidden_by", "quoted_row")
        .filter(pk=comment_id)
        .first()
    )
    decide(user, sees=comment is not None)
    if comment.result_id:
        result, access = get_result_for(user, comment.project.slug, comment.result_id)
        comment.result = result
    else:
        _project, access = get_project_for(user, comment.project.slug)
    discussion = DiscussionAccess(user, access)
    decide(user, sees=discussion.can_read)
    return comment, discussion


def require_comment(user, discussion: DiscussionAccess) -> None:
    decide(user, acts=discussion.can_comment, refusal=NOT_MEMBER)


def require_moderator(user, discussion: DiscussionAccess) -> None:
    decide(user, acts=discussion.can_moderate, refusal=NOT_MODERATOR)
