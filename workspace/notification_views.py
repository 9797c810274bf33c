"""Pages of notifications (``/benachrichtigungen/``): the list, marking read, following,
mail choices and the one-click unsubscribe. Parse, call ``workspace.notifications``, render."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workspace import notifications
from workspace.access import require_login
from workspace.forms import KernFormMixin
from workspace.hooks import visibility_rules
from workspace.models import Notification, NotificationKind

PAGE_SIZE = 25


def _login_required(request: HttpRequest) -> None:
    require_login(request.user)


class MailKindsForm(KernFormMixin, forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("E-Mails erhalten zu"),
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Was Sie hier abwählen, sehen Sie weiter unter „Benachrichtigungen“, "
            "aber nicht mehr per E-Mail."
        ),
    )


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    _login_required(request)
    user = request.user
    page = Paginator(notifications.notifications_for(user), PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    opted_out = notifications.opted_out_kinds(user)
    return render(
        request,
        "workspace/notifications.html",
        {
            "page": page,
            "notifications": list(page.object_list),
            "unread": notifications.unread_count(user),
            "mail_form": MailKindsForm(
                initial={"kinds": [k for k in NotificationKind.values if k not in opted_out]}
            ),
        },
    )


def _own(request: HttpRequest, notification_id: int) -> Notification:
    _login_required(request)
    notification = (
        Notification.objects.filter(pk=notification_id, recipient=request.user)
        .filter(notifications.visible_condition(request.user))
        .first()
    )
    if notification is None:
        raise Http404
    return notification


@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go to what it is about."""
    notification = _own(request, notification_id)
    notifications.notification_read(notification=notification, by=request.user)
    return redirect(notification.url)


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _own(request, notification_id)
    notifications.notification_read(notification=notification, by=request.user)
    return redirect("notifications:list")


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    _login_required(request)
    marked = notifications.notifications_read_all(by=request.user)
    if marked:
        messages.success(request, _("Alle Benachrichtigungen sind als gelesen markiert."))
    return redirect("notifications:list")


@require_POST
def mail_kinds(request: HttpRequest) -> HttpResponse:
    _login_required(request)
    form = MailKindsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie nur Arten aus der Liste."))
        return redirect("notifications:list")
    notifications.mail_kinds_set(user=request.user, kinds=form.cleaned_data["kinds"])
    messages.success(request, _("Ihre Auswahl der E-Mails ist gespeichert."))
    return redirect("notifications:list")


# The one view of notifications without CSRF protection: mail programs unsubscribe with a
# POST of "List-Unsubscribe=One-Click" (RFC 8058) that carries neither session nor CSRF
# token. The signed token in the address is the permission; all a forged request could do is
# stop mails of one kind to the person the token names.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        return render(request, "workspace/notifications_unsubscribe.html", {}, status=404)
    user, kind = found
    done = False
    if request.method == "POST":
        notifications.mail_unsubscribe(user=user, kind=kind)
        done = True
    label = (
        _("alle Benachrichtigungen")
        if kind == notifications.ALL_KINDS
        else NotificationKind(kind).label
    )
    return render(
        request,
        "workspace/notifications_unsubscribe.html",
        {
            "found": True,
            "done": done,
            "already": not done and notifications.is_unsubscribed(user, kind),
            "label": label,
        },
    )


def _followable(request: HttpRequest, model: str, pk: int):
    """The object behind ``app_label.model`` and ``pk`` if its app made it followable and the
    user may see it; otherwise 404 (login first for the anonymous)."""
    _login_required(request)
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError) as error:
        raise Http404 from error
    visible = visibility_rules().get(model_class)
    if visible is None:
        raise Http404
    obj = visible(request.user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _back(request: HttpRequest, obj) -> HttpResponse:
    target = request.POST.get("weiter", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = obj.get_absolute_url()
    return redirect(target)


@require_POST
def follow(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    obj = _followable(request, model, pk)
    notifications.follow(user=request.user, target=obj)
    messages.success(
        request, _("Sie folgen „%(title)s“ und werden benachrichtigt.") % {"title": obj}
    )
    return _back(request, obj)


@require_POST
def unfollow(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    obj = _followable(request, model, pk)
    notifications.unfollow(user=request.user, target=obj)
    messages.success(request, _("Sie folgen „%(title)s“ nicht mehr.") % {"title": obj})
    return _back(request, obj)


app_name = "notifications"
urlpatterns = [
    path("", notification_list, name="list"),
    path("<int:notification_id>/oeffnen/", notification_open, name="open"),
    path("<int:notification_id>/gelesen/", notification_read, name="read"),
    path("alle-gelesen/", notifications_read_all, name="read-all"),
    path("e-mail/", mail_kinds, name="mail"),
    path("abbestellen/<str:token>/", unsubscribe, name="unsubscribe"),
    path("folgen/<str:model>/<int:pk>/", follow, name="follow"),
    path("entfolgen/<str:model>/<int:pk>/", unfollow, name="unfollow"),
]


def follow_section(request: HttpRequest, obj) -> dict | None:
    """The follow button on a page of ``obj`` (``workspace.hooks.register_section``); one
    query, left out for the anonymous visitor."""
    if obj is None or not request.user.is_authenticated:
        return None
    return {
        "target": obj,
        "model": obj._meta.label_lower,
        "following": notifications.is_following(request.user, obj),
        "back": request.get_full_path(),
    }
