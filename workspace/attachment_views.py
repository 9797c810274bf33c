"""What an attachment's pages answer, once the app's own view has decided who may ask.

Results and guides (and whatever text gets attachments next) share these answers: the app
looks its text up through its access helper and hands over the text, the empty attachment row
of its kind and the phrase that names the text in the office's mails.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from workspace.attachments import AttachmentForm, attachment_remove, attachment_store
from workspace.files import protected_file_response


def upload_answer(
    request: HttpRequest,
    *,
    text: models.Model,
    blank: models.Model,
    where: str,
    replaces: models.Model | None = None,
) -> HttpResponse:
    """Store the posted file as ``blank`` (a new row of the kind, tied to ``text``), checked
    and scanned; ``replaces`` names the attachment it takes the place of."""
    form = AttachmentForm(request.POST, request.FILES)
    if (replaces is not None and replaces.is_removed) or not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
        return redirect(text)
    try:
        attachment = attachment_store(
            attachment=blank,
            file_field="file",
            upload=form.cleaned_data["file"],
            by=request.user,
            where=where,
            replaces=replaces,
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
        elif replaces is not None:
            messages.success(
                request,
                _("„%(name)s“ ist ersetzt; frühere Versionen behalten die alte Datei.")
                % {"name": replaces.name},
            )
        else:
            messages.success(request, _("Der Anhang ist hochgeladen."))
    return redirect(text)


def remove_answer(request: HttpRequest, *, text: models.Model, attachment) -> HttpResponse:
    attachment_remove(attachment=attachment, by=request.user)
    messages.success(
        request,
        _("„%(name)s“ ist entfernt; die Versionen, zu denen er gehörte, behalten ihn.")
        % {"name": attachment.name},
    )
    return redirect(text)


def download_answer(attachment) -> HttpResponse:
    """A clean attachment, current or of an older version (the history keeps it); one still
    in Prüfung is nobody's yet. An image is shown inline (in the text), everything else is a
    download; SVG is no allowed image, so never inline."""
    if attachment.is_pending:
        raise Http404
    return protected_file_response(
        attachment.file,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
        download=not attachment.is_image,
    )
