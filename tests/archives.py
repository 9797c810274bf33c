"""Lead-project archives for tests: exported through the real service, then spoiled on purpose."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from projects import portable


def exported(project, user) -> bytes:
    with portable.project_export(project=project, user=user) as archive:
        return archive.read()


def with_manifest(data: bytes, change: Callable[[dict], None]) -> bytes:
    """``data`` with its manifest passed through ``change`` (which edits it in place)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == portable.MANIFEST:
                manifest = json.loads(content)
                change(manifest)
                content = json.dumps(manifest).encode()
            target.writestr(info.filename, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()
