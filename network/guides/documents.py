"""Documents of guides: a guide at any version as PDF (the archive copy PDF/A-3a) and ODT, its
images from its own attachments. Who may have which version is decided by the views
(``network.guides.permissions``: a planned guide's body is its editors')."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from network.guides.models import Guide, GuideAttachment
from workspace.attachments import IMAGE_TYPES
from workspace.documents import Document, Image, absolute, name_for
from workspace.markdown import ATTACHMENT_SCHEME, render_markdown


def attachment_url(attachment: GuideAttachment, guide: Guide) -> str:
    return guide.url(f"anhaenge/{attachment.pk}")


def image_resolver(guide: Guide, attachments=None):
    """``anhang:<name>`` or an attachment's own address → that clean PNG or JPEG of ``guide``."""
    if attachments is None:
        attachments = list(guide.attachments.current().clean())
    images = [a for a in attachments if a.content_type in IMAGE_TYPES and not a.is_pending]
    by_name = {a.name: a for a in images}
    by_path = {attachment_url(a, guide): a for a in images}
    site = urlsplit(settings.SITE_URL)

    def resolve(source: str) -> str | None:
        if source.startswith(ATTACHMENT_SCHEME):
            found = by_name.get(unquote(source[len(ATTACHMENT_SCHEME) :]).strip())
        else:
            parts = urlsplit(source)
            local = not parts.scheme and not parts.netloc
            own_site = (parts.scheme, parts.netloc) == (site.scheme, site.netloc)
            found = by_path.get(parts.path) if (local or own_site) else None
        return attachment_url(found, guide) if found else None

    return resolve


def _images(guide: Guide, attachments) -> dict[str, Image]:
    def reader(attachment):
        def read() -> bytes:
            with attachment.file.open("rb") as handle:
                return handle.read()

        return read

    return {
        attachment_url(a, guide): Image(reader(a), a.content_type)
        for a in attachments
        if a.content_type in IMAGE_TYPES and not a.is_pending
    }


def build_guide(pk: int, version: int, audience: str) -> Document:
    """``Guide`` ``pk`` as it was at ``version``, for ``audience``."""
    guide = Guide.objects.get(pk=pk)
    row = guide.history.select_related("history_user").get(revision=version)
    following = guide.history.filter(revision=version + 1).only("history_date").first()
    attachments = list(
        guide.attachments.clean().present_between(
            row.history_date, following.history_date if following else None
        )
    )
    body = render_markdown(row.body, images=image_resolver(guide, attachments))
    listing = render_to_string("projects/documents/_attachments.html", {"attachments": attachments})
    author = name_for(row.history_user, audience) or _("unbekannt")
    return Document(
        title=row.title,
        subtitle=row.summary,
        body=mark_safe(body + listing),  # noqa: S308 – both are rendered safe above
        filename=f"{slugify(row.title) or 'leitfaden'}-version-{version}",
        footer=[
            _("Leitfaden des Netzwerks Smart Cities: Schule"),
            _("Version %(n)s vom %(date)s, von %(author)s")
            % {
                "n": version,
                "date": formats.date_format(row.history_date, "DATE_FORMAT"),
                "author": author,
            },
            _("Lizenz: nicht festgelegt; Nutzung in den Kommunen des Netzwerks"),
            absolute(guide.get_absolute_url()),
        ],
        images=_images(guide, attachments),
    )
