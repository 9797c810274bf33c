"""Pages of lead projects: parse the request, call a service or selector, render."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import fragments, selectors, services
from projects.coedit.pages import coediting, edit_page_context
from projects.forms import (
    AdoptionStatusForm,
    AttachmentForm,
    LeadProjectForm,
    ProjectFilterForm,
    RestoreForm,
    ResultForm,
    StatusChangeForm,
    TeamAddForm,
    TeamRoleForm,
)
from projects.models import (
    LeadProject,
    Result,
    ResultAttachment,
    StaleRevision,
    TeamMembership,
)
from projects.permissions import (
    CHANGE,
    EDIT_RESULTS,
    MANAGE_TEAM,
    can_create_project,
    get_copy_for,
    get_project_for,
    get_result_for,
    reads_drafts,
    results_visible_in,
    visible_templates,
)
from workspace.access import decide
from workspace.files import protected_file_response
from workspace.forms import form_errors_from
from workspace.fragments import cached, store
from workspace.hooks import sections_for
from workspace.pagination import paginate
from workspace.versioning import views as versioning

PROJECTS_PER_PAGE = 25


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    # Visitors get the list from the shared cache, without a query of its own.
    key = fragments.project_list_key(request)
    body = cached(key) if key else None
    if body is None:
        filters = ProjectFilterForm(request.GET or None)
        criteria = filters.cleaned_data if filters.is_valid() else {}
        projects = selectors.project_list(
            user=request.user,
            status=criteria.get("status", ""),
            topic=criteria.get("topic"),
            municipality=criteria.get("municipality"),
        )
        page = paginate(request, projects, per_page=PROJECTS_PER_PAGE)
        context = {
            "page": page,
            "projects": list(page.object_list),
            "filters": filters,
            "can_create": can_create_project(request.user),
        }
        # A filter value that names nothing is answered but not kept: only the few real
        # combinations of filters are cached.
        if key is None or filters.errors:
            return render(request, "projects/project_list.html", context)
        body = render_to_string("projects/_project_list_body.html", context, request)
        store(key, body)
    return render(request, "projects/project_list.html", {"body": body})


@require_GET
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project, access = get_project_for(request.user, slug)
    transitions = (
        services.allowed_transitions(project=project, by=request.user) if access.can_change else []
    )
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "access": access,
            "team": selectors.team_of(project),
            "activities": selectors.recent_activity(project),
            "topics": list(project.topics.all()),
            "participants": list(project.participants.all()),
            "status_form": StatusChangeForm(choices=transitions) if transitions else None,
            "sections": sections_for("project_detail", request, project),
            "results": list(results_visible_in(project, access).active().order_by("title")),
            "adoptions": list(selectors.adoption_register(user=request.user, project=project)),
            "live_url": f"/ws/leitprojekte/{project.slug}/"
            if request.user.is_authenticated
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    decide(
        request.user,
        acts=can_create_project(request.user),
        refusal=_("Leitprojekte legen die Pionierkommunen und die Geschäftsstelle an."),
    )
    form = LeadProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            project = services.project_create(by=request.user, **data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Das Leitprojekt ist angelegt."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project, _access = get_project_for(request.user, slug, perm=CHANGE)
    form = LeadProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics, participants = data.pop("topics"), data.pop("participants")
        try:
            changed = services.project_update(
                # The form has already written its values into ``project``; the service
                # compares against the stored row, so it gets a fresh copy.
                project=LeadProject.objects.get(pk=project.pk),
                by=request.user,
                topics=topics,
                participants=participants,
                **data,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if changed:
                messages.success(request, _("Ihre Änderungen sind gespeichert."))
            else:
                messages.info(request, _("Es gab nichts zu speichern."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@require_POST
def project_status(request: HttpRequest, slug: str) -> HttpResponse:
    project, _access = get_project_for(request.user, slug, perm=CHANGE)
    transitions = services.allowed_transitions(project=project, by=request.user)
    form = StatusChangeForm(request.POST, choices=transitions)
    if form.is_valid():
        try:
            services.project_change_status(
                project=project,
                by=request.user,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Der Stand des Leitprojekts ist geändert."))
            return redirect(project)
    requested = request.POST.get("to", "")
    if services.agreement_decides(project, requested):
        messages.error(request, _("Diesen Schritt geht nur ein Beschluss des Steuerkreises."))
    elif (project.status, requested) in services.TRANSITIONS and requested not in transitions:
        # A step that exists, but only the network office takes it: say so, instead of the
        # form's "agreed ist keine gültige Auswahl" with the internal value.
        messages.error(
            request,
            _("Diesen Schritt im Ablauf des Leitprojekts darf nur die Geschäftsstelle gehen."),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if not transitions:
        messages.error(
            request, _("Von diesem Stand aus dürfen Sie das Leitprojekt nicht weiterführen.")
        )
    return redirect(project)


def _team_page(request, project, access, *, add_form=None, status: int = 200) -> HttpResponse:
    if add_form is None and access.can_manage_team:
        add_form = TeamAddForm()
    return render(
        request,
        "projects/project_team.html",
        {
            "project": project,
            "access": access,
            "team": selectors.team_of(project),
            "add_form": add_form,
            "roles": TeamMembership.Role.choices,
        },
        status=status,
    )


@require_GET
def project_team(request: HttpRequest, slug: str) -> HttpResponse:
    project, access = get_project_for(request.user, slug)
    return _team_page(request, project, access)


@require_POST
def team_add(request: HttpRequest, slug: str) -> HttpResponse:
    project, access = get_project_for(request.user, slug, perm=MANAGE_TEAM)
    form = TeamAddForm(request.POST)
    if form.is_valid():
        try:
            services.team_member_add(
                project=project,
                by=request.user,
                user=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("%(name)s gehört jetzt zum Team.")
                % {"name": form.cleaned_data["person"].get_display_name()},
            )
            return redirect("projects:team", slug=project.slug)
    return _team_page(request, project, access, add_form=form, status=400)


def _membership_for(request: HttpRequest, slug: str, member_id: int):
    project, _access = get_project_for(request.user, slug, perm=MANAGE_TEAM)
    return get_object_or_404(
        TeamMembership.objects.select_related("user"), pk=member_id, project=project
    )


@require_POST
def team_role(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = _membership_for(request, slug, member_id)
    form = TeamRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine der angebotenen Rollen."))
        return redirect("projects:team", slug=slug)
    try:
        services.team_member_change_role(
            membership=membership, by=request.user, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Die Rolle von %(name)s ist geändert.")
            % {"name": membership.user.get_display_name()},
        )
    return redirect("projects:team", slug=slug)


@require_POST
def team_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = _membership_for(request, slug, member_id)
    try:
        services.team_member_remove(membership=membership, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s gehört nicht mehr zum Team.")
            % {"name": membership.user.get_display_name()},
        )
    return redirect("projects:team", slug=slug)


# --- living results -------------------------------------------------------------------


def _get(request: HttpRequest, result_id: int, owner: dict, perm: str | None = None):
    """The result behind the URL: a project's result, or a municipality's adopted copy."""
    if "municipality" in owner:
        return get_copy_for(request.user, owner["municipality"], result_id, perm=perm)
    return get_result_for(request.user, owner["slug"], result_id, perm=perm)


def _result_context(result: Result, access) -> dict:
    context = {"project": result.project, "result": result, "access": access}
    if result.is_copy:
        context["adoption"] = result.adoption
    return context


def _live_context(request: HttpRequest, result: Result, *, mode: str = "viewing") -> dict:
    """What a result page's live region needs (logged-in users only; sockets need a login)."""
    if not request.user.is_authenticated or result.is_copy:
        return {}
    slug, pk = result.project.slug, result.pk
    query = "?modus=bearbeiten" if mode == "editing" else ""
    return {
        "live_url": f"/ws/leitprojekte/{slug}/ergebnisse/{pk}/{query}",
        "live_revision": result.revision,
        "live_mode": mode,
        "live_partial_url": f"{result.get_absolute_url()}?teil=inhalt",
        "live_compare_url": reverse(
            "projects:result-compare", kwargs={"slug": slug, "result_id": pk}
        ),
    }


def _reuse_context(result: Result, access) -> dict:
    """A copy shows where it came from and what changed upstream; a project's result shows
    whether it is a template."""
    if result.is_copy:
        adoption = result.adoption
        return {
            "upstream": services.upstream_change(adoption),
            "offers": list(adoption.offers.select_related("decided_by")),
            "status_form": AdoptionStatusForm(
                initial={"status": adoption.status, "experience": adoption.experience}
            )
            if access.can_edit_results
            else None,
        }
    # Through the same visibility rule as the catalogue: an internal template is not even
    # mentioned to anonymous visitors.
    return {
        "template": visible_templates(access.user)
        .filter(result=result)
        .select_related("recommended")
        .first()
    }


@require_http_methods(["GET", "POST"])
def result_create(request: HttpRequest, slug: str) -> HttpResponse:
    project, access = get_project_for(request.user, slug, perm=EDIT_RESULTS)
    form = ResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = services.result_create(
            project=project,
            by=request.user,
            note=data["note"],
            **{name: data[name] for name in services.RESULT_FIELDS},
        )
        messages.success(request, _("Das Ergebnis ist angelegt (Version 1)."))
        return redirect(result)
    return render(
        request,
        "projects/result_form.html",
        {"project": project, "access": access, "result": None, "form": form},
    )


@require_GET
def result_detail(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, access = _get(request, result_id, owner)
    if request.GET.get("teil") == "inhalt":
        # What a live page fetches after a reconnect: the same partial as the page.
        return render(request, "projects/_result_body.html", {"result": result})
    last_change = (
        result.history.select_related("history_user")
        .only(
            "history_date",
            "history_change_reason",
            "history_user__display_name",
            "history_user__public_name",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
        )
        .first()
    )
    return render(
        request,
        "projects/result_detail.html",
        {
            **_result_context(result, access),
            **_live_context(request, result),
            "sections": sections_for("result_detail", request, result),
            **_reuse_context(result, access),
            "last_change": last_change,
            "attachments": list(result.attachments.all()),
            "attachment_form": AttachmentForm() if access.can_edit_results else None,
        },
    )


@require_http_methods(["GET", "POST"])
def result_edit(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, access = _get(request, result_id, owner, perm=EDIT_RESULTS)
    form = ResultForm(request.POST or None, instance=Result.objects.get(pk=result.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.RESULT_FIELDS}
        if coediting(request):  # COEDIT: the shared text is saved by its room
            del fields["body"]  # COEDIT
        try:
            changed = services.result_update(
                result=result,
                by=request.user,
                base_revision=data["base_revision"],
                note=data["note"],
                **fields,
            )
        except StaleRevision:
            fields.setdefault("body", Result.objects.get(pk=result.pk).body)  # COEDIT
            return _conflict(request, result, access, mine=fields, note=data["note"])
        if changed:
            messages.success(request, _("Gespeichert als Version %(n)s.") % {"n": result.revision})
        else:
            messages.info(
                request, _("Es gab nichts zu speichern; es ist keine neue Version entstanden.")
            )
        return redirect(result)
    return render(
        request,
        "projects/result_form.html",
        {
            **_result_context(result, access),
            **_live_context(request, result, mode="editing"),
            # COEDIT: with JavaScript the shared editor, beside a form of the other fields.
            **edit_page_context(
                request,
                socket_url=None
                if result.is_copy
                else f"/ws/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/gemeinsam/",
                form=form,
            ),
            "form": form,
        },
    )


RESULT_HEADER = "projects/_result_header.html"


def _conflict(request, result: Result, access, *, mine: dict, note: str) -> HttpResponse:
    """Someone saved in between: show both texts and their diff; nothing was written."""
    current = Result.objects.get(pk=result.pk)
    form = ResultForm(
        initial={**mine, "note": note, "base_revision": current.revision}, instance=current
    )
    return versioning.conflict_page(
        request,
        current,
        mine=mine,
        form=form,
        heading=_("Das Ergebnis wurde inzwischen geändert"),
        header=RESULT_HEADER,
        context=_result_context(current, access),
    )


@require_GET
def result_versions(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, access = _get(request, result_id, owner)
    return versioning.versions_page(
        request,
        result,
        reads_hidden=reads_drafts(access),
        can_restore=access.can_edit_results,
        header=RESULT_HEADER,
        context=_result_context(result, access),
    )


@require_GET
def result_compare(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, access = _get(request, result_id, owner)
    return versioning.compare_page(
        request,
        result,
        reads_hidden=reads_drafts(access),
        header=RESULT_HEADER,
        context=_result_context(result, access),
    )


@require_POST
def result_restore(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, _access = _get(request, result_id, owner, perm=EDIT_RESULTS)
    return versioning.restore_action(
        request, result, restore=partial(services.result_restore, result=result, by=request.user)
    )


@require_POST
def result_archive(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, _access = _get(request, result_id, owner, perm=EDIT_RESULTS)
    form = RestoreForm({"revision": 1, "base_revision": request.POST.get("base_revision")})
    if not form.is_valid():
        messages.error(request, _("Die Seite war veraltet. Bitte versuchen Sie es noch einmal."))
        return redirect(result)
    try:
        services.result_archive(
            result=result, by=request.user, base_revision=form.cleaned_data["base_revision"]
        )
    except StaleRevision:
        messages.error(
            request, _("Das Ergebnis wurde inzwischen geändert. Bitte prüfen Sie es erst.")
        )
    else:
        messages.success(
            request, _("Das Ergebnis ist archiviert. Es bleibt mit allen Versionen lesbar.")
        )
    return redirect(result)


@require_POST
def attachment_upload(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, _access = _get(request, result_id, owner, perm=EDIT_RESULTS)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                result=result, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Der Anhang ist hochgeladen."))
    else:
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
    return redirect(result)


@require_GET
def attachment_download(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    result, _access = _get(request, result_id, owner)
    attachment = get_object_or_404(ResultAttachment, pk=attachment_id, result=result)
    return protected_file_response(attachment.file, filename=attachment.name)
