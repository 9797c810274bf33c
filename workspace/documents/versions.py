"""A versioned text (a result, a guide) at one version as a document.

What both kinds share is here once: the images a text may show are its own clean PNG and JPEG
attachments, named ``anhang:<name>`` or by their own address; a version's document shows the
attachments that belonged to that version (from its date to the next version's) and lists them
after the text. The kind adds its footer lines (whose text it is, the licence). Which versions
a reader may have is the versioning core's rule (``history_for``, with the kind's hidden
versions); the kind's view says only whether this reader reads the hidden ones.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from workspace.attachments import IMAGE_TYPES
from workspace.documents import Document, Image, absolute, audience_of, name_for
from workspace.documents.store import DocumentKey
from workspace.documents.views import LONG_TEXT_CHARACTERS, document_response, requested_format
from workspace.markdown import ATTACHMENT_SCHEME, ImageResolver, render_markdown
from workspace.versioning.selectors import history_for


def attachment_url(attachment, text) -> str:
    """The address of ``text``'s ``attachment`` (its download)."""
    return text.url(f"anhaenge/{attachment.pk}")


def _shown(attachments) -> list:
    """The attachments a text may show as images: clean PNG and JPEG files."""
    return [a for a in attachments if a.content_type in IMAGE_TYPES and not a.is_pending]


def image_resolver(text, attachments=None) -> ImageResolver:
    """Resolve ``anhang:<name>`` or an attachment's own address to that attachment, if it is
    a clean PNG or JPEG of ``text`` (the current ones unless ``attachments`` are given)."""
    if attachments is None:
        attachments = list(text.attachments.current().clean())
    images = _shown(attachments)
    by_name = {a.name: a for a in images}
    by_path = {attachment_url(a, text): a for a in images}
    site = urlsplit(settings.SITE_URL)

    def resolve(source: str) -> str | None:
        if source.startswith(ATTACHMENT_SCHEME):
            found = by_name.get(unquote(source[len(ATTACHMENT_SCHEME) :]).strip())
        else:
            parts = urlsplit(source)
            local = not parts.scheme and not parts.netloc
            own_site = (parts.scheme, parts.netloc) == (site.scheme, site.netloc)
            found = by_path.get(parts.path) if (local or own_site) else None
        return attachment_url(found, text) if found else None

    return resolve


def images_of(text, attachments) -> dict[str, Image]:
    """The images a document of ``text`` may show, by the address its body names them with,
    read only when the document is rendered."""

    def reader(attachment):
        def read() -> bytes:
            with attachment.file.open("rb") as handle:
                return handle.read()

        return read

    return {attachment_url(a, text): Image(reader(a), a.content_type) for a in _shown(attachments)}


def version_document(
    text, version: int, audience: str, *, owner: str, licence: str, fallback_name: str
) -> Document:
    """``text`` as it was at ``version``, for ``audience`` (names by the public-name rule).

    ``owner`` and ``licence`` are the kind's footer lines around the version's own (number,
    date, author); ``fallback_name`` names the file of a version without a title."""
    row = text.history.select_related("history_user").get(revision=version)
    following = text.history.filter(revision=version + 1).only("history_date").first()
    attachments = list(
        text.attachments.clean().present_between(
            row.history_date, following.history_date if following else None
        )
    )
    body = render_markdown(row.body, images=image_resolver(text, attachments))
    listing = render_to_string("projects/documents/_attachments.html", {"attachments": attachments})
    author = name_for(row.history_user, audience) or _("unbekannt")
    return Document(
        title=row.title,
        subtitle=row.summary,
        body=mark_safe(body + listing),  # noqa: S308 – both are rendered safe above
        filename=f"{slugify(row.title) or fallback_name}-version-{version}",
        footer=[
            owner,
            _("Version %(n)s vom %(date)s, von %(author)s")
            % {
                "n": version,
                "date": formats.date_format(row.history_date, "DATE_FORMAT"),
                "author": author,
            },
            licence,
            absolute(text.get_absolute_url()),
        ],
        images=images_of(text, attachments),
    )


def version_response(
    request: HttpRequest, text, fmt: str, *, reads_hidden: bool, builder: str
) -> HttpResponse:
    """The document of ``text`` at the version the request asks for (``?version=n``, else the
    current one; ``?archiv=1`` for the archive PDF), made by ``builder`` (the dotted path of
    the kind's ``(pk, version, audience)`` function). A version the reader may not see (a
    hidden one, unless ``reads_hidden``) is a 404, as is a number that names no version."""
    value = request.GET.get("version", "")
    try:
        version = int(value) if value else text.revision
    except ValueError as error:
        raise Http404 from error
    history = history_for(text, reads_hidden=reads_hidden)
    row = history.filter(revision=version).only("revision", "body").first()
    if row is None:
        raise Http404
    key = DocumentKey(builder, text.pk, version, audience_of(request.user))
    return document_response(
        request,
        key=key,
        fmt=requested_format(request, fmt),
        build=lambda: import_string(key.builder)(key.pk, key.version, key.audience),
        filename=f"{text.title} – Version {version}",
        background=len(row.body) > LONG_TEXT_CHARACTERS,
        back_url=text.get_absolute_url(),
    )
