"""A guide's documents (PDF, the archive PDF/A, ODT) and its attachments: upload, download,
replace, remove. A planned guide's body — and so its documents and attachments — is its
editors' only (``network.guides.permissions``), exactly like its page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from network.guides.models import Guide, GuideAttachment
from network.guides.permissions import get_guide_for
from workspace.attachment_views import download_answer, remove_answer, upload_answer
from workspace.documents.versions import version_response


@require_GET
def guide_document(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """``…/pdf/``, ``…/pdf/?archiv=1``, ``…/odt/``; ``?version=n`` for an older version."""
    guide, access = get_guide_for(request.user, slug, body=True)
    return version_response(
        request,
        guide,
        fmt,
        reads_hidden=access.can_read_planned_versions,
        builder="network.guides.documents.build_guide",
    )


def _where(guide: Guide) -> str:
    return _("Leitfaden „%(title)s“") % {"title": guide.title}


def _attachment(guide: Guide, attachment_id: int) -> GuideAttachment:
    return get_object_or_404(GuideAttachment, pk=attachment_id, guide=guide)


@require_POST
def attachment_upload(request: HttpRequest, slug: str) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    return upload_answer(
        request, text=guide, blank=GuideAttachment(guide=guide), where=_where(guide)
    )


@require_GET
def attachment_download(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, body=True)
    return download_answer(_attachment(guide, attachment_id))


@require_POST
def attachment_replace(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    old = _attachment(guide, attachment_id)
    return upload_answer(
        request, text=guide, blank=GuideAttachment(guide=guide), where=_where(guide), replaces=old
    )


@require_POST
def attachment_delete(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    return remove_answer(request, text=guide, attachment=_attachment(guide, attachment_id))
