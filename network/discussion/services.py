"""Every write of the discussion: keyword-only, atomic, with its notifications and its live
update (both only after the commit reaches anyone)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.discussion.models import Comment
from network.discussion.permissions import (
    NOT_AUTHOR,
    NOT_MEMBER,
    NOT_MODERATOR,
    discussion_access,
)
from projects.models import HistoricalResult, LeadProject, Result
from workspace.events import group_name, send_event_on_commit
from workspace.limits import COMMENT_MAX
from workspace.models import NotificationKind, User
from workspace.notifications import follow, notify
from workspace.validators import too_long

MAX_LENGTH = COMMENT_MAX
# "@team-iserlohn," names team-iserlohn; an address like a@b.de names nobody.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")


def mentioned_users(body: str) -> list[User]:
    names = set(MENTION.findall(body))
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True))


def _plain(text: str) -> str:
    """Text as a reader copies it from the page: without Markdown's marks, spaces folded."""
    return " ".join(re.sub(r"[*_`#>~\[\]|]", " ", text).split())


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Bitte schreiben Sie Ihren Kommentar.")})
    if len(body) > MAX_LENGTH:
        raise ValidationError({"body": too_long(MAX_LENGTH, len(body))})
    return body


def _push(comment: Comment, action: str) -> None:
    """Tell the open pages of the comment's result or project; the message names the comment
    only, and each page fetches it through the checked partial."""
    group = (
        group_name("result", comment.result_id)
        if comment.result_id
        else group_name("project", comment.project_id)
    )
    send_event_on_commit(
        group,
        "page.push",
        {
            "message": {
                "event": "comment",
                "action": action,
                "comment": comment.pk,
                "parent": comment.parent_id,
                "url": reverse("discussion:comment", kwargs={"comment_id": comment.pk}),
            }
        },
    )


def _tell(comment: Comment, by: User, mentioned: list[User], *, new: bool) -> None:
    """One notification per person: a mention beats a reply, a reply beats a comment."""
    target = comment.target
    common = {
        "actor": by,
        "target": target,
        "title": target.title,
        "detail": comment.body[:300],
        "url": f"{target.get_absolute_url()}#{comment.anchor}",
    }
    allowed = [u for u in mentioned if discussion_access(u, comment.project).can_read]
    told = notify(kind=NotificationKind.MENTION, via=[], recipients=allowed, **common)
    if not new:
        return
    if comment.parent_id:
        told |= notify(
            kind=NotificationKind.REPLY,
            via=[],
            recipients=[comment.parent.author],
            exclude=told,
            **common,
        )
    via = [target, comment.project] if comment.result_id else [target]
    notify(kind=NotificationKind.COMMENT, via=via, exclude=told, **common)


@transaction.atomic
def comment_create(
    *,
    by: User,
    project: LeadProject,
    body: str,
    result: Result | None = None,
    parent: Comment | None = None,
    quoted_row: HistoricalResult | None = None,
    quote: str = "",
) -> Comment:
    """A comment on ``project`` (or on its ``result``), or a reply to ``parent``. Its author
    follows what they commented on from now on."""
    if result is not None and result.project_id != project.pk:
        raise ValidationError(_("Das Ergebnis gehört nicht zu diesem Leitprojekt."))
    if not discussion_access(by, project).can_comment:
        raise PermissionDenied(NOT_MEMBER)
    body = _clean_body(body)
    if parent is not None:
        if parent.parent_id:  # one level: a reply to a reply joins the same thread
            parent = parent.parent
        if parent.project_id != project.pk or parent.result_id != (result.pk if result else None):
            raise ValidationError(_("Dieser Kommentar gehört zu einer anderen Diskussion."))
        if parent.is_hidden:
            raise ValidationError(
                {"body": _("Auf einen ausgeblendeten Kommentar kann man nicht antworten.")}
            )
    quote = quote.strip()
    if quote or quoted_row is not None:
        if result is None or quoted_row is None or quoted_row.id != result.pk:
            raise ValidationError(
                {"quote": _("Zitieren lässt sich nur aus einer Version dieses Ergebnisses.")}
            )
        if not quote:
            quoted_row = None
        elif _plain(quote) not in _plain(quoted_row.body):
            raise ValidationError(
                {
                    "quote": _(
                        "Diese Stelle steht nicht wörtlich in Version %(n)s. Bitte kopieren "
                        "Sie sie aus dem Text."
                    )
                    % {"n": quoted_row.revision}
                }
            )
    comment = Comment(
        project=project,
        result=result,
        parent=parent,
        author=by,
        body=body,
        quoted_row=quoted_row,
        quote=quote if quoted_row is not None else "",
    )
    comment._history_user = by
    comment.save()
    follow(user=by, target=comment.target)
    _tell(comment, by, mentioned_users(body), new=True)
    _push(comment, "created")
    return comment


def can_edit(comment: Comment, user: User, now=None) -> bool:
    """Its author, within the first minutes (settings.DISCUSSION_EDIT_MINUTES), unhidden."""
    now = now or timezone.now()
    return (
        user.is_authenticated
        and comment.author_id == user.pk
        and not comment.is_hidden
        and now <= comment.editable_until()
    )


@transaction.atomic
def comment_edit(*, comment: Comment, by: User, body: str) -> bool:
    """Correct a comment shortly after writing it; the earlier text stays in its history.
    Returns whether anything changed."""
    current = (
        Comment.objects.select_for_update(of=("self",)).select_related("project").get(pk=comment.pk)
    )
    if current.author_id != by.pk:
        raise PermissionDenied(NOT_AUTHOR)
    if current.is_hidden:
        raise PermissionDenied(_("Ein ausgeblendeter Kommentar lässt sich nicht mehr ändern."))
    if not can_edit(current, by):
        raise PermissionDenied(
            _("Ein Kommentar lässt sich nur in den ersten %(n)s Minuten ändern.")
            % {"n": settings.DISCUSSION_EDIT_MINUTES}
        )
    body = _clean_body(body)
    if body == current.body:
        return False
    before = {u.pk for u in mentioned_users(current.body)}
    current.body = body
    current.edited_at = timezone.now()
    current._history_user = by
    current.save()
    comment.body, comment.edited_at = current.body, current.edited_at
    newly = [u for u in mentioned_users(body) if u.pk not in before]
    if newly:
        _tell(current, by, newly, new=False)
    _push(current, "changed")
    return True


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, reason: str) -> None:
    """A moderator hides a comment, saying why; the text is kept, never deleted."""
    current = (
        Comment.objects.select_for_update(of=("self",)).select_related("project").get(pk=comment.pk)
    )
    if not discussion_access(by, current.project).can_moderate:
        raise PermissionDenied(NOT_MODERATOR)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte nennen Sie den Grund; alle sehen ihn.")})
    if current.is_hidden:
        return
    current.hidden_at = timezone.now()
    current.hidden_by = by
    current.hidden_reason = reason
    current._history_user = by
    current._change_reason = reason
    current.save()
    _push(current, "changed")


@transaction.atomic
def comment_unhide(*, comment: Comment, by: User) -> None:
    current = (
        Comment.objects.select_for_update(of=("self",)).select_related("project").get(pk=comment.pk)
    )
    if not discussion_access(by, current.project).can_moderate:
        raise PermissionDenied(NOT_MODERATOR)
    if not current.is_hidden:
        return
    current.hidden_at, current.hidden_by, current.hidden_reason = None, None, ""
    current._history_user = by
    current.save()
    _push(current, "changed")
