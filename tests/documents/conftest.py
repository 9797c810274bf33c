"""Documents and attachments: a project with a result and a guide, uploads through the pages,
a real clamd on loopback with a signature made here, and LibreOffice with its own profile."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import format_html
from PIL import Image as PillowImage

from network.guides import services as guide_services
from network.guides.models import Guide
from projects import services
from projects.models import Result, TeamMembership
from tests.projects.factories import lead_project
from workspace.documents import Document
from workspace.documents.pdf import render_pdf

# The file clamd is taught to find: its MD5 signature is written into clamd's database here
# (the official signatures need the internet, and without them EICAR is not found either).
INFECTED = b"Klassenraum-Testdatei: dieser Inhalt gilt dem Scanner als Schadsoftware.\n"
SIGNATURE = "Klassenraum.Testsignatur"


def png_bytes(colour: str = "red", size=(64, 32)) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(text: str) -> bytes:
    body = format_html("<p>{}</p>", text)
    return render_pdf(Document(title="Anlage", body=body, filename="anlage"))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLAMD_ADDRESS = ""


@pytest.fixture
def project(coordinator, menden, editor):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        team=[(editor, TeamMembership.Role.EDITOR)],
    )


@pytest.fixture
def result(project, editor) -> Result:
    return services.result_create(
        project=project,
        by=editor,
        title="Datenmodell Schulweg",
        maturity=Result.Maturity.TESTED,
        body="## Ziele\n\n- Sichere Wege\n- Offene Daten\n\nFassung eins.",
    )


@pytest.fixture
def guide(office, coordinator) -> Guide:
    return guide_services.guide_create(
        by=office,
        title="Schulwege sicher planen",
        summary="Wie Kommunen vorgehen.",
        body="## Schritte\n\n- Daten sammeln\n- Wege prüfen",
        status=Guide.Status.PUBLISHED,
        published_in=datetime.date(2026, 1, 1),
        authors=[coordinator],
    )


# --- clamd on loopback -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Clamd:
    """A real clamd on 127.0.0.1 with a database of one signature made in the test."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        database = directory / "db"
        database.mkdir(parents=True)
        digest = hashlib.md5(INFECTED).hexdigest()  # noqa: S324 – ClamAV's hash signature format
        (database / "klassenraum.hdb").write_text(f"{digest}:{len(INFECTED)}:{SIGNATURE}\n")
        self.config = directory / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"TCPSocket {self.port}",
                    "TCPAddr 127.0.0.1",
                    f"DatabaseDirectory {database}",
                    # Above the upload limit (25 MB), so no file is cut short.
                    "StreamMaxLength 30M",
                    f"LogFile {directory / 'clamd.log'}",
                    "User root" if os.geteuid() == 0 else "",
                ]
            )
            + "\n"
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 – our own config, a fixed binary
            [shutil.which("clamd") or "/usr/sbin/clamd", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as ping:
                    ping.sendall(b"zPING\0")
                    if ping.recv(16).startswith(b"PONG"):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"clamd did not start: {(self.directory / 'clamd.log').read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture
def clamd(settings, tmp_path):
    server = Clamd(tmp_path / "clamd")
    server.start()
    settings.CLAMD_ADDRESS = server.address
    yield server
    server.stop()


# --- LibreOffice -----------------------------------------------------------------------------


def odt_to_text(odt: bytes, directory: Path) -> str:
    """LibreOffice (headless, with a user profile of this test's own) converts to plain text."""
    source = directory / "dokument.odt"
    source.write_bytes(odt)
    profile = directory / "lo-profil"
    subprocess.run(  # noqa: S603 – a fixed binary, our own file
        [
            shutil.which("soffice") or "/usr/bin/soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(directory),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (directory / "dokument.txt").read_text(encoding="utf-8-sig")
