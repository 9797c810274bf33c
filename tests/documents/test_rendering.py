"""The core of documents out: Markdown images, the PDF's tags and declarations, the fetcher
that reads nothing but the document's own images and static files, and the kept copies."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.utils.safestring import mark_safe
from PIL import Image as PillowImage

from workspace.documents import Document, Image
from workspace.documents.pdf import BASE_URL, render_pdf
from workspace.documents.store import DocumentKey, forget_people, kept, make
from workspace.markdown import render_markdown

# The pages' renderer runs the apps' post-processors (the glossary reads its terms).
pytestmark = pytest.mark.django_db


def png(colour: str = "red", size=(60, 30)) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def own_images(source: str) -> str | None:
    return "/anhaenge/1/" if source in ("anhang:plan.png", "/anhaenge/1/") else None


def test_an_own_attachment_shows_as_an_image_with_its_description():
    html = render_markdown("![Ablaufplan der Anmeldung](anhang:plan.png)", images=own_images)
    assert '<img src="/anhaenge/1/" alt="Ablaufplan der Anmeldung">' in html


@pytest.mark.parametrize(
    "source",
    [
        "file:///etc/passwd",
        "https://example.org/bild.png",
        "//example.org/x.png",
        "anhang:fehlt.png",
    ],
)
def test_any_other_image_is_a_visible_note_and_never_an_image(source):
    html = render_markdown(f"Vorher ![Ein Bild]({source}) nachher", images=own_images)
    assert "<img" not in html
    assert "kr-bildhinweis" in html and "Ein Bild" in html and "Vorher" in html


def test_an_image_without_description_is_a_note_that_says_so():
    html = render_markdown("![](anhang:plan.png)", images=own_images)
    assert "<img" not in html
    assert "Es fehlt die Beschreibung" in html


def test_without_a_resolver_every_image_is_a_note():
    html = render_markdown("![Plan](anhang:plan.png)")
    assert "<img" not in html and "kr-bildhinweis" in html


def image_widths(pdf: pikepdf.Pdf) -> list[int]:
    return [int(image.Width) for page in pdf.pages for image in page.get_images().values()]


def _pdf(document: Document, **options) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(render_pdf(document, **options)))


def _document(**changes) -> Document:
    values = {
        "title": "Mobilitätskonzept",
        "body": mark_safe("<h2>Ziele</h2><ul><li>Sichere Schulwege</li></ul>"),
        "filename": "mobilitaetskonzept",
        "footer": ["Leitprojekt Datenplattform", "Version 2"],
    }
    return Document(**{**values, **changes})


def test_the_reading_copy_is_tagged_german_and_declares_pdf_ua():
    pdf = _pdf(_document())
    assert pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "de"
    assert pdf.open_metadata().get("pdfuaid:part") == "1"
    assert str(pdf.docinfo.Title) == "Mobilitätskonzept"


def test_the_archive_copy_declares_pdf_a_3a_and_is_tagged_too():
    pdf = _pdf(_document(), archive=True)
    metadata = pdf.open_metadata()
    assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "A")
    assert pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "de"


def test_the_fetcher_reads_only_own_images_and_static_files():
    """Even an image tag that named a file or another host (the renderer lets none through)
    would not be read: the fetcher refuses it before anything is opened."""
    fetched: list[str] = []
    body = mark_safe(
        '<p><img src="/anhaenge/1/" alt="Plan"></p>'
        '<p><img src="file:///etc/passwd" alt="x"><img src="https://example.org/a.png" alt="y"></p>'
    )
    reads = []
    document = _document(
        body=body, images={"/anhaenge/1/": Image(lambda: reads.append(1) or png(), "image/png")}
    )
    pdf = _pdf(document, fetched=fetched)
    assert reads == [1]
    assert f"{BASE_URL}anhaenge/1/" in fetched
    # Asked, refused, nothing read: WeasyPrint's own fetcher would have opened both.
    assert {"file:///etc/passwd", "https://example.org/a.png"} <= set(fetched)
    assert image_widths(pdf) == [60]


def test_a_document_is_kept_per_version_and_dropped_when_people_change(settings, tmp_path):
    key = DocumentKey("tests.documents.test_rendering.build_for_test", 1, 2, "namen")
    assert kept(key, "pdf") is None
    data = make(key, "pdf")
    assert kept(key, "pdf") == data
    assert kept(DocumentKey(key.builder, 1, 3, "namen"), "pdf") is None
    assert kept(DocumentKey(key.builder, 1, 2, "oeffentlich"), "pdf") is None
    stored = list((tmp_path / "media" / "dokumente").iterdir())
    assert [p.read_bytes() for p in stored] == [data]
    forget_people()
    assert kept(key, "pdf") is None
    # No copy stays on disk (it may name an erased person).
    assert list((tmp_path / "media" / "dokumente").iterdir()) == []


def build_for_test(pk: int, version: int, audience: str) -> Document:
    return _document(footer=[f"Version {version}", audience])
