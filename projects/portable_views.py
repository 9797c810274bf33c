"""Pages of portable lead projects: the archive of a project, and importing one (issue 8)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from projects import portable
from projects.permissions import get_project_for
from workspace.access import decide
from workspace.forms import KernFormMixin, form_errors_from
from workspace.models import Municipality
from workspace.permissions import is_network_office


class ImportForm(KernFormMixin, forms.Form):
    archive = forms.FileField(
        label=gettext_lazy("Archiv (ZIP)"),
        help_text=gettext_lazy("Ein Archiv, das ein Export eines Leitprojekts erzeugt hat."),
        error_messages={"required": gettext_lazy("Bitte wählen Sie ein Archiv aus.")},
    )
    lead = forms.ModelChoiceField(
        label=gettext_lazy("Federführung"),
        queryset=Municipality.objects.members(),
        required=False,
        help_text=gettext_lazy("Nur nötig, wenn die federführende Kommune des Archivs hier fehlt."),
    )


@require_GET
def project_export(request: HttpRequest, slug: str) -> FileResponse:
    """The archive of the project, as far as the requesting user may see it."""
    project, _access = get_project_for(request.user, slug)
    archive = portable.project_export(project=project, user=request.user)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=portable.export_filename(project),
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest) -> HttpResponse:
    decide(
        request.user,
        acts=is_network_office(request.user),
        refusal=_("Leitprojekte importiert nur die Geschäftsstelle."),
    )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = portable.project_import(
                archive=form.cleaned_data["archive"],
                by=request.user,
                lead=form.cleaned_data["lead"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _(
                    "Das Leitprojekt „%(title)s“ ist importiert: %(results)s Ergebnisse mit "
                    "%(versions)s Versionen und %(attachments)s Anhängen."
                )
                % {
                    "title": outcome.project.title,
                    "results": outcome.results,
                    "versions": outcome.versions,
                    "attachments": outcome.attachments,
                },
            )
            for notice in outcome.notices():
                messages.warning(request, notice)
            return redirect(outcome.project)
    limits = portable.limits()
    return render(
        request,
        "projects/portable_import.html",
        {
            "form": form,
            "max_archive": portable.megabytes(limits["archive"]),
            "max_files": limits["files"],
            "max_unpacked": portable.megabytes(limits["unpacked"]),
        },
    )
