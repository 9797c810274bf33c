"""Uploaded files leave the app only after the view's permission check.

Behind nginx (``SENDFILE_NGINX=1``, deploy/nginx) the view answers with an empty response
carrying ``X-Accel-Redirect: /_geschuetzt/<path>``, and nginx sends the file from disk without
tying up a worker; nginx serves that location to nobody else (``internal``), and a direct
``/media/…`` request reaches only the app, which knows no such URL. Without nginx, or with a
storage that is not the local disk, the app streams the file itself.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.encoding import escape_uri_path

PROTECTED_PREFIX = "/_geschuetzt/"


def protected_file_response(
    file: FieldFile, *, filename: str, content_type: str | None = None, download: bool = True
) -> HttpResponse:
    """The answer that hands ``file`` to the person the view has just checked."""
    if settings.SENDFILE_NGINX and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = PROTECTED_PREFIX + quote(file.name)
        disposition = "attachment" if download else "inline"
        response["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{escape_uri_path(filename)}"
        )
    else:
        response = FileResponse(
            file.open("rb"), as_attachment=download, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    return response
