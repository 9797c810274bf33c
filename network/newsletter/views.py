"""Pages of the Schülerzeitung: parse the request, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from network.newsletter import mails, selectors, services
from network.newsletter.forms import (
    IssueForm,
    NewsItemEditForm,
    NewsItemForm,
    ReviewForm,
    SubscribeForm,
)
from network.newsletter.models import Issue
from network.newsletter.permissions import (
    can_see_image,
    get_issue_for,
    get_item_for,
    require_editor,
    require_submitter,
    visible_items,
)
from network.newsletter.tokens import Outcome
from workspace.access import decide, require_login
from workspace.files import protected_file_response
from workspace.permissions import is_network_member, is_network_office
from workspace.ratelimit import rate_limited


def _form_errors_from(error: ValidationError, form) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _bound(request: HttpRequest, *, files: bool = False) -> tuple:
    """A form's data: bound on POST even when empty (an empty POST is an invalid form)."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _messages_from(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# Status of the page a link leads to: what happened, in words, and nothing changed
# unless it says so.
_LINK_STATUS = {Outcome.DONE: 200, Outcome.ALREADY: 200, Outcome.EXPIRED: 410, Outcome.INVALID: 404}


# --- public: archive, issues, feed, subscription --------------------------------------------


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    office = is_network_office(request.user)
    return render(
        request,
        "newsletter/archive.html",
        {
            "issues": list(selectors.published_issues()),
            "drafts": list(Issue.objects.drafts().order_by("-updated_at")) if office else [],
            "form": SubscribeForm(),
            "can_submit": is_network_member(request.user),
            "counts": selectors.subscriber_counts() if office else None,
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limited("newsletter", title=gettext_lazy("Schülerzeitung abonnieren"))
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_request(
                email=form.cleaned_data["email"], consent=form.cleaned_data["consent"]
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            return render(
                request, "newsletter/subscribe_sent.html", {"email": form.cleaned_data["email"]}
            )
    return render(
        request, "newsletter/subscribe.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a link scanner that opens every link in a mail
    cannot subscribe anybody."""
    if request.method == "POST":
        outcome, subscriber = services.subscription_confirm(secret=token)
        done = outcome == Outcome.DONE
    else:
        outcome, subscriber = services.subscription_confirmation_check(secret=token)
        done = False
    return render(
        request,
        "newsletter/confirm.html",
        {"outcome": str(outcome), "done": done, "subscriber": subscriber},
        status=_LINK_STATUS[outcome],
    )


# The one view without CSRF protection: mail programs unsubscribe with a POST of
# "List-Unsubscribe=One-Click" (RFC 8058) that carries neither session nor CSRF token. The
# secret, signed token in the URL is what authorises it; a forged request cannot know it, and
# all it can do is end a subscription.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        outcome, subscriber = services.subscription_cancel(
            token=token, via="one-click" if one_click else "website"
        )
        done = outcome == Outcome.DONE
    else:
        outcome, subscriber = services.subscription_from_token(token)
        done = False
    return render(
        request,
        "newsletter/unsubscribe.html",
        {"outcome": str(outcome), "done": done, "subscriber": subscriber},
        status=_LINK_STATUS[outcome],
    )


@require_GET
def issue_detail(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id)
    office = is_network_office(request.user)
    return render(
        request,
        "newsletter/issue_detail.html",
        {
            "issue": issue,
            "items": selectors.issue_items(issue),
            "is_office": office,
            "progress": selectors.progress(issue) if office and issue.is_published else None,
        },
    )


@require_GET
def item_image(request: HttpRequest, item_id: int) -> HttpResponse:
    item = (
        services.NewsItem.objects.select_related("issue")
        .filter(pk=item_id)
        .exclude(image="")
        .first()
    )
    if item is None:
        raise Http404
    decide(request.user, sees=can_see_image(request.user, item))
    response = protected_file_response(
        item.image,
        filename=item.image.name.rsplit("/", 1)[-1],
        content_type=item.image_content_type,
        download=False,
    )
    public = item.issue_id is not None and item.issue.is_published
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


# --- member news -----------------------------------------------------------------------------


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    require_login(request.user)
    office = is_network_office(request.user)
    if not office:
        require_submitter(request.user)
    items = list(
        visible_items(request.user).select_related("municipality", "submitted_by", "issue")
    )
    return render(
        request,
        "newsletter/item_list.html",
        {
            "items": items,
            "is_office": office,
            "waiting": [i for i in items if i.state == i.State.SUBMITTED],
            "can_submit": is_network_member(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    require_submitter(request.user)
    form = NewsItemForm(*_bound(request, files=True), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.news_item_submit(
                by=request.user,
                municipality=data["municipality"],
                title=data["title"],
                body=data["body"],
                link=data["link"],
                image=data["image"],
                image_alt=data["image_alt"],
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(
                request, _("Danke! Die Redaktion prüft Ihren Beitrag und meldet sich hier.")
            )
            return redirect(item)
    return render(
        request, "newsletter/item_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_item_for(request.user, item_id)
    office = is_network_office(request.user)
    return render(
        request,
        "newsletter/item_detail.html",
        {"item": item, "is_office": office, "review_form": ReviewForm() if office else None},
    )


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_item_for(request.user, item_id, edit=True)
    initial = {
        "title": item.title,
        "body": item.body,
        "link": item.link,
        "image_alt": item.image_alt,
    }
    form = NewsItemEditForm(*_bound(request, files=True), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.news_item_update(
                item=item,
                by=request.user,
                title=data["title"],
                body=data["body"],
                link=data["link"],
                image_alt=data["image_alt"],
                image=data["image"],
                remove_image=data["remove_image"],
            )
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, _("Der Beitrag ist gespeichert."))
            return redirect(item)
    return render(
        request,
        "newsletter/item_edit.html",
        {"form": form, "item": item},
        status=400 if form.errors else 200,
    )


def _review(request: HttpRequest, item_id: int, service, success: str) -> HttpResponse:
    item = get_item_for(request.user, item_id, edit=True)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        # A note over its limit or with control characters: said, and nothing is decided.
        for error in form.errors["note"]:
            messages.error(request, error)
        return redirect(item)
    try:
        service(item=item, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, success)
    return redirect(item)


@require_POST
def item_accept(request: HttpRequest, item_id: int) -> HttpResponse:
    return _review(request, item_id, services.news_item_accept, _("Der Beitrag ist angenommen."))


@require_POST
def item_decline(request: HttpRequest, item_id: int) -> HttpResponse:
    return _review(request, item_id, services.news_item_decline, _("Der Beitrag ist abgelehnt."))


# --- issues (editorial team) -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def issue_create(request: HttpRequest) -> HttpResponse:
    require_editor(request.user)
    form = IssueForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, _("Die Ausgabe ist als Entwurf angelegt."))
            return redirect(issue)
    return render(
        request,
        "newsletter/issue_form.html",
        {"form": form, "issue": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def issue_edit(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id, edit=True)
    if issue.is_published:
        messages.error(request, _("Eine erschienene Ausgabe bleibt, wie sie erschienen ist."))
        return redirect(issue)
    initial = {"title": issue.title, "editorial": issue.editorial, "items": issue.items.all()}
    form = IssueForm(*_bound(request), initial=initial, issue=issue)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_update(issue=issue, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(error, form)
        else:
            messages.success(request, _("Die Ausgabe ist gespeichert."))
            return redirect(issue)
    return render(
        request,
        "newsletter/issue_form.html",
        {"form": form, "issue": issue},
        status=400 if form.errors else 200,
    )


@require_GET
def issue_preview_html(request: HttpRequest, issue_id: int) -> HttpResponse:
    """The mail's HTML part as subscribers get it (with a sample unsubscribe link)."""
    issue = get_issue_for(request.user, issue_id, edit=True)
    rendered = mails.IssueMail.render(issue)
    _text, html = rendered.personal("#abmelden")
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@require_GET
def issue_preview_text(request: HttpRequest, issue_id: int) -> HttpResponse:
    """The mail's plain-text part, as subscribers get it."""
    issue = get_issue_for(request.user, issue_id, edit=True)
    rendered = mails.IssueMail.render(issue)
    text, _html = rendered.personal(_("(persönlicher Abmeldelink)"))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
def issue_send(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id, edit=True)
    if issue.is_published:
        return redirect("newsletter:issue-progress", issue_id=issue.pk)
    if request.method == "POST":
        try:
            count = services.issue_send(issue=issue, by=request.user)
        except ValidationError as error:
            _messages_from(request, error)
            return redirect(issue)
        messages.success(
            request,
            _("Die Ausgabe ist erschienen; %(count)s Mails gehen im Hintergrund hinaus.")
            % {"count": count},
        )
        return redirect("newsletter:issue-progress", issue_id=issue.pk)
    return render(
        request,
        "newsletter/issue_send.html",
        {
            "issue": issue,
            "recipients": selectors.confirmed_count(),
            "items": selectors.issue_items(issue),
        },
    )


@require_GET
def issue_progress(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id, edit=True)
    if not issue.is_published:
        return redirect(issue)
    context = {
        "issue": issue,
        "progress": selectors.progress(issue),
        "stalled": services.is_stalled(issue),
        "resent": list(issue.deliveries.filter(resent=True).values_list("email", flat=True)),
        "failed": list(issue.deliveries.filter(state="failed").values_list("email", "error")[:50]),
    }
    template = "newsletter/_progress.html" if request.htmx else "newsletter/issue_progress.html"
    return render(request, template, context)


@require_POST
def issue_resume(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id, edit=True)
    if services.issue_sending_resume(issue=issue, by=request.user):
        messages.success(request, _("Der Versand wird fortgesetzt."))
    else:
        messages.info(request, _("Der Versand läuft; es gibt nichts fortzusetzen."))
    return redirect("newsletter:issue-progress", issue_id=issue.pk)
