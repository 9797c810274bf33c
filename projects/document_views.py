"""Documents of results and lead projects (PDF, the archive PDF/A, ODT), and a result's
attachments beyond the upload: replace, remove. Who may have them is decided exactly as for
the pages they come from (``projects.permissions``): a team-only project's documents are as
hidden as its pages, a draft's as its text."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
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
)
from workspace.attachment_views import download_answer, remove_answer, upload_answer
from workspace.documents import audience_of
from workspace.documents.store import DocumentKey
from workspace.documents.versions import version_response
from workspace.documents.views import document_response, requested_format


def _result(request: HttpRequest, result_id: int, owner: dict, perm: str | None = None):
    if "municipality" in owner:
        return get_copy_for(request.user, owner["municipality"], result_id, perm=perm)
    return get_result_for(request.user, owner["slug"], result_id, perm=perm)


@require_GET
def result_document(request: HttpRequest, result_id: int, fmt: str, **owner) -> HttpResponse:
    """``…/pdf/``, ``…/pdf/?archiv=1``, ``…/odt/``; ``?version=n`` for an older version."""
    result, access = _result(request, result_id, owner)
    return version_response(
        request,
        result,
        fmt,
        reads_hidden=reads_drafts(access),
        builder="projects.documents.build_result",
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
    return upload_answer(
        request, text=result, blank=ResultAttachment(result=result), where=_where(result)
    )


def _attachment(result: Result, attachment_id: int) -> ResultAttachment:
    return get_object_or_404(ResultAttachment, pk=attachment_id, result=result)


@require_GET
def attachment_download(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    result, _access = _result(request, result_id, owner)
    return download_answer(_attachment(result, attachment_id))


@require_POST
def attachment_replace(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    result, _access = _result(request, result_id, owner, perm=EDIT_RESULTS)
    old = _attachment(result, attachment_id)
    return upload_answer(
        request,
        text=result,
        blank=ResultAttachment(result=result),
        where=_where(result),
        replaces=old,
    )


@require_POST
def attachment_delete(
    request: HttpRequest, result_id: int, attachment_id: int, **owner
) -> HttpResponse:
    result, _access = _result(request, result_id, owner, perm=EDIT_RESULTS)
    return remove_answer(request, text=result, attachment=_attachment(result, attachment_id))
