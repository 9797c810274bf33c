"""Results and guides out as documents, with their images; attachments in: type by content,
ClamAV, removal that keeps history, and the search inside attached files."""

from __future__ import annotations

import hashlib
import http.server
import io
import re
import threading
import unicodedata
import zipfile

import pikepdf
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from network.guides import services as guide_services
from network.guides.models import GuideAttachment
from projects import services
from projects.models import ResultAttachment
from tests.conftest import client_for
from tests.documents.conftest import (
    INFECTED,
    SIGNATURE,
    odt_to_text,
    pdf_bytes,
    png_bytes,
    upload,
)
from workspace.attachments import attachments_recheck
from workspace.search import search

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(unicodedata.normalize("NFKC", text).split())


def squash(text: str) -> str:
    return "".join(text.split())


def image_widths(data: bytes) -> list[int]:
    pdf = pikepdf.open(io.BytesIO(data))
    return [int(image.Width) for page in pdf.pages for image in page.get_images().values()]


def figure_alts(data: bytes) -> list[str]:
    """The alternative texts of the tagged PDF's figures (its structure tree)."""
    pdf = pikepdf.open(io.BytesIO(data))
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        if node.get("/S") == "/Figure" and "/Alt" in node:
            found.append(str(node.Alt))
        if "/K" in node:
            walk(node.K)

    walk(pdf.Root.StructTreeRoot)
    return found


def result_url(result, name: str) -> str:
    return reverse(f"projects:{name}", kwargs={"slug": result.project.slug, "result_id": result.pk})


def attach_to_result(client, result, name: str, content: bytes):
    return client.post(result_url(result, "attachment-upload"), {"file": upload(name, content)})


# --- a result's PDF at any version --------------------------------------------------------------


def test_a_results_pdf_at_version_2_shows_version_2_not_the_current_text(result, editor, client):
    services.result_update(
        result=result, by=editor, base_revision=1, title=result.title, body="Fassung zwei."
    )
    services.result_update(
        result=result, by=editor, base_revision=2, title=result.title, body="Fassung drei."
    )
    url = result_url(result, "result-pdf")
    old = pdf_text(client.get(url, {"version": 2}).content)
    assert "Fassungzwei." in old and "Fassungdrei." not in old
    assert squash("Version 2 vom") in old
    current = pdf_text(client.get(url).content)
    assert "Fassungdrei." in current
    # The footer: the project, author (a member's name only as the public-name rule allows),
    # the licence and the page's address.
    assert squash("Leitprojekt: Offene Datenplattform") in current
    assert "Lizenz:" in current
    assert squash(result.get_absolute_url()) in current
    assert editor.get_display_name().replace(" ", "") not in current  # no consent
    member_copy = pdf_text(client_for(editor).get(url).content)
    assert editor.get_display_name().replace(" ", "") in member_copy
    assert client.get(url, {"version": 9}).status_code == 404


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 – the standard library's name
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png_bytes())

    def log_message(self, *args):
        pass


@pytest.fixture
def other_host():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_an_image_from_a_file_or_another_host_is_a_note_and_nothing_is_fetched(
    result, editor, client, other_host
):
    services.result_update(
        result=result,
        by=editor,
        base_revision=1,
        title=result.title,
        body=f"![Passwörter](file:///etc/passwd)\n\n![Fremdes Bild]({other_host}/bild.png)",
    )
    page = client.get(result.get_absolute_url()).content.decode()
    assert "<img" not in page.split('id="ergebnis-inhalt"')[1].split("</div>")[0]
    assert "Bild nicht angezeigt" in page
    for fmt in ("result-pdf", "result-odt"):
        response = client.get(result_url(result, fmt))
        assert response.status_code == 200
    text = pdf_text(client.get(result_url(result, "result-pdf")).content)
    assert squash("Bild nicht angezeigt: „Passwörter“ (file:///etc/passwd)") in text
    assert "root:" not in text
    assert squash("„Fremdes Bild“") in text
    assert image_widths(client.get(result_url(result, "result-pdf")).content) == []
    assert _Recorder.requests == []


# --- images from the text's own attachments --------------------------------------------------


def test_an_attached_image_shows_on_the_page_in_the_pdf_and_in_the_odt(
    result, editor, tmp_path, other_host
):
    team = client_for(editor)
    attach_to_result(team, result, "ablauf.png", png_bytes(size=(64, 32)))
    attachment = result.attachments.get()
    assert attachment.content_type == "image/png"
    services.result_update(
        result=result,
        by=editor,
        base_revision=1,
        title=result.title,
        body=(
            "## Ablauf\n\n![Ablaufplan der Anmeldung](anhang:ablauf.png)\n\n"
            f"![Fremdes Bild]({other_host}/x.png)\n\n- Erstens anmelden\n- Zweitens prüfen"
        ),
    )
    page = team.get(result.get_absolute_url()).content.decode()
    src = f"{result.get_absolute_url()}anhaenge/{attachment.pk}/"
    assert f'<img src="{src}" alt="Ablaufplan der Anmeldung">' in page
    assert "Bild nicht angezeigt" in page
    image = team.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    pdf = team.get(result_url(result, "result-pdf")).content
    assert image_widths(pdf) == [64]
    assert figure_alts(pdf) == ["Ablaufplan der Anmeldung"]
    odt = team.get(result_url(result, "result-odt")).content
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("Pictures/")]
        assert len(pictures) == 1
        assert archive.read(pictures[0]) == png_bytes(size=(64, 32))
        assert "Ablaufplan der Anmeldung" in archive.read("content.xml").decode()
    # LibreOffice reads the ODT: headings, list items and the image's alt text.
    text = odt_to_text(odt, tmp_path)
    for line in ("Erstens anmelden", "Zweitens prüfen", "Ablaufplan der Anmeldung"):
        assert line in text, text
    # The heading on a line of its own (LibreOffice puts its outline number before it).
    assert re.search(r"^(\d+\.)*\s*Ablauf$", text, re.MULTILINE), text
    assert _Recorder.requests == []


def test_a_guide_shows_its_own_attached_image_in_page_pdf_and_odt(
    guide, coordinator, client, other_host
):
    author = client_for(coordinator)
    response = author.post(
        reverse("guides:attachment-upload", kwargs={"slug": guide.slug}),
        {"file": upload("karte.png", png_bytes("blue", (48, 48)))},
    )
    assert response.status_code == 302
    attachment = guide.attachments.get()
    guide_services.guide_update(
        guide=guide,
        by=coordinator,
        base_revision=guide.revision,
        body=(
            "## Karte\n\n![Karte der Schulwege](anhang:karte.png)\n\n"
            f"![Fremde Karte]({other_host}/karte.png)"
        ),
    )
    guide.refresh_from_db()
    page = client.get(guide.get_absolute_url()).content.decode()
    src = f"{guide.get_absolute_url()}anhaenge/{attachment.pk}/"
    assert f'<img src="{src}" alt="Karte der Schulwege">' in page
    assert "Bild nicht angezeigt" in page and "„Fremde Karte“" in page
    assert client.get(src)["Content-Type"] == "image/png"
    pdf = client.get(reverse("guides:pdf", kwargs={"slug": guide.slug})).content
    assert image_widths(pdf) == [48]
    assert figure_alts(pdf) == ["Karte der Schulwege"]
    assert _Recorder.requests == []
    odt = client.get(reverse("guides:odt", kwargs={"slug": guide.slug})).content
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        assert "Karte der Schulwege" in archive.read("content.xml").decode()
        assert any(n.startswith("Pictures/") for n in archive.namelist())


# --- attachments: type by content, ClamAV ----------------------------------------------------


def test_a_png_renamed_pdf_is_refused_by_its_content(result, editor):
    team = client_for(editor)
    response = attach_to_result(team, result, "vertrag.pdf", png_bytes())
    assert response.status_code == 302
    assert not ResultAttachment.objects.exists()
    page = team.get(result.get_absolute_url()).content.decode()
    assert "geprüft am Inhalt, nicht am Namen" in page


def test_a_file_of_no_allowed_type_is_refused(result, editor, settings, tmp_path):
    team = client_for(editor)
    attach_to_result(team, result, "werkzeug.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")
    assert not ResultAttachment.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))


def test_clamd_refuses_what_it_finds_keeps_nothing_and_tells_the_office(
    result, editor, office, clamd, tmp_path
):
    team = client_for(editor)
    attach_to_result(team, result, "bericht.txt", INFECTED)
    assert not ResultAttachment.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))
    page = team.get(result.get_absolute_url()).content.decode()
    assert "Schadsoftware gefunden" in page
    assert [m.to for m in mail.outbox] == [[office.email]]
    assert "bericht.txt" in mail.outbox[0].body and SIGNATURE in mail.outbox[0].body
    # A clean PDF passes.
    attach_to_result(team, result, "anlage.pdf", pdf_bytes("Harmlos"))
    attachment = ResultAttachment.objects.get()
    assert (attachment.name, attachment.status) == ("anlage.pdf", "clean")


def test_while_clamd_is_down_an_upload_waits_in_pruefung_and_is_released_later(
    result, editor, office, clamd, client, django_capture_on_commit_callbacks
):
    clamd.stop()
    team = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        attach_to_result(team, result, "anlage.pdf", pdf_bytes("Wartet auf Prüfung"))
    attachment = ResultAttachment.objects.get()
    assert attachment.status == "pending"
    page = team.get(result.get_absolute_url()).content.decode()
    assert "in Prüfung" in page
    download = f"{result.get_absolute_url()}anhaenge/{attachment.pk}/"
    assert team.get(download).status_code == 404
    assert any("nicht erreichbar" in m.body for m in mail.outbox)
    # Still down: it keeps waiting.
    assert attachments_recheck()["waiting"] == 1
    clamd.start()
    assert attachments_recheck() == {"released": 1, "refused": 0, "waiting": 0}
    attachment.refresh_from_db()
    assert attachment.status == "clean"
    assert team.get(download).status_code == 200


# --- removal keeps history; the search reads attached files -----------------------------------


def test_a_removed_attachment_is_gone_from_the_page_and_still_in_the_version_that_had_it(
    result, editor
):
    team = client_for(editor)
    attach_to_result(team, result, "protokoll.txt", "Protokoll vom 3. März\n".encode())
    attachment = result.attachments.get()
    services.result_update(
        result=result, by=editor, base_revision=1, title=result.title, body="Fassung zwei."
    )
    response = team.post(f"{result.get_absolute_url()}anhaenge/{attachment.pk}/entfernen/")
    assert response.status_code == 302
    services.result_update(
        result=result, by=editor, base_revision=2, title=result.title, body="Fassung drei."
    )
    team.get(result.get_absolute_url())  # the message "… ist entfernt" is shown once
    page = team.get(result.get_absolute_url()).content.decode()
    assert "protokoll.txt" not in page
    assert "protokoll.txt" in pdf_text(
        team.get(result_url(result, "result-pdf"), {"version": 2}).content
    )
    assert "protokoll.txt" not in pdf_text(team.get(result_url(result, "result-pdf")).content)
    # The file is kept and still served to who reads that version.
    assert team.get(f"{result.get_absolute_url()}anhaenge/{attachment.pk}/").status_code == 200


def test_replacing_an_attachment_keeps_the_old_file_for_older_versions(result, editor):
    team = client_for(editor)
    attach_to_result(team, result, "plan.csv", b"a;b\n1;2\n")
    old = result.attachments.get()
    team.post(
        f"{result.get_absolute_url()}anhaenge/{old.pk}/ersetzen/",
        {"file": upload("plan-neu.csv", b"a;b\n3;4\n")},
    )
    old.refresh_from_db()
    new = ResultAttachment.objects.get(replaces=old)
    assert old.removed_at is not None and new.removed_at is None
    assert list(result.attachments.current()) == [new]


def test_the_search_finds_a_word_that_stands_only_inside_an_attached_pdf(
    result, editor, guide, coordinator
):
    team = client_for(editor)
    attach_to_result(team, result, "gutachten.pdf", pdf_bytes("Quellwasserschutzverordnung"))
    client_for(coordinator).post(
        reverse("guides:attachment-upload", kwargs={"slug": guide.slug}),
        {"file": upload("anhang.pdf", pdf_bytes("Brückenbauwerksprüfung"))},
    )
    assert GuideAttachment.objects.count() == 1
    hits = list(search(editor, "Quellwasserschutzverordnung"))
    assert [hit["s_kind"] for hit in hits] == ["anhang"]
    hits = list(search(editor, "Brückenbauwerksprüfung"))
    assert len(hits) == 1
    # As permissive as the result and no more: a team-only project's attachment is hidden.
    assert list(search(AnonymousUser(), "Quellwasserschutzverordnung"))
    services.project_update(project=result.project, by=coordinator, visibility="team")
    assert list(search(AnonymousUser(), "Quellwasserschutzverordnung")) == []
    assert list(search(editor, "Quellwasserschutzverordnung"))


def test_an_imported_archive_is_held_to_the_upload_rules(result, editor, office, project):
    """A file that came in before the type check (a PNG named .pdf, stored as it came) does
    not come back through an archive: the import is refused and nothing is written."""
    from django.core.files.base import ContentFile

    from projects import portable
    from projects.models import LeadProject
    from tests.archives import exported

    legacy = ResultAttachment(
        result=result, name="vertrag.pdf", size=0, sha256="", uploaded_by=editor
    )
    content = png_bytes()
    legacy.size = len(content)
    legacy.sha256 = hashlib.sha256(content).hexdigest()
    legacy.file.save("vertrag.pdf", ContentFile(content), save=False)
    legacy.save()
    archive = exported(project, office)
    projects_before = LeadProject.objects.count()
    with pytest.raises(portable.ArchiveRefused, match="vertrag.pdf"):
        portable.project_import(
            archive=io.BytesIO(archive), by=office, lead=project.lead_municipality
        )
    assert LeadProject.objects.count() == projects_before
