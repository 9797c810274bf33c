"""Documents out: a result, a guide, an agreement, minutes or a dossier as PDF and ODT.

An app describes one document as a :class:`Document` (title, safe HTML body, footer lines and
the images the body may show); the core renders it (``pdf``, ``odt``), keeps it (``store``:
per version and per audience, dropped when a named person is erased or withdraws consent) and
answers the request (``views``). The HTML a document is made of comes from the same Markdown
renderer as the pages (markdown-it-py with HTML off, then nh3), so it holds nothing the page
could not hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Image:
    """An image a document may show: the object's own attachment, read on demand."""

    read: Callable[[], bytes]
    content_type: str


@dataclass
class Document:
    """What an app hands the core: everything is already decided for one audience.

    ``body`` is safe HTML (headings from h2, paragraphs, lists, tables, links, images whose
    ``src`` is a key of ``images``); ``footer`` short lines printed on every page.
    """

    title: str
    body: SafeString
    filename: str
    footer: list[str] = field(default_factory=list)
    subtitle: str = ""
    images: dict[str, Image] = field(default_factory=dict)
    language: str = "de"
