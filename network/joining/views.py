"""Pages of joining: the join form, the office's review, invitations and the classes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from network.joining import selectors, services
from network.joining.forms import (
    AcceptForm,
    AccountSetupForm,
    DeclineForm,
    InvitationForm,
    JoinRequestForm,
)
from network.joining.models import Invitation, JoinRequest
from network.joining.permissions import get_municipality_to_invite, require_network_office
from workspace.forms import form_errors_from
from workspace.permissions import is_network_office
from workspace.ratelimit import rate_limited

# --- Join requests ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@rate_limited("join", title=gettext_lazy("Interessiert an einer Teilnahme?"))
def join(request: HttpRequest) -> HttpResponse:
    choices = selectors.join_choices(request.GET.get("kreis", ""))
    form = JoinRequestForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.join_request_submit(
                municipality=data["municipality"],
                municipality_name=data["municipality_name"],
                contact_name=data["contact_name"],
                function=data["function"],
                email=data["email"],
                message=data["message"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            return redirect("joining:thanks")
    return render(
        request,
        "joining/join.html",
        {"form": form, "choices": choices},
        status=400 if form.errors else 200,
    )


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "joining/thanks.html")


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    require_network_office(request.user)
    return render(
        request,
        "joining/request_list.html",
        {
            "open_requests": list(selectors.open_requests()),
            "decided_requests": list(selectors.decided_requests()),
        },
    )


def _request_for_office(request: HttpRequest, pk: int) -> JoinRequest:
    require_network_office(request.user)
    return get_object_or_404(
        JoinRequest.objects.select_related("municipality", "first_request", "decided_by"), pk=pk
    )


def _render_request(request: HttpRequest, join_request: JoinRequest, **forms) -> HttpResponse:
    context = {
        "join_request": join_request,
        "repeats": list(join_request.repeats.order_by("created_at")),
        "invitations": list(
            Invitation.objects.filter(join_request__in=[join_request, *join_request.repeats.all()])
        ),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "needs_district": join_request.municipality_id is None
        and not services.known_municipality(join_request.municipality_name),
    }
    status = 400 if forms else 200
    return render(request, "joining/request_detail.html", context, status=status)


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, _request_for_office(request, pk))


@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _request_for_office(request, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            invitations = services.join_request_accept(
                join_request=join_request, by=request.user, district=form.cleaned_data["district"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Angenommen: %(m)s gehört zum Netzwerk. Einladung verschickt an %(to)s.")
                % {
                    "m": invitations[0].municipality,
                    "to": ", ".join(i.email for i in invitations),
                },
            )
            return redirect(join_request.get_absolute_url())
    return _render_request(request, join_request, accept_form=form)


@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _request_for_office(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.join_request_decline(
                join_request=join_request, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Abgelehnt; die freundliche Nachricht ist verschickt."))
            return redirect(join_request.get_absolute_url())
    return _render_request(request, join_request, decline_form=form)


# --- Inviting colleagues ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_municipality_to_invite(request.user, slug)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                municipality=municipality, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Die Einladung an %(email)s ist verschickt.") % {"email": invitation.email},
            )
            return redirect("joining:invite", slug=municipality.slug)
    return render(
        request,
        "joining/invite.html",
        {
            "municipality": municipality,
            "form": form,
            "pending": list(selectors.pending_invitations(municipality)),
            "days": settings.INVITATION_VALID_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = get_municipality_to_invite(request.user, slug)
    invitation = get_object_or_404(municipality.invitations, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Die Einladung an %(email)s gilt nicht mehr.") % {"email": invitation.email}
        )
    return redirect("joining:invite", slug=municipality.slug)


# --- Taking an invitation -----------------------------------------------------------------

_UNUSABLE_STATUS = {"unknown": 404, "accepted": 410, "revoked": 410, "expired": 410}


def _unusable(request: HttpRequest, state: str) -> HttpResponse:
    return render(
        request,
        "joining/invitation_unusable.html",
        {"state": state},
        status=_UNUSABLE_STATUS[state],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = Invitation.find(token)
    if found is None or found.state != "pending":
        return _unusable(request, found.state if found else "unknown")
    has_account = services.account_exists(found.email)
    if has_account:
        return _invitation_for_account(request, found, token)
    form = AccountSetupForm(
        request.POST if request.method == "POST" else None,
        initial={
            "username": services.username_suggestion(found.email),
            "display_name": found.name,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, membership = services.invitation_accept(
                token=token,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password1"],
            )
        except services.InvitationUnusable as error:
            return _unusable(request, error.state)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _(
                    "Willkommen! Ihr Konto „%(username)s“ gehört jetzt zu %(m)s. "
                    "Bitte melden Sie sich mit Ihrem neuen Passwort an."
                )
                % {"username": user.username, "m": membership.municipality},
            )
            return redirect(f"{reverse('login')}?next={membership.municipality.get_absolute_url()}")
    return render(
        request,
        "joining/invitation.html",
        {"invitation": found, "form": form},
        status=400 if form.errors else 200,
    )


def _invitation_for_account(request: HttpRequest, found: Invitation, token: str) -> HttpResponse:
    """The address has an account already: log in with it and take the invitation."""
    user = request.user
    matches = user.is_authenticated and user.email.lower() == found.email.lower()
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            membership = services.invitation_accept_as(token=token, user=user)
        except services.InvitationUnusable as error:
            return _unusable(request, error.state)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Sie gehören jetzt zu %(m)s.") % {"m": membership.municipality}
            )
            return redirect(membership.municipality.get_absolute_url())
    return render(
        request,
        "joining/invitation_account.html",
        {"invitation": found, "matches": matches, "login_next": request.path},
    )


# --- The classes --------------------------------------------------------------------------


@require_GET
def cohorts(request: HttpRequest) -> HttpResponse:
    growth = selectors.network_growth()
    return render(
        request,
        "joining/cohorts.html",
        {
            "cohorts": selectors.cohorts_with_members(),
            "pioneers": selectors.pioneers(),
            "growth": growth,
            "chart": selectors.growth_chart(growth),
            "is_office": is_network_office(request.user),
        },
    )
