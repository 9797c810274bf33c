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


# Who a document is made for, as far as names go (workspace.people): members of the network
# and the office read every name; everyone else only the names of people who agreed.
NAMES = "namen"
PUBLIC = "oeffentlich"


def audience_of(viewer) -> str:
    from workspace.people import may_see_names

    return NAMES if may_see_names(viewer) else PUBLIC


def name_for(person, audience: str) -> str:
    """``person``'s name as a document for ``audience`` may print it (the public-name rule)."""
    from workspace.people import public_name

    if person is None:
        return ""
    if audience != PUBLIC:
        return person.get_display_name()
    return public_name(person, None)


def absolute(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + path


# Parts a higher app adds to a lower app's document (the committee's agreements in a lead
# project's dossier), so the dependency still points down: ``fn(obj, audience)`` → safe HTML.
_parts: dict[str, list[Callable[[object, str], SafeString]]] = {}


def register_part(kind: str, part: Callable[[object, str], SafeString]) -> None:
    if part not in _parts.setdefault(kind, []):
        _parts[kind].append(part)


def parts_for(kind: str, obj: object, audience: str) -> list[SafeString]:
    return [part(obj, audience) for part in _parts.get(kind, [])]
