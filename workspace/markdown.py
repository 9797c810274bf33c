"""User text is Markdown, rendered safely: markdown-it-py with raw HTML off, then nh3.

Used by every app (results, guides, news, comments) through the ``markdown`` filter.

Apps refine what comes out through :func:`register_post_processor` (the guides app links
glossary terms), so the core needs to know none of them.

Images: ``![Beschreibung](anhang:plan.png)`` (or the attachment's own address) shows one of
the text's *own* attachments, which the caller resolves (``images``). The description is the
alt text and is required. Any other image — another host, ``file://``, a missing
description, no attachment of that name — is shown as a visible note in its place: never
dropped silently, never loaded from elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

from workspace.text import german_slugify

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)

_validate_link_default = _parser.validateLink


def _validate_link(url: str) -> bool:
    # markdown-it leaves a ``file:`` or ``data:`` image as literal text; it is parsed here so
    # that it is shown as the note below. As a link's target nh3 drops it (url_schemes).
    return _validate_link_default(url) or url.strip().lower().startswith(("file:", "data:"))


_parser.validateLink = _validate_link

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    # Only images this module let through (an attachment of the text itself) and its notes.
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}


# Each takes the sanitised HTML of one rendered document and returns HTML that is still safe:
# whatever it adds, it must escape itself.
PostProcessor = Callable[[str], str]
_post_processors: list[tuple[int, PostProcessor]] = []


def register_post_processor(processor: PostProcessor, *, order: int = 100) -> None:
    """Run ``processor`` over every rendered document (apps call this in ``ready()``)."""
    if all(existing is not processor for _, existing in _post_processors):
        _post_processors.append((order, processor))
        _post_processors.sort(key=lambda item: item[0])


def unregister_post_processor(processor: PostProcessor) -> None:
    _post_processors[:] = [item for item in _post_processors if item[1] is not processor]


def _anchor(heading: str, used: set[str]) -> str:
    """A stable id for a heading ("abschnitt-ziele"), unique within one text."""
    base = f"abschnitt-{german_slugify(heading) or 'ohne-titel'}"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


# ``images(src)``: the address of the text's own attachment ``src`` names, or None.
ImageResolver = Callable[[str], "str | None"]
IMAGE_NOTE_CLASS = "kr-bildhinweis"
ATTACHMENT_SCHEME = "anhang:"


# Per model, how to resolve the images of one object's text (its own attachments): apps
# register in ``ready()``, so the core knows none of them.
_image_sources: dict[type, Callable[[object], ImageResolver]] = {}


def register_image_source(model: type, resolver_for: Callable[[object], ImageResolver]) -> None:
    _image_sources[model] = resolver_for


def image_resolver_for(obj: object) -> ImageResolver | None:
    """How ``obj``'s text names its images, or None (then every image is a note)."""
    resolver_for = _image_sources.get(type(obj))
    return resolver_for(obj) if resolver_for else None


def _image_note(message: str) -> Token:
    note = Token("html_inline", "", 0)
    note.content = f'<span class="{IMAGE_NOTE_CLASS}">{escape(message)}</span>'
    return note


def _resolve_images(tokens: list[Token], images: ImageResolver | None) -> None:
    """Keep an image only if it is one of the text's own attachments and has a description;
    put a visible note in the place of every other."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for index, child in enumerate(token.children):
            if child.type != "image":
                continue
            source = str(child.attrGet("src") or "")
            alt = child.content.strip()
            address = images(source) if images is not None else None
            if address and alt:
                child.attrSet("src", address)
                continue
            if address:
                message = _(
                    "Bild nicht angezeigt: Es fehlt die Beschreibung (Alternativtext), "
                    "z. B. ![Ablaufplan der Anmeldung](%(source)s)."
                ) % {"source": source}
            else:
                message = _(
                    "Bild nicht angezeigt: „%(alt)s“ (%(source)s) ist kein Anhang dieses "
                    "Textes. Bilder erscheinen nur aus den eigenen Anhängen."
                ) % {"alt": alt or _("ohne Beschreibung"), "source": source}
            token.children[index] = _image_note(message)


def render_markdown(
    text: str,
    *,
    top_heading: int = 2,
    post_process: bool = True,
    images: ImageResolver | None = None,
) -> SafeString:
    """Render ``text`` to safe HTML; its headings start at ``h{top_heading}``.

    The page owns its ``h1``; a ``# Heading`` in user text becomes ``h2`` (or lower), so
    every page keeps exactly one ``h1``. ``post_process=False`` leaves out what apps add
    (a glossary definition, say, is shown without links to other terms). ``images`` resolves
    an image's source to the address of the text's own attachment (None: not one of them);
    without it every image is shown as a note.
    """
    tokens = _parser.parse(text or "")
    _resolve_images(tokens, images)
    shift = max(0, top_heading - 1)
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + shift)
            token.tag = f"h{level}"
        if token.type == "heading_open":
            token.attrSet("id", _anchor(tokens[index + 1].content, used))
    html = _parser.renderer.render(tokens, _parser.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    if post_process and cleaned.strip():
        for _order, processor in _post_processors:
            cleaned = processor(cleaned)
    # nh3 sanitised the text; post-processors escape whatever they add.
    return mark_safe(cleaned)  # noqa: S308
