"""Where uploads live: the local file system unless an S3-compatible bucket is configured."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRINT_STORAGE = (
    "import json, workspace.settings as s; print(json.dumps(s.STORAGES['default'], default=str))"
)


def storage_with(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DJANGO_"))}
    done = subprocess.run(
        [sys.executable, "-c", PRINT_STORAGE],
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_file_system_by_default():
    assert storage_with() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_moves_uploads_into_the_object_store_privately():
    storage = storage_with(S3_BUCKET="klassenraum", S3_ENDPOINT_URL="https://s3.example.org")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "klassenraum"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    # Never a public object: the app hands files out only after its own check.
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["file_overwrite"] is False
