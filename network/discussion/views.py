"""Pages and actions of the discussion: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from network.discussion import services
from network.discussion.forms import CommentForm, EditForm, HideForm, ReplyForm, ResultCommentForm
from network.discussion.models import Comment
from network.discussion.permissions import (
    NOT_AUTHOR,
    discussion_of_project,
    discussion_of_result,
    get_comment_for,
    require_comment,
    require_moderator,
)
from projects.models import HistoricalResult
from workspace.access import refuse
from workspace.forms import form_errors_from
from workspace.ratelimit import person_of, rate_limited


def _account(request: HttpRequest) -> str:
    return person_of(request, email_field=None)


_limited = rate_limited("comment", title=gettext_lazy("Kommentieren"), person=_account)


def _where(comment: Comment) -> str:
    return f"{comment.target.get_absolute_url()}#{comment.anchor}"


def _form_page(request, *, form, target, heading, submit, action, comment=None, discussion=None):
    return render(
        request,
        "discussion/comment_form.html",
        {
            "form": form,
            "target": target,
            "heading": heading,
            "submit": submit,
            "action": action,
            "comment": comment,
            "discussion": discussion,
            "now": timezone.now(),
            "back_url": f"{target.get_absolute_url()}#diskussion",
        },
        status=400 if form.is_bound else 200,
    )


def _create(request, *, form, project, result=None, parent=None, action):
    target = result or project
    if form.is_valid():
        data = form.cleaned_data
        quoted_row = None
        if result is not None and data.get("quote", "").strip():
            quoted_row = HistoricalResult.objects.filter(
                history_id=data.get("version") or 0, id=result.pk
            ).first()
        try:
            comment = services.comment_create(
                by=request.user,
                project=project,
                result=result,
                parent=parent,
                body=data["body"],
                quote=data.get("quote", "") if quoted_row or data.get("quote") else "",
                quoted_row=quoted_row,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Ihr Kommentar ist veröffentlicht."))
            return redirect(_where(comment))
    heading = _("Antworten") if parent else _("Kommentieren")
    return _form_page(
        request, form=form, target=target, heading=heading, submit=heading, action=action
    )


@require_POST
@_limited
def project_comment(request: HttpRequest, slug: str) -> HttpResponse:
    project, discussion = discussion_of_project(request.user, slug)
    require_comment(request.user, discussion)
    return _create(
        request,
        form=CommentForm(request.POST, auto_id="kommentar-%s"),
        project=project,
        action=request.path,
    )


@require_POST
@_limited
def result_comment(request: HttpRequest, result_id: int) -> HttpResponse:
    result, discussion = discussion_of_result(request.user, result_id)
    require_comment(request.user, discussion)
    return _create(
        request,
        form=ResultCommentForm(request.POST, auto_id="kommentar-%s"),
        project=result.project,
        result=result,
        action=request.path,
    )


@require_POST
@_limited
def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    parent, discussion = get_comment_for(request.user, comment_id)
    require_comment(request.user, discussion)
    return _create(
        request,
        form=ReplyForm(request.POST, auto_id=f"antwort-{parent.pk}-%s"),
        project=parent.project,
        result=parent.result,
        parent=parent,
        action=request.path,
    )


@require_GET
def comment_partial(request: HttpRequest, comment_id: int) -> HttpResponse:
    """One comment as the page shows it (a thread with its replies), for a live page that
    was told of it: the same partial as the page, with the same checks."""
    comment, discussion = get_comment_for(request.user, comment_id)
    context = {"comment": comment, "discussion": discussion, "now": timezone.now()}
    if comment.parent_id:
        return render(request, "discussion/_reply.html", context)
    comment.reply_form = ReplyForm(auto_id=f"antwort-{comment.pk}-%s")
    return render(request, "discussion/_thread.html", context)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, discussion = get_comment_for(request.user, comment_id)
    if not services.can_edit(comment, request.user):
        refuse(
            request.user,
            NOT_AUTHOR
            if comment.author_id != request.user.pk
            else _(
                "Ein Kommentar lässt sich nur kurz nach dem Schreiben ändern, und nicht, wenn er ausgeblendet ist."
            ),
        )
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Ihr Kommentar ist geändert."))
            return redirect(_where(comment))
    return _form_page(
        request,
        form=form,
        target=comment.target,
        heading=_("Kommentar bearbeiten"),
        submit=_("Änderung speichern"),
        action=request.path,
    )


@require_http_methods(["GET", "POST"])
def hide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, discussion = get_comment_for(request.user, comment_id)
    require_moderator(request.user, discussion)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_hide(
                comment=comment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request, _("Der Kommentar ist ausgeblendet. Sein Text bleibt erhalten.")
            )
            return redirect(_where(comment))
    return _form_page(
        request,
        form=form,
        target=comment.target,
        heading=_("Kommentar ausblenden"),
        submit=_("Ausblenden"),
        action=request.path,
        comment=comment,
        discussion=discussion,
    )


@require_POST
def unhide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, discussion = get_comment_for(request.user, comment_id)
    require_moderator(request.user, discussion)
    services.comment_unhide(comment=comment, by=request.user)
    messages.success(request, _("Der Kommentar ist wieder eingeblendet."))
    return redirect(_where(comment))


def comment_url(comment: Comment) -> str:
    return reverse("discussion:comment", kwargs={"comment_id": comment.pk})
