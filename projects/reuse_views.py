"""Pages of reuse: the template catalogue, adopting, following the source, offering back.

Kept apart from ``views.py`` (projects, teams, results), which had grown long enough.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import selectors, services
from projects.forms import (
    AdoptForm,
    AdoptionStatusForm,
    DeclineForm,
    OfferForm,
    RestoreForm,
    TakeOverForm,
    TemplateFilterForm,
    TemplateForm,
)
from projects.models import Offer, Result, StaleRevision
from projects.permissions import (
    CHANGE,
    EDIT_RESULTS,
    get_copy_for,
    get_result_for,
    get_template_for,
    is_source_team,
)
from workspace.access import decide, refuse
from workspace.diff import diff_texts, merge_texts
from workspace.forms import form_errors_from
from workspace.hooks import sections_for  # NOTIFY
from workspace.models import Municipality
from workspace.pagination import paginate
from workspace.permissions import is_member_or_office

TEMPLATES_PER_PAGE = 25
REGISTER_PER_PAGE = 50
# The register below the catalogue has its own page number, so paging one keeps the other.
REGISTER_PAGE_PARAM = "register_seite"


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    filters = TemplateFilterForm(request.GET or None, user=request.user)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    templates = paginate(
        request,
        selectors.template_catalogue(
            user=request.user,
            topic=criteria.get("topic"),
            project=criteria.get("project"),
            municipality=criteria.get("municipality"),
            maturity=criteria.get("maturity", ""),
        ),
        per_page=TEMPLATES_PER_PAGE,
    )
    register = paginate(
        request,
        selectors.adoption_register(user=request.user),
        per_page=REGISTER_PER_PAGE,
        param=REGISTER_PAGE_PARAM,
    )
    return render(
        request,
        "projects/template_list.html",
        {
            "page": templates,
            "templates": selectors.with_adoption_counts(templates.object_list),
            "filters": filters,
            "register_page": register,
            "register": list(register.object_list),
        },
    )


def _adoptable_for(user, template) -> list[Municipality]:
    """Member municipalities ``user`` works for that have not adopted ``template`` yet."""
    if not user.is_authenticated:
        return []
    return list(
        Municipality.objects.members()
        .filter(memberships__user=user, memberships__ended_on__isnull=True)
        .exclude(adoptions__template=template)
        .distinct()
    )


@require_GET
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_template_for(request.user, template_id)
    municipalities = _adoptable_for(request.user, template)
    source_team = is_source_team(request.user, template.result.project)
    return render(
        request,
        "projects/template_detail.html",
        {
            "template": template,
            "result": template.result,
            "sections": sections_for("template_detail", request, template),  # NOTIFY
            "register": list(selectors.adoption_register(user=request.user, template=template)),
            "adopt_form": AdoptForm(
                municipalities=Municipality.objects.filter(pk__in=[m.pk for m in municipalities])
            )
            if municipalities
            else None,
            "offers": list(
                Offer.objects.filter(
                    adoption__template=template, status=Offer.Status.OPEN
                ).select_related("adoption__municipality", "offered_by")
            )
            if source_team
            else [],
        },
    )


@require_POST
@login_required
def template_adopt(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_template_for(request.user, template_id)
    municipalities = _adoptable_for(request.user, template)
    if not municipalities:
        refuse(
            request.user,
            _(
                "Nachnutzen können Mitarbeitende einer Mitgliedskommune, die diese Vorlage noch nicht nutzt."
            ),
        )
    form = AdoptForm(
        request.POST,
        municipalities=Municipality.objects.filter(pk__in=[m.pk for m in municipalities]),
    )
    if not form.is_valid():
        refuse(request.user, _("Sie können nur für Ihre eigene Kommune nachnutzen."))
    try:
        adoption = services.adoption_create(
            template=template, municipality=form.cleaned_data["municipality"], by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(template)
    messages.success(
        request,
        _(
            "Ihre Kommune nutzt die Vorlage jetzt nach. Das ist Ihre eigene Fassung: Sie können sie anpassen."
        ),
    )
    return redirect(adoption.copy)


@require_http_methods(["GET", "POST"])
def result_publish(request: HttpRequest, slug: str, result_id: int) -> HttpResponse:
    result, access = get_result_for(request.user, slug, result_id)
    decide(
        request.user,
        acts=access.has(CHANGE),
        refusal=_(
            "Als Vorlage veröffentlichen die Koordination des Leitprojekts und die Geschäftsstelle."
        ),
    )
    existing = getattr(result, "template", None)
    initial = (
        {
            "licence": existing.licence,
            "recommended_revision": existing.recommended.revision,
            "prerequisites": existing.prerequisites,
            "effort": existing.effort,
            "contact": existing.contact,
        }
        if existing
        else {"recommended_revision": result.revision}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_publish(
                result=result, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Die Vorlage ist veröffentlicht."))
            return redirect(template)
    return render(
        request,
        "projects/template_form.html",
        {"result": result, "project": result.project, "access": access, "form": form},
    )


def _copy(request, municipality: str, result_id: int):
    result, access = get_copy_for(request.user, municipality, result_id, perm=EDIT_RESULTS)
    return result, access, result.adoption


@require_http_methods(["GET", "POST"])
def copy_take_over(request: HttpRequest, municipality: str, result_id: int) -> HttpResponse:
    copy, access, adoption = _copy(request, municipality, result_id)
    change = services.upstream_change(adoption)
    if change is None:
        messages.info(request, _("Die Vorlage hat sich seit Ihrer Version nicht geändert."))
        return redirect(copy)
    old, new = change
    if request.method == "POST":
        form = TakeOverForm(request.POST)
        if form.is_valid():
            try:
                services.adoption_take_over(
                    adoption=adoption,
                    by=request.user,
                    base_revision=form.cleaned_data["base_revision"],
                    body=form.cleaned_data["body"],
                )
            except StaleRevision:
                messages.error(
                    request,
                    _(
                        "Ihre Nachnutzung wurde inzwischen geändert. Bitte prüfen Sie den Vorschlag neu."
                    ),
                )
                return redirect(copy.url("uebernehmen"))
            messages.success(
                request,
                _("Die Änderung der Vorlage ist übernommen (Version %(n)s Ihrer Nachnutzung).")
                % {"n": Result.objects.get(pk=copy.pk).revision},
            )
            return redirect(copy)
    merge = merge_texts(
        old.body,
        copy.body,
        new.body,
        ours_label=_("Ihre Fassung"),
        theirs_label=_("Vorlage, Version %(n)s") % {"n": new.revision},
    )
    if request.method == "GET":
        form = TakeOverForm(initial={"body": merge.text, "base_revision": copy.revision})
    return render(
        request,
        "projects/copy_take_over.html",
        {
            "result": copy,
            "access": access,
            "adoption": adoption,
            "old": old,
            "new": new,
            "diff": diff_texts(old.body, new.body),
            "merge": merge,
            "form": form,
        },
    )


@require_POST
def copy_dismiss(request: HttpRequest, municipality: str, result_id: int) -> HttpResponse:
    copy, _access, adoption = _copy(request, municipality, result_id)
    services.adoption_dismiss(adoption=adoption, by=request.user)
    messages.info(
        request,
        _(
            "Ihre Nachnutzung bleibt, wie sie ist. Diese Änderung der Vorlage wird nicht mehr angezeigt."
        ),
    )
    return redirect(copy)


@require_POST
def copy_status(request: HttpRequest, municipality: str, result_id: int) -> HttpResponse:
    copy, _access, adoption = _copy(request, municipality, result_id)
    form = AdoptionStatusForm(request.POST)
    if form.is_valid():
        services.adoption_set_status(adoption=adoption, by=request.user, **form.cleaned_data)
        messages.success(request, _("Der Stand der Nachnutzung ist gespeichert."))
    else:
        if form.has_error("status"):
            messages.error(request, _("Bitte wählen Sie einen der angebotenen Stände."))
        for error in form.errors.get("experience", []):
            messages.error(request, error)
    return redirect(copy)


@require_http_methods(["GET", "POST"])
def copy_offer(request: HttpRequest, municipality: str, result_id: int) -> HttpResponse:
    copy, access, adoption = _copy(request, municipality, result_id)
    source = adoption.template.result
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_create(adoption=adoption, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Ihr Angebot ist beim Team der Vorlage angekommen."))
            return redirect(copy)
    return render(
        request,
        "projects/copy_offer.html",
        {
            "result": copy,
            "access": access,
            "adoption": adoption,
            "source": source,
            "diff": diff_texts(source.body, copy.body),
            "form": form,
        },
    )


def _offer(request, template_id: int, offer_id: int):
    template = get_template_for(request.user, template_id)
    # Offers are deliberations between municipalities: read like adopted copies, by the staff
    # of member municipalities and the network office.
    decide(request.user, sees=is_member_or_office(request.user))
    offer = get_object_or_404(
        Offer.objects.select_related(
            "adoption__municipality", "copy_row", "base_row", "offered_by", "decided_by"
        ),
        pk=offer_id,
        adoption__template=template,
    )
    return template, offer


@require_GET
@login_required
def offer_detail(request: HttpRequest, template_id: int, offer_id: int) -> HttpResponse:
    template, offer = _offer(request, template_id, offer_id)
    source = template.result
    decides = is_source_team(request.user, source.project) and offer.status == Offer.Status.OPEN
    return render(
        request,
        "projects/offer_detail.html",
        {
            "template": template,
            "result": source,
            "offer": offer,
            "diff": diff_texts(source.body, offer.copy_row.body),
            "decides": decides,
            "decline_form": DeclineForm() if decides else None,
        },
    )


def _decider(request, template_id: int, offer_id: int):
    template, offer = _offer(request, template_id, offer_id)
    if not is_source_team(request.user, template.result.project):
        refuse(request.user, _("Über Angebote entscheidet das Team der Vorlage."))
    return template, offer


@require_POST
@login_required
def offer_accept(request: HttpRequest, template_id: int, offer_id: int) -> HttpResponse:
    template, offer = _decider(request, template_id, offer_id)
    form = RestoreForm({"revision": 1, "base_revision": request.POST.get("base_revision")})
    base_revision = form.cleaned_data["base_revision"] if form.is_valid() else 0
    try:
        services.offer_accept(offer=offer, by=request.user, base_revision=base_revision)
    except StaleRevision:
        messages.error(
            request, _("Die Vorlage wurde inzwischen geändert. Bitte prüfen Sie das Angebot neu.")
        )
        return redirect("templates:offer", template_id=template.pk, offer_id=offer.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("templates:offer", template_id=template.pk, offer_id=offer.pk)
    messages.success(request, _("Das Angebot ist angenommen und eine neue Version der Vorlage."))
    return redirect(template.result)


@require_POST
@login_required
def offer_decline(request: HttpRequest, template_id: int, offer_id: int) -> HttpResponse:
    template, offer = _decider(request, template_id, offer_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.offer_decline(offer=offer, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Das Angebot ist abgelehnt; die Kommune sieht Ihre Begründung.")
            )
            return redirect(template)
    elif form.has_error("note", "required"):
        messages.error(request, _("Bitte sagen Sie der Kommune kurz, warum."))
    else:
        for error in form.errors["note"]:
            messages.error(request, error)
    return redirect("templates:offer", template_id=template.pk, offer_id=offer.pk)
