"""Pages of the network's dates: parse the request, call a service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from network.dates import ics, selectors, services
from network.dates.forms import (
    AppointmentForm,
    ScheduleForm,
    SeriesForm,
    SuggestionForm,
    form_started_token,
)
from network.dates.models import Appointment, FeedToken, TopicSuggestion
from network.dates.permissions import (
    can_manage,
    can_register,
    get_appointment_for,
    require_login,
    require_office,
    user_for_feed_token,
)
from workspace.clients import client_address
from workspace.forms import form_errors_from
from workspace.pagination import paginate
from workspace.ratelimit import rate_limited

DATES_PER_PAGE = 20
PAST_ON_LIST = 10


def _messages_from(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _kind(request: HttpRequest) -> str | None:
    kind = request.GET.get("art")
    return kind if kind in Appointment.Kind.values else None


# --- the list and each date ------------------------------------------------------------------


@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    """The dates to come, ``DATES_PER_PAGE`` a page (``?seite=``, beside the kind ``?art=``), and
    the latest few that are over. Seats and the visitor's own registrations are read for the
    page's dates only, so a page costs the same queries for ten dates and ten thousand."""
    kind = _kind(request)
    page = paginate(request, selectors.upcoming(kind=kind), per_page=DATES_PER_PAGE)
    appointments = selectors.with_counts(page.object_list)
    registrations = selectors.registrations_of(request.user, appointments)
    for appointment in appointments:
        appointment.my_registration = registrations.get(appointment.pk)
    return render(
        request,
        "dates/appointment_list.html",
        {
            "page": page,
            "appointments": appointments,
            "past": selectors.past(kind=kind, limit=PAST_ON_LIST),
            "kind": kind,
            "kinds": Appointment.Kind,
            "can_manage": can_manage(request.user),
        },
    )


@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for(request.user, pk)
    now = timezone.now()
    registration = None
    if request.user.is_authenticated:
        registration = appointment.registrations.active().filter(user=request.user).first()
    manage = can_manage(request.user)
    confirmed, waiting = selectors.participants(appointment)
    return render(
        request,
        "dates/appointment_detail.html",
        {
            "appointment": appointment,
            "topics": list(appointment.topics.all()),
            "registration": registration,
            "can_register": can_register(request.user),
            "can_manage": manage,
            "confirmed_count": len(confirmed),
            "waiting_count": len(waiting),
            "participants": confirmed if manage else None,
            "waiting_list": waiting if manage else None,
            "open_for_registration": appointment.takes_registrations
            and not appointment.has_started(now),
            "video_visible": appointment.video_link_visible(now),
            "video_from": appointment.video_link_from(),
            "ics_url": reverse("dates:ics", kwargs={"pk": appointment.pk}),
        },
    )


def _appointment_form_page(request: HttpRequest, appointment: Appointment | None):
    form = AppointmentForm(request.POST or None, instance=appointment)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in AppointmentForm.Meta.fields}
        data["topics"] = list(data["topics"])
        try:
            if appointment is None:
                appointment = services.appointment_create(by=request.user, **data)
                message = _("Der Termin ist angelegt.")
            else:
                appointment = services.appointment_update(
                    by=request.user, appointment=appointment, **data
                )
                message = _("Der Termin ist gespeichert.")
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, message)
            return redirect(appointment)
    return render(
        request,
        "dates/appointment_form.html",
        {"form": form, "appointment": appointment},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    return _appointment_form_page(request, None)


@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for(request.user, pk, manage=True)
    return _appointment_form_page(request, appointment)


# --- registration ----------------------------------------------------------------------------


@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for(request.user, pk, register=True)
    try:
        registration = services.registration_create(appointment=appointment, user=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        if registration.status == registration.Status.CONFIRMED:
            messages.success(request, _("Sie sind angemeldet."))
        else:
            messages.info(
                request,
                _(
                    "Alle Plätze sind vergeben: Sie stehen auf der Warteliste. Wird ein Platz "
                    "frei, rücken Sie nach und bekommen eine E-Mail."
                ),
            )
    return redirect(appointment)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    # Whoever is registered may always cancel, even after leaving the network.
    require_login(request.user)
    appointment = get_appointment_for(request.user, pk)
    try:
        services.registration_cancel(appointment=appointment, user=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Sie sind abgemeldet."))
    return redirect(appointment)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    require_login(request.user)
    feed = FeedToken.objects.filter(user=request.user).first()
    return render(
        request,
        "dates/mine.html",
        {
            "registrations": selectors.my_registrations(request.user),
            "feed_url": f"{settings.SITE_URL}{feed.get_absolute_url()}" if feed else None,
        },
    )


@require_POST
def feed_token_renew(request: HttpRequest) -> HttpResponse:
    require_login(request.user)
    existed = FeedToken.objects.filter(user=request.user).exists()
    services.feed_token_renew(user=request.user)
    if existed:
        messages.success(
            request,
            _("Die Kalenderadresse ist erneuert. Die alte Adresse funktioniert nicht mehr."),
        )
    else:
        messages.success(request, _("Ihre persönliche Kalenderadresse ist erzeugt."))
    return redirect("dates:mine")


# --- series of Pausenhof dates ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest) -> HttpResponse:
    """Plan a series: the first POST shows the dates (preview), "Anlegen" creates them."""
    require_office(request.user)
    form = SeriesForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            preview = services.series_slots(
                first_day=data["first_day"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                interval_weeks=data["interval_weeks"],
                count=data["count"],
            )
            previewed = request.POST.get("vorschau_von") == _fingerprint(data)
            if "anlegen" in request.POST and not previewed:
                messages.warning(
                    request,
                    _("Die Angaben haben sich geändert. Bitte prüfen Sie die neue Vorschau."),
                )
            elif "anlegen" in request.POST:
                services.series_create(by=request.user, **data)
                messages.success(request, _("%(n)s Termine sind angelegt.") % {"n": len(preview)})
                return redirect(reverse("dates:list") + "?art=pausenhof")
        except ValidationError as error:
            form_errors_from(error, form)
            preview = None
    return render(
        request,
        "dates/series_form.html",
        {
            "form": form,
            "preview": preview,
            "fingerprint": _fingerprint(form.cleaned_data) if preview else "",
        },
        status=400 if form.errors else 200,
    )


def _fingerprint(data: dict) -> str:
    """What the preview showed, so "Anlegen" creates exactly the dates that were previewed."""
    return salted_hmac("network.dates.series", repr(sorted(data.items()))).hexdigest()


# --- topic suggestions -----------------------------------------------------------------------


def _sender_hash(request: HttpRequest) -> str:
    """A keyed hash of the sender's address: enough to count, nothing to store about a person."""
    address = client_address(request)
    return salted_hmac("network.dates.sender", address).hexdigest() if address else ""


@require_http_methods(["GET", "POST"])
@rate_limited("suggestion", title=gettext_lazy("Ein Thema für den Pausenhof vorschlagen"))
def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_trap:
            # Bots are thanked like people, so they learn nothing; nothing is stored.
            messages.success(request, _("Vielen Dank für Ihren Vorschlag!"))
            return redirect("dates:suggest")
        try:
            services.suggestion_submit(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                by=request.user,
                sender_hash=_sender_hash(request),
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Vielen Dank für Ihren Vorschlag! Die Geschäftsstelle plant ihn ein."),
            )
            return redirect("dates:suggest")
    return render(
        request,
        "dates/suggest.html",
        {"form": form, "started": form_started_token()},
        status=400 if form.errors else 200,
    )


@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    open_, handled = selectors.suggestions()
    return render(
        request,
        "dates/suggestion_list.html",
        {"open": open_, "handled": handled, "schedule_form": ScheduleForm()},
    )


@require_POST
def suggestion_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    require_office(request.user)
    suggestion = get_object_or_404(TopicSuggestion, pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie einen kommenden Pausenhof-Termin."))
        return redirect("dates:suggestions")
    try:
        services.suggestion_schedule(
            by=request.user, suggestion=suggestion, appointment=form.cleaned_data["appointment"]
        )
    except ValidationError as error:
        _messages_from(request, error)
        return redirect("dates:suggestions")
    messages.success(request, _("Der Vorschlag ist eingeplant."))
    return redirect(form.cleaned_data["appointment"])


@require_POST
def suggestion_decline(request: HttpRequest, pk: int) -> HttpResponse:
    require_office(request.user)
    suggestion = get_object_or_404(TopicSuggestion, pk=pk)
    try:
        services.suggestion_decline(by=request.user, suggestion=suggestion)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Der Vorschlag ist abgelehnt."))
    return redirect("dates:suggestions")


# --- calendars -------------------------------------------------------------------------------


def _ics_response(body: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for(request.user, pk)
    body = ics.calendar([appointment], name=appointment.title)
    return _ics_response(body, f"termin-{appointment.pk}.ics")


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """All dates for a calendar subscription, in a window (``selectors.feed``): those that ended
    within ``FEED_PAST`` (90 days; at most the latest ``FEED_PAST_MAX``, 30) and the next
    ``FEED_UPCOMING_MAX`` (150) to come. A calendar program fetches the feed again every few
    hours, so later dates arrive as they move up; older ones stay on /termine/."""
    body = ics.calendar(selectors.feed(), name=_("Smart Cities: Schule – Termine"))
    return _ics_response(body, "termine.ics")


@require_GET
def feed_kind(request: HttpRequest, kind: str) -> HttpResponse:
    """One kind's dates, in the same window as :func:`feed`."""
    if kind not in Appointment.Kind.values:
        raise Http404
    label = Appointment.Kind(kind).label
    body = ics.calendar(
        selectors.feed(kind=kind), name=_("Smart Cities: Schule – %(kind)s") % {"kind": label}
    )
    return _ics_response(body, f"{kind}.ics")


@never_cache
@require_GET
def feed_personal(request: HttpRequest, token: str) -> HttpResponse:
    """A person's registrations, in the same window as :func:`feed` (``selectors.personal_feed``)."""
    user = user_for_feed_token(token)
    appointments, registrations = selectors.personal_feed(user)
    body = ics.calendar(
        appointments, name=_("Meine Termine – Klassenraum"), registrations=registrations
    )
    return _ics_response(body, "meine-termine.ics", private=True)
