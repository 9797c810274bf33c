"""Documents of guides: a guide at any version as PDF (the archive copy PDF/A-3a) and ODT, its
images from its own attachments (``workspace.documents.versions``, as for results). Who may
have which version is decided by the views (``network.guides.permissions``: a planned guide's
body is its editors')."""

from __future__ import annotations

from django.utils.translation import gettext as _

from network.guides.models import Guide
from workspace.documents import Document
from workspace.documents.versions import (  # noqa: F401 – image_resolver: apps.py registers it
    image_resolver,
    version_document,
)


def build_guide(pk: int, version: int, audience: str) -> Document:
    """``Guide`` ``pk`` as it was at ``version``, for ``audience``."""
    return version_document(
        Guide.objects.get(pk=pk),
        version,
        audience,
        owner=_("Leitfaden des Netzwerks Smart Cities: Schule"),
        licence=_("Lizenz: nicht festgelegt; Nutzung in den Kommunen des Netzwerks"),
        fallback_name="leitfaden",
    )
