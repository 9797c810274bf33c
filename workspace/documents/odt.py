"""ODT through odfdo: the same safe HTML as the PDF, walked element by element.

Headings, paragraphs, lists (nested), tables, links and images are kept; an image is embedded
from the document's own images only (nothing is fetched), with its alt text as the frame's
title and description and as a caption under it, so a screen reader and a plain-text
conversion both have it.
"""

from __future__ import annotations

import io

from lxml import html as lxml_html
from odfdo import (
    Cell,
    Frame,
    Header,
    LineBreak,
    Link,
    List,
    ListItem,
    Paragraph,
    Row,
    Table,
)
from odfdo import (
    Document as OdfDocument,
)

from workspace.documents import Document, Image
from workspace.documents.pdf import BASE_URL

MAX_IMAGE_WIDTH_CM = 16.0
PIXELS_PER_CM = 96 / 2.54

HEADINGS = {f"h{level}": level for level in range(1, 7)}
BLOCKS = {"p", "ul", "ol", "table", "blockquote", "pre", "hr", "div", "figure", *HEADINGS}


def _image_size(data: bytes) -> tuple[str, str]:
    from PIL import Image as PillowImage  # WeasyPrint's own dependency

    with PillowImage.open(io.BytesIO(data)) as picture:
        width, height = picture.size
    width_cm = min(MAX_IMAGE_WIDTH_CM, width / PIXELS_PER_CM) or 1.0
    height_cm = width_cm * height / width if width else 1.0
    return f"{width_cm:.2f}cm", f"{height_cm:.2f}cm"


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.odf = OdfDocument("text")
        self.body = self.odf.body
        self.body.clear()
        self.images = {self._key(src): image for src, image in document.images.items()}
        self.image_count = 0

    @staticmethod
    def _key(src: str) -> str:
        return src.removeprefix(BASE_URL.rstrip("/"))

    # --- inline -------------------------------------------------------------------------

    def inline(self, element, paragraph: Paragraph) -> None:
        """``element``'s text and inline children into ``paragraph``."""
        if element.text:
            paragraph.append(element.text)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "a":
                href = child.get("href", "")
                paragraph.append(Link(href, text=child.text_content()))
            elif tag == "img":
                self.image(child, paragraph)
            elif tag == "br":
                paragraph.append(LineBreak())
            elif tag in BLOCKS:
                paragraph.append(child.text_content())
            else:
                self.inline(child, paragraph)
            if child.tail:
                paragraph.append(child.tail)

    def image(self, element, paragraph: Paragraph) -> None:
        alt = element.get("alt", "")
        image: Image | None = self.images.get(self._key(element.get("src", "")))
        if image is None:  # the renderer lets no foreign image through; nothing is fetched
            paragraph.append(alt)
            return
        data = image.read()
        self.image_count += 1
        extension = {"image/png": "png", "image/jpeg": "jpg"}.get(image.content_type, "bin")
        name = self._add_picture(data, extension)
        width, height = _image_size(data)
        frame = Frame.image_frame(
            name,
            name=f"Abbildung {self.image_count}",
            size=(width, height),
            anchor_type="as-char",
        )
        frame.svg_title = alt
        frame.svg_description = alt
        paragraph.append(frame)
        paragraph.append(LineBreak())
        paragraph.append(alt)

    def _add_picture(self, data: bytes, extension: str) -> str:
        path = f"Pictures/abbildung-{self.image_count}.{extension}"
        self.odf.container.set_part(path, data)
        media = {"png": "image/png", "jpg": "image/jpeg"}.get(extension, "application/octet-stream")
        self.odf.manifest.add_full_path(path, media)
        return path

    # --- blocks -------------------------------------------------------------------------

    def blocks(self, parent, container) -> None:
        """The block children of ``parent`` into ``container``; loose text becomes a paragraph."""
        if parent.text and parent.text.strip():
            container.append(Paragraph(parent.text.strip()))
        for element in parent:
            self.block(element, container)
            if element.tail and element.tail.strip():
                container.append(Paragraph(element.tail.strip()))

    def block(self, element, container) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in HEADINGS:
            header = Header(HEADINGS[tag])
            self.inline(element, header)
            container.append(header)
        elif tag in ("ul", "ol"):
            container.append(self.list(element))
        elif tag == "table":
            container.append(self.table(element))
        elif tag in ("blockquote", "div", "figure", "main", "section"):
            self.blocks(element, container)
        elif tag == "hr":
            container.append(Paragraph(""))
        elif tag == "pre":
            container.append(Paragraph(element.text_content()))
        else:  # p, and any inline content standing alone
            paragraph = Paragraph()
            if tag == "p":
                self.inline(element, paragraph)
            else:
                self.inline_alone(element, paragraph)
            container.append(paragraph)

    def inline_alone(self, element, paragraph: Paragraph) -> None:
        wrapper = lxml_html.Element("span")
        wrapper.append(element.__copy__())
        wrapper[0].tail = None
        self.inline(wrapper, paragraph)

    def list(self, element) -> List:
        odf_list = List()
        for item in element:
            if not isinstance(item.tag, str) or item.tag != "li":
                continue
            list_item = ListItem()
            paragraph = Paragraph()
            paragraph.append(item.text or "")
            nested = []
            for child in item:
                if child.tag in ("ul", "ol"):
                    nested.append(self.list(child))
                elif child.tag == "p":
                    self.inline(child, paragraph)
                else:
                    self.inline_alone(child, paragraph)
                if child.tail and child.tail.strip():
                    paragraph.append(child.tail)
            list_item.append(paragraph)
            for inner in nested:
                list_item.append(inner)
            odf_list.append(list_item)
        return odf_list

    def table(self, element) -> Table:
        rows = element.xpath(".//tr")
        width = max((len(row.xpath("./th|./td")) for row in rows), default=1)
        self.table_count = getattr(self, "table_count", 0) + 1
        table = Table(f"Tabelle {self.table_count}")
        for row in rows:
            odf_row = Row()
            for cell in row.xpath("./th|./td"):
                odf_cell = Cell()
                paragraph = Paragraph()
                self.inline(cell, paragraph)
                odf_cell.append(paragraph)
                odf_row.append(odf_cell)
            for _ in range(width - len(row.xpath("./th|./td"))):
                odf_row.append(Cell())
            table.append(odf_row)
        return table

    def write(self) -> bytes:
        document = self.document
        self.body.append(Header(1, document.title))
        if document.subtitle:
            self.body.append(Paragraph(document.subtitle))
        if str(document.body).strip():
            for element in lxml_html.fragments_fromstring(str(document.body)):
                if isinstance(element, str):
                    if element.strip():
                        self.body.append(Paragraph(element.strip()))
                    continue
                self.block(element, self.body)
                if element.tail and element.tail.strip():
                    self.body.append(Paragraph(element.tail.strip()))
        for line in document.footer:
            self.body.append(Paragraph(line))
        meta = self.odf.meta
        meta.title = document.title
        meta.language = document.language
        meta.generator = "Klassenraum"
        out = io.BytesIO()
        self.odf.save(out)
        return out.getvalue()


def render_odt(document: Document) -> bytes:
    """The ODT of ``document`` (OpenDocument Text, as LibreOffice writes and reads it)."""
    return _Writer(document).write()
