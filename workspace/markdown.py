"""User text is Markdown, rendered safely: markdown-it-py with raw HTML off, then nh3.

Used by every app (results, guides, news, comments) through the ``markdown`` filter.

Apps refine what comes out through :func:`register_post_processor` (the guides app links
glossary terms), so the core needs to know none of them.
"""

from __future__ import annotations

from collections.abc import Callable

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from workspace.text import german_slugify

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
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


def render_markdown(text: str, *, top_heading: int = 2, post_process: bool = True) -> SafeString:
    """Render ``text`` to safe HTML; its headings start at ``h{top_heading}``.

    The page owns its ``h1``; a ``# Heading`` in user text becomes ``h2`` (or lower), so
    every page keeps exactly one ``h1``. ``post_process=False`` leaves out what apps add
    (a glossary definition, say, is shown without links to other terms).
    """
    tokens = _parser.parse(text or "")
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
