"""A guide's documents (PDF, the archive PDF/A, ODT) and its attachments: upload, download,
replace, remove. A planned guide's body — and so its documents and attachments — is its
editors' only (``network.guides.permissions``), exactly like its page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from network.guides import documents
from network.guides.models import Guide, GuideAttachment
from network.guides.permissions import get_guide_for, without_planned
from workspace.attachments import AttachmentForm, attachment_remove, attachment_store
from workspace.documents import audience_of
from workspace.documents.store import DocumentKey
from workspace.documents.views import LONG_TEXT_CHARACTERS, document_response, requested_format
from workspace.files import protected_file_response


@require_GET
def guide_document(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """``…/pdf/``, ``…/pdf/?archiv=1``, ``…/odt/``; ``?version=n`` for an older version."""
    guide, access = get_guide_for(request.user, slug, body=True)
    value = request.GET.get("version", "")
    try:
        version = int(value) if value else guide.revision
    except ValueError as error:
        raise Http404 from error
    history = guide.history.all()
    if not access.can_read_planned_versions:
        history = without_planned(history)
    row = history.filter(revision=version).only("revision", "body").first()
    if row is None:
        raise Http404
    key = DocumentKey(
        "network.guides.documents.build_guide", guide.pk, version, audience_of(request.user)
    )
    return document_response(
        request,
        key=key,
        fmt=requested_format(request, fmt),
        build=lambda: documents.build_guide(key.pk, key.version, key.audience),
        filename=f"{guide.title} – Version {version}",
        background=len(row.body) > LONG_TEXT_CHARACTERS,
        back_url=guide.get_absolute_url(),
    )


def _where(guide: Guide) -> str:
    return _("Leitfaden „%(title)s“") % {"title": guide.title}


def _attachment(guide: Guide, attachment_id: int) -> GuideAttachment:
    return get_object_or_404(GuideAttachment, pk=attachment_id, guide=guide)


@require_POST
def attachment_upload(request: HttpRequest, slug: str) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
        return redirect(guide)
    try:
        attachment = attachment_store(
            attachment=GuideAttachment(guide=guide),
            file_field="file",
            upload=form.cleaned_data["file"],
            by=request.user,
            where=_where(guide),
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
    return redirect(guide)


@require_GET
def attachment_download(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, body=True)
    attachment = _attachment(guide, attachment_id)
    if attachment.is_pending:
        raise Http404
    return protected_file_response(
        attachment.file,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
        download=not attachment.is_image,
    )


@require_POST
def attachment_replace(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    old = _attachment(guide, attachment_id)
    form = AttachmentForm(request.POST, request.FILES)
    if old.is_removed or not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
        return redirect(guide)
    try:
        attachment_store(
            attachment=GuideAttachment(guide=guide),
            file_field="file",
            upload=form.cleaned_data["file"],
            by=request.user,
            where=_where(guide),
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
    return redirect(guide)


@require_POST
def attachment_delete(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    guide, _access = get_guide_for(request.user, slug, edit=True)
    attachment = _attachment(guide, attachment_id)
    attachment_remove(attachment=attachment, by=request.user)
    messages.success(
        request,
        _("„%(name)s“ ist entfernt; die Versionen, zu denen er gehörte, behalten ihn.")
        % {"name": attachment.name},
    )
    return redirect(guide)
