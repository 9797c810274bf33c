"""Pages of lead projects: parse the request, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import selectors, services
from projects.forms import (
    LeadProjectForm,
    ProjectFilterForm,
    StatusChangeForm,
    TeamAddForm,
    TeamRoleForm,
)
from projects.models import LeadProject, TeamMembership
from projects.permissions import CHANGE, MANAGE_TEAM, can_create_project, get_project_for
from workspace.hooks import sections_for


def _form_errors_from(error: ValidationError, form) -> None:
    """Show a service's validation error on the form it came from."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    filters = ProjectFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    projects = selectors.project_list(
        user=request.user,
        status=criteria.get("status", ""),
        topic=criteria.get("topic"),
        municipality=criteria.get("municipality"),
    )
    return render(
        request,
        "projects/project_list.html",
        {
            "projects": list(projects),
            "filters": filters,
            "can_create": can_create_project(request.user),
        },
    )


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
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not can_create_project(request.user):
        raise PermissionDenied(
            _("Leitprojekte legen die Pionierkommunen und die Geschäftsstelle an.")
        )
    form = LeadProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            project = services.project_create(by=request.user, **data)
        except ValidationError as error:
            _form_errors_from(error, form)
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
            _form_errors_from(error, form)
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
            _form_errors_from(error, form)
        else:
            messages.success(request, _("Der Stand des Leitprojekts ist geändert."))
            return redirect(project)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    if not transitions:
        messages.error(
            request, _("Von diesem Stand aus dürfen Sie das Leitprojekt nicht weiterführen.")
        )
    return redirect(project)


@require_GET
def project_team(request: HttpRequest, slug: str) -> HttpResponse:
    project, access = get_project_for(request.user, slug)
    return render(
        request,
        "projects/project_team.html",
        {
            "project": project,
            "access": access,
            "team": selectors.team_of(project),
            "add_form": TeamAddForm() if access.can_manage_team else None,
            "roles": TeamMembership.Role.choices,
        },
    )


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
            _form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("%(name)s gehört jetzt zum Team.")
                % {"name": form.cleaned_data["person"].get_display_name()},
            )
            return redirect("projects:team", slug=project.slug)
    return render(
        request,
        "projects/project_team.html",
        {
            "project": project,
            "access": access,
            "team": selectors.team_of(project),
            "add_form": form,
            "roles": TeamMembership.Role.choices,
        },
        status=400,
    )


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
