"""Pages of the core: the start page, municipalities, the own account and health."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from workspace import legal as legal_pages
from workspace import mail, selectors, services
from workspace.access import decide, require_login
from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log
from workspace.forms import (
    BarrierReportForm,
    KernPasswordChangeForm,
    LegalPageForm,
    MunicipalityFilterForm,
    OffboardingForm,
    ProfileForm,
    TextGuardMixin,
    form_errors_from,
)
from workspace.hooks import sections_for
from workspace.models import LegalPage, Municipality, OutgoingMail
from workspace.pagination import paginate
from workspace.permissions import is_network_office, may_manage_staff
from workspace.personal_data import personal_data_json, personal_data_summary
from workspace.ratelimit import rate_limited

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "overview": selectors.network_overview(),
        "pioneers": list(
            Municipality.objects.pioneers().select_related("district").order_by("name", "pk")
        ),
        "sections": sections_for("home", request),
    }
    return render(request, "workspace/home.html", context)


MUNICIPALITIES_PER_PAGE = 50


@require_GET
def municipality_list(request: HttpRequest) -> HttpResponse:
    filters = MunicipalityFilterForm(request.GET or None)
    district = filters.cleaned_data.get("kreis") if filters.is_valid() else None
    members = selectors.network_members()
    if district is not None:
        members = members.filter(district=district)
    page = paginate(request, members, per_page=MUNICIPALITIES_PER_PAGE)
    return render(
        request,
        "workspace/municipality_list.html",
        {"page": page, "municipalities": list(page.object_list), "filters": filters},
    )


@require_GET
def municipality_detail(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(
        Municipality.objects.select_related("cohort", "district"), slug=slug
    )
    return render(
        request,
        "workspace/municipality_detail.html",
        {
            "municipality": municipality,
            "sections": sections_for("municipality_detail", request, municipality),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(selectors.active_memberships_of(user))
    has_function = len(memberships) == 1
    initial = {
        "display_name": user.display_name or user.get_display_name(),
        "public_name": user.public_name,
        "language": user.language,
        "mail_frequency": user.mail_frequency,
        "function": memberships[0].function if has_function else "",
    }
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        has_function=has_function,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            messages.success(request, _("Ihre Angaben sind gespeichert."))
            return redirect("account")
    return render(
        request,
        "workspace/account.html",
        {
            "memberships": memberships,
            "form": form,
            "sections": sections_for("account", request, user),
        },
        status=400 if form.errors else 200,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = KernPasswordChangeForm
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        from workspace.identity.services import user_session_moved

        old_key = self.request.session.session_key
        response = super().form_valid(form)  # keeps this session, under a new key
        user_session_moved(request=self.request, user=form.user, old_key=old_key)
        messages.success(self.request, _("Ihr Passwort ist geändert."))
        return response


def _reports_a_barrier(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and request.resolver_match.kwargs.get("kind") == LegalPage.Kind.ACCESSIBILITY
    )


@require_http_methods(["GET", "POST"])
@rate_limited(
    "barrier_report",
    title=gettext_lazy("Erklärung zur Barrierefreiheit"),
    counts=_reports_a_barrier,
)
def legal(request: HttpRequest, kind: str) -> HttpResponse:
    """One of the four legal pages; the accessibility statement carries the feedback form."""
    shown = legal_pages.legal_page(kind)
    form = None
    if kind == LegalPage.Kind.ACCESSIBILITY:
        form = BarrierReportForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            legal_pages.barrier_report(**form.cleaned_data)
            messages.success(
                request,
                _("Danke! Ihre Meldung ist bei der Geschäftsstelle angekommen."),
            )
            return redirect(request.path)
    elif request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "workspace/legal.html",
        {"shown": shown, "form": form, "is_office": is_network_office(request.user)},
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def legal_edit(request: HttpRequest, kind: str) -> HttpResponse:
    decide(
        request.user,
        acts=is_network_office(request.user),
        refusal=_("Diese Seiten pflegt die Geschäftsstelle."),
    )
    shown = legal_pages.legal_page(kind)
    form = LegalPageForm(
        request.POST if request.method == "POST" else None,
        initial={"title": shown.title, "body": shown.body},
    )
    if request.method == "POST" and form.is_valid():
        legal_pages.legal_page_update(kind=kind, by=request.user, **form.cleaned_data)
        messages.success(request, _("Die Seite ist gespeichert."))
        return redirect(reverse(f"legal-{kind}"))
    return render(
        request,
        "workspace/legal_form.html",
        {"shown": shown, "form": form},
        status=400 if form.errors else 200,
    )


def _municipality_to_manage(request: HttpRequest, slug: str) -> Municipality:
    require_login(request.user)
    municipality = get_object_or_404(Municipality, slug=slug)
    decide(
        request.user,
        acts=may_manage_staff(request.user, municipality),
        refusal=_(
            "Die Mitarbeitenden verwaltet die Ansprechperson der Kommune oder die Geschäftsstelle."
        ),
    )
    return municipality


@require_GET
def staff_list(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _municipality_to_manage(request, slug)
    return render(
        request,
        "workspace/staff_list.html",
        {"municipality": municipality, **selectors.staff_of(municipality)},
    )


@require_http_methods(["GET", "POST"])
def staff_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = _municipality_to_manage(request, slug)
    membership = get_object_or_404(municipality.memberships.active().select_related("user"), pk=pk)
    person = membership.user
    form = OffboardingForm(
        request.POST if request.method == "POST" else None,
        candidates=selectors.successor_candidates(municipality, exclude=person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            handovers = services.membership_end(
                membership=membership, by=request.user, successor=form.cleaned_data["successor"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Die Mitarbeit von %(name)s ist beendet.") % {"name": person.get_display_name()}
                + (
                    " " + _("Übergeben: %(list)s.") % {"list": "; ".join(h.what for h in handovers)}
                    if handovers
                    else ""
                ),
            )
            return redirect("staff-list", slug=municipality.slug)
    return render(
        request,
        "workspace/staff_end.html",
        {
            "municipality": municipality,
            "membership": membership,
            "person": person,
            "handovers": services.offboarding_preview(person=person),
            "last_membership": not person.memberships.active().exclude(pk=membership.pk).exists(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# Entries of each kind on the readable page; the download holds all of them.
MY_DATA_LATEST = 10


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything stored about the person, readable (Art. 15 GDPR): each kind with its number
    and its latest entries; the download below holds every entry."""
    return render(
        request,
        "workspace/my_data.html",
        {"kinds": personal_data_summary(request.user, latest=MY_DATA_LATEST)},
    )


@login_required
@require_GET
def my_data_json(request: HttpRequest) -> HttpResponse:
    """The same as a JSON download, for taking it elsewhere (Art. 20 GDPR)."""
    security_log(
        kind=SecurityEvent.Kind.DATA_EXPORTED,
        account=request.user,
        by=request.user,
        request=request,
    )
    text = personal_data_json(
        request.user, head={"erstellt": timezone.now().isoformat(), "person": request.user.username}
    )
    response = HttpResponse(text, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="meine-daten-klassenraum.json"'
    response["Cache-Control"] = "no-store"
    return response


async def _channel_layer_round_trip() -> None:
    """Send one message to a fresh channel and read it back: nothing is left behind."""
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.probe"})
    await asyncio.wait_for(layer.receive(channel), timeout=2)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Health of each part. 503 only when the database is unreachable."""
    parts = {"database": "ok", "channel_layer": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("Healthz: Datenbank nicht erreichbar")
        parts["database"] = "unreachable"
        status = 503
    try:
        async_to_sync(_channel_layer_round_trip)()
    except Exception:
        logger.warning("Healthz: Kanalschicht nicht erreichbar", exc_info=True)
        parts["channel_layer"] = "degraded"
    overall = "ok" if status == 200 and parts["channel_layer"] == "ok" else "degraded"
    if status == 503:
        overall = "unavailable"
    return JsonResponse({"status": overall, **parts}, status=status)


class _PasswordResetForm(TextGuardMixin, auth_forms.PasswordResetForm):
    """Django's form, sending through ``workspace.mail``: a mail server that is down delays
    the link (the worker tries again), it is never dropped with only a log line."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        mail.send(
            mail.build(
                subject=render_to_string(subject_template_name, context),
                body=render_to_string(email_template_name, context),
                html=render_to_string(html_email_template_name, context)
                if html_email_template_name
                else None,
                to=[to_email],
                from_email=from_email,
            )
        )


@method_decorator(
    rate_limited("password_reset", title=gettext_lazy("Passwort vergessen")), name="dispatch"
)
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset flow, with absolute links built from ``SITE_URL`` (not the Host header)."""

    form_class = _PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        return {"site_url": settings.SITE_URL}


def _office_only(request: HttpRequest) -> None:
    decide(
        request.user,
        acts=is_network_office(request.user),
        refusal=_("Den Postausgang sieht die Geschäftsstelle."),
    )


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Mails that did not go out at once: waiting for the worker, or given up."""
    _office_only(request)
    return render(
        request, "workspace/outbox.html", {"mails": OutgoingMail.objects.for_office()[:500]}
    )


@require_http_methods(["POST"])
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    _office_only(request)
    outgoing = get_object_or_404(OutgoingMail, pk=pk)
    mail.outgoing_mail_resend(outgoing=outgoing)
    messages.success(request, _("Die Mail wird erneut versucht."))
    return redirect("outbox")
