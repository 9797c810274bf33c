"""Pages of guides and the glossary: parse the request, call a service or selector, render."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from network.guides import selectors, services
from network.guides.forms import GuideForm, TermForm
from network.guides.models import Guide, Term, list_lookups
from network.guides.permissions import (
    NOT_OFFICE_GUIDE,
    NOT_OFFICE_TERM,
    can_create_guide,
    can_edit_glossary,
    get_guide_for,
    get_term_for,
    linked_projects_for,
    linked_results_for,
    only_planned,
)
from projects.coedit.pages import coediting, edit_page_context
from projects.views import form_errors_from
from workspace.access import decide
from workspace.models import Topic
from workspace.pagination import PAGE_PARAM, paginate
from workspace.versioning import views as versioning
from workspace.versioning.models import StaleRevision


def _require(request: HttpRequest, allowed: bool, message) -> None:
    decide(request.user, acts=allowed, refusal=message)


# --- guides --------------------------------------------------------------------------------


GUIDES_PER_PAGE = 24
# The planned guides below the published ones have their own page number.
PLANNED_PAGE_PARAM = "bald_seite"


def _guide_lists(request: HttpRequest, topic: Topic | None = None) -> dict:
    """The published guides and, below them, the planned ones, each a page of its own (a
    network may hold thousands of guides); both pages' rows read their topics and authors
    together."""
    guides = selectors.guide_list(topic=topic)
    published = paginate(
        request,
        guides.published().order_by("-published_in", "title", "pk"),
        per_page=GUIDES_PER_PAGE,
    )
    planned = paginate(
        request,
        only_planned(guides).order_by("title", "pk"),
        per_page=GUIDES_PER_PAGE,
        param=PLANNED_PAGE_PARAM,
    )
    rows = {"published": list(published.object_list), "planned": list(planned.object_list)}
    prefetch_related_objects([*rows["published"], *rows["planned"]], *list_lookups())
    return {
        **rows,
        "published_page": published,
        "planned_page": planned,
        "planned_param": PLANNED_PAGE_PARAM,
        "topics": list(selectors.topics_with_guides()),
    }


@require_GET
def guide_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "guides/guide_list.html",
        {**_guide_lists(request), "can_create": can_create_guide(request.user)},
    )


@require_GET
def guide_topic(request: HttpRequest, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=topic_slug)
    return render(
        request, "guides/guide_topic.html", {"topic": topic, **_guide_lists(request, topic)}
    )


@require_GET
def guide_month(request: HttpRequest) -> HttpResponse:
    month = selectors.this_month()
    return render(
        request,
        "guides/guide_month.html",
        {"month": month, "guides": list(selectors.new_this_month(month=month))},
    )


def _hidden_links(guide: Guide, user) -> tuple[list, list]:
    """Links the editor may not see: kept as they are when the editor saves."""
    projects = list(guide.lead_projects.exclude(pk__in=linked_projects_for(user).values("pk")))
    results = list(guide.results.exclude(pk__in=linked_results_for(user).values("pk")))
    return projects, results


def _save_data(form: GuideForm, guide: Guide | None, user) -> dict:
    data = dict(form.cleaned_data)
    note = data.pop("note")
    data.pop("base_revision", None)
    if guide is not None:
        hidden_projects, hidden_results = _hidden_links(guide, user)
        data["lead_projects"] = [*data["lead_projects"], *hidden_projects]
        data["results"] = [*data["results"], *hidden_results]
    return {**data, "note": note}


@require_http_methods(["GET", "POST"])
def guide_create(request: HttpRequest) -> HttpResponse:
    _require(request, can_create_guide(request.user), NOT_OFFICE_GUIDE)
    form = GuideForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            guide = services.guide_create(by=request.user, **_save_data(form, None, request.user))
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Der Leitfaden ist angelegt (Version 1)."))
            return redirect(guide)
    return render(request, "guides/guide_form.html", {"form": form, "guide": None})


@require_GET
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide, access = get_guide_for(request.user, slug)
    last_change = (
        guide.history.select_related("history_user")
        .only(
            "history_date",
            "history_user__display_name",
            "history_user__username",
            "history_user__public_name",
        )
        .first()
        if access.can_read_body
        else None
    )
    return render(
        request,
        "guides/guide_detail.html",
        {
            "guide": guide,
            "access": access,
            "topics": list(guide.topics.all()),
            "authorships": list(guide.authorships.all()),
            "last_change": last_change,
            **selectors.links_of(guide, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    guide, access = get_guide_for(request.user, slug, edit=True)
    form = GuideForm(
        request.POST or None, instance=Guide.objects.get(pk=guide.pk), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        base_revision = form.cleaned_data["base_revision"]
        data = _save_data(form, guide, request.user)
        if coediting(request):  # the shared text is saved by its room, not by this form
            del data["body"]
        try:
            changed = services.guide_update(
                guide=guide, by=request.user, base_revision=base_revision, **data
            )
        except StaleRevision:
            mine = dict(form.cleaned_data)
            if coediting(request):  # the text was the room's: only the other fields differ
                mine["body"] = Guide.objects.get(pk=guide.pk).body
            return _conflict(request, guide, access, mine=mine)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if changed:
                messages.success(
                    request, _("Gespeichert als Version %(n)s.") % {"n": guide.revision}
                )
            else:
                messages.info(
                    request, _("Der Text ist unverändert; es ist keine neue Version entstanden.")
                )
            return redirect(guide)
    return render(
        request,
        "guides/guide_form.html",
        {
            "form": form,
            "guide": guide,
            "access": access,
            # With JavaScript the shared editor, beside a form of the other fields.
            **edit_page_context(
                request, socket_url=f"/ws/leitfaeden/{guide.slug}/gemeinsam/", form=form
            ),
        },
    )


HEADER = "guides/_guide_header.html"


def _conflict(request, guide: Guide, access, *, mine: dict) -> HttpResponse:
    """Someone saved in between: show both texts and their diff; nothing was written."""
    current = Guide.objects.get(pk=guide.pk)
    form = GuideForm(
        initial={**mine, "base_revision": current.revision},
        instance=current,
        user=request.user,
    )
    return versioning.conflict_page(
        request,
        current,
        mine=mine,
        form=form,
        heading=_("Der Leitfaden wurde inzwischen geändert"),
        header=HEADER,
        context={"guide": current, "access": access},
    )


@require_GET
def guide_versions(request: HttpRequest, slug: str) -> HttpResponse:
    guide, access = get_guide_for(request.user, slug, body=True)
    return versioning.versions_page(
        request,
        guide,
        reads_hidden=access.can_read_planned_versions,
        can_restore=access.can_edit,
        header=HEADER,
        context={"guide": guide, "access": access},
    )


@require_GET
def guide_compare(request: HttpRequest, slug: str) -> HttpResponse:
    guide, access = get_guide_for(request.user, slug, body=True)
    return versioning.compare_page(
        request,
        guide,
        reads_hidden=access.can_read_planned_versions,
        header=HEADER,
        context={"guide": guide, "access": access},
    )


@require_POST
def guide_restore(request: HttpRequest, slug: str) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    return versioning.restore_action(
        request, guide, restore=partial(services.guide_restore, guide=guide, by=request.user)
    )


# --- glossary ------------------------------------------------------------------------------


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """``/vokabelheft/?buchstabe=B&seite=2``: one letter of the A–Z at a time (default: the
    first with terms), in pages; a value that is no single letter is no page (404)."""
    letter = None
    if "buchstabe" in request.GET:
        letter = selectors.glossary_letter_of(request.GET["buchstabe"])
        if letter is None:
            raise Http404
    page = selectors.glossary_letter(letter, page=request.GET.get(PAGE_PARAM))
    return render(
        request,
        "guides/glossary.html",
        {"page": page, "can_edit": can_edit_glossary(request.user)},
    )


@require_GET
def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_term_for(request.user, slug)
    return render(
        request,
        "guides/term_detail.html",
        {
            "term": term,
            "related": list(term.related.only("name", "slug")),
            "guides": selectors.guides_mentioning(term),
            "glossary_url": selectors.glossary_place(term),
            "can_edit": can_edit_glossary(request.user),
        },
    )


def _term_values(form: TermForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "definition": data["definition"],
        "synonyms": data["synonyms"],
        "related": list(data["related"]),
    }


@require_http_methods(["GET", "POST"])
def term_create(request: HttpRequest) -> HttpResponse:
    _require(request, can_edit_glossary(request.user), NOT_OFFICE_TERM)
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(by=request.user, **_term_values(form))
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Der Begriff steht jetzt im Vokabelheft."))
            return redirect(term)
    return render(request, "guides/term_form.html", {"form": form, "term": None})


@require_http_methods(["GET", "POST"])
def term_edit(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_term_for(request.user, slug, edit=True)
    form = TermForm(request.POST or None, instance=Term.objects.get(pk=term.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.term_update(term=term, by=request.user, **_term_values(form))
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if changed:
                messages.success(request, _("Der Begriff ist geändert."))
            else:
                messages.info(request, _("Es gab nichts zu speichern."))
            return redirect(term)
    return render(request, "guides/term_form.html", {"form": form, "term": term})
