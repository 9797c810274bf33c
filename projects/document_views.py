"""Documents of results and lead projects (PDF, the archive PDF/A, ODT), and a result's
attachments beyond the upload: replace, remove. Who may have them is decided exactly as for
the pages they come from (``projects.permissions``): a team-only project's documents are as
hidden as its pages, a draft's as its text."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects import documents
from projects.models import Result, ResultAttachment
from projects.permissions import (
    EDIT_RESULTS,
    get_copy_for,
    get_project_for,
    get_result_for,
    reads_drafts,
    without_drafts,
)
from workspace.attachments import AttachmentForm, attachment_remove, attachment_store
from workspace.documents import audience_of
from workspace.documents.store import DocumentKey
from workspace.documents.views import LONG_TEXT_CHARACTERS, document_response, requested_format
from workspace.files import protected_file_response


def _result(request: HttpRequest, result_id: int, owner: dict, perm: str | None = None):
    if "municipality" in owner:
        return get_copy_for(request.user, owner["municipality"], result_id, perm=perm)
    return get_result_for(request.user, owner["slug"], result_id, perm=perm)


def _version(request: HttpRequest, result: Result) -> int:
    value = request.GET.get("version", "")
    if not value:
        return result.revision
    try:
        return int(value)
    except ValueError as error:
        raise Http404 from error


@require_GET
def result_document(request: HttpRequest, result_id: int, fmt: str, **owner) -> HttpResponse:
    """``…/pdf/``, ``…/pdf/?archiv=1``, ``…/odt/``; ``?version=n`` for an older version."""
    result, access = _result(request, result_id, owner)
    version = _version(request, result)
    history = result.history.all() if reads_drafts(access) else without_drafts(result.history.all())
    row = history.filter(revision=version).only("revision", "body").first()
    if row is None:
        raise Http404
    key = DocumentKey(
        "projects.documents.build_result", result.pk, version, audience_of(request.user)
    )
    return document_response(
        request,
        key=key,
        fmt=requested_format(request, fmt),
        build=lambda: documents.build_result(key.pk, key.version, key.audience),
        filename=f"{result.title} – Version {version}",
        background=len(row.body) > LONG_TEXT_CHARACTERS,
        back_url=result.get_absolute_url(),
    )


@require_GET
def project_dossier(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """A lead project's dossier, made by the background worker."""
    project, access = get_project_for(request.user, slug)
    # The team (and the office) read the drafts, and every name of their own project.
    audience = documents.TEAM if reads_drafts(access) else audience_of(request.user)
    key = DocumentKey(
        "projects.documents.build_dossier", project.pk, documents.dossier_state(project), audience
    )
    return document_response(
        request,
        key=key,
        fmt=requested_format(request, fmt),
        build=lambda: documents.build_dossier(key.pk, key.version, key.audience),
        filename=f"Dossier {project.title}",
        background=True,
        back_url=project.get_absolute_url(),
    )


# --- attachments ------------------------------------------------------------------------------


def _where(result: Result) -> str:
    return _("Ergebnis „%(title)s“") % {"title": result.title}


@require_POST
def attachment_upload(request: HttpRequest, result_id: int, **owner) -> HttpResponse:
    result, _access = _result(request, result_id, owner, perm=EDIT_RESULTS)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
        return redirect(result)
    try:
        attachment = attachment_store(
            attachment=ResultAttachment(result=result),
            file_field="file",
            upload=form.cleaned_data["file"],
            by=request.user,
            where=_where(result),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if attachment.is_pending:
            messages.warning(
                request,
                _(
                    "Der Anhang ist hochgeladen und wartet „in Prüfung“ auf die Virenprüfung; "
                    "er erscheint, sobald sie ihn freigibt."
                ),
            )
        else:
            messages.success(request, _("Der Anhang ist hochgeladen."))
    return redirect(result)


def _attachment(result: Result, attachment_id: int) -> ResultAttachment:
    return get_object_or_404(ResultAttachment, pk=attachment_id, result=result)


@require_GET
def attachment_download(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    """A clean attachment, current or of an older version (the history keeps it); one still
    in Prüfung is nobody's yet."""
    result, _access = _result(request, result_id, owner)
    attachment = _attachment(result, attachment_id)
    if attachment.is_pending:
        raise Http404
    # An image is shown inline (in the text); everything else is a download. SVG never inline.
    inline = attachment.is_image
    return protected_file_response(
        attachment.file,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
        download=not inline,
    )


@require_POST
def attachment_replace(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    result, _access = _result(request, result_id, owner, perm=EDIT_RESULTS)
    old = _attachment(result, attachment_id)
    form = AttachmentForm(request.POST, request.FILES)
    if old.is_removed or not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
        return redirect(result)
    try:
        attachment_store(
            attachment=ResultAttachment(result=result),
            file_field="file",
            upload=form.cleaned_data["file"],
            by=request.user,
            where=_where(result),
            replaces=old,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("„%(name)s“ ist ersetzt; frühere Versionen behalten die alte Datei.")
            % {"name": old.name},
        )
    return redirect(result)


@require_POST
def attachment_delete(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    result, _access = _result(request, result_id, owner, perm=EDIT_RESULTS)
    attachment = _attachment(result, attachment_id)
    attachment_remove(attachment=attachment, by=request.user)
    messages.success(
        request,
        _("„%(name)s“ ist entfernt; die Versionen, zu denen er gehörte, behalten ihn.")
        % {"name": attachment.name},
    )
    return redirect(result)
