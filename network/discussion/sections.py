"""The discussion on the pages of lead projects and results (workspace.hooks sections)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from network.discussion import selectors
from network.discussion.forms import CommentForm, ReplyForm, ResultCommentForm
from network.discussion.models import Comment
from network.discussion.permissions import discussion_access
from projects.models import LeadProject, Result


def _section(request: HttpRequest, project: LeadProject, result: Result | None) -> dict:
    discussion = discussion_access(request.user, project)
    context = {"discussion": discussion, "anonymous": not request.user.is_authenticated}
    if not discussion.can_read:
        return context
    comments = Comment.objects.on_result(result) if result else Comment.objects.on_project(project)
    threads = selectors.threads(comments)
    for thread in threads:
        thread.reply_form = ReplyForm(auto_id=f"antwort-{thread.pk}-%s")
    if result is not None:
        row = result.history.filter(revision=result.revision).values_list("history_id", flat=True)
        form = ResultCommentForm(initial={"version": row.first()}, auto_id="kommentar-%s")
        action = reverse("discussion:result-comment", kwargs={"result_id": result.pk})
    else:
        form = CommentForm(auto_id="kommentar-%s")
        action = reverse("discussion:project-comment", kwargs={"slug": project.slug})
    return context | {
        "threads": threads,
        "count": sum(1 + len(t.replies.all()) for t in threads),
        "form": form,
        "action": action,
        "now": timezone.now(),
        "live": True,
    }


def project_discussion(request: HttpRequest, project: LeadProject) -> dict:
    return _section(request, project, None)


def result_discussion(request: HttpRequest, result: Result) -> dict | None:
    if result.is_copy:
        return None
    return _section(request, result.project, result)
