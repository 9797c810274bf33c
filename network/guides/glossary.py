"""Glossary terms linked in every rendered text (a post-processor of workspace.markdown).

The term list is read once, kept in Django's cache and dropped whenever a term changes
(signals in ``apps.py``), so rendering costs no query per term and, with a warm cache, none at
all. Each text gets a link on the first occurrence of a term or one of its synonyms, never
inside code, links or headings and never inside a longer word; the link carries the
definition as its accessible description and shows it on hover and keyboard focus (CSS only).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

CACHE_KEY = "guides:glossary:v1"
# The version of the cached term list, so a process can tell its own copy is still current.
STAMP_KEY = "guides:glossary:stamp:v1"
# The glossary page's A–Z: which terms stand under which letter, in German order.
INDEX_KEY = "guides:glossary:index:v1"
# With a shared cache (Redis) a change reaches every process at once. With the local-memory
# default each process keeps its own copy and only its own changes drop it, so another
# process links a changed term at the latest after this many seconds (GLOSSARY_CACHE_SECONDS).
CACHE_SECONDS = 60
TOOLTIP_MAX = 280

# Inside these elements nothing is linked.
SKIPPED = frozenset({"a", "code", "pre", "kbd", "samp", "h1", "h2", "h3", "h4", "h5", "h6"})
# Tags that do not separate words: "**Sensor**-Netz" is one word.
INLINE = frozenset({"strong", "em", "del", "s", "code", "a", "span", "b", "i", "u"})
VOID = frozenset({"br", "hr", "img", "wbr", "input", "col", "area", "meta", "link", "source"})
# Attribute values are always double-quoted in nh3's output, but may contain ">".
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
# A hyphen or a soft hyphen joins words in German: "Daten-Portal" is one word.
_WORD = r"\w\u00ad-"


@dataclass(frozen=True)
class Entry:
    slug: str
    name: str
    url: str
    tooltip: str
    words: tuple[str, ...]  # the name and its synonyms


@dataclass(frozen=True)
class Glossary:
    stamp: str
    entries: tuple[Entry, ...]


def _plain(definition: str) -> str:
    """The definition as one line of plain text, for the tooltip."""
    from workspace.markdown import render_markdown

    rendered = str(render_markdown(definition, post_process=False))
    text = " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
    return text if len(text) <= TOOLTIP_MAX else text[: TOOLTIP_MAX - 1].rstrip() + "…"


def _load() -> Glossary:
    from network.guides.models import Term

    entries = tuple(
        Entry(
            slug=term.slug,
            name=term.name,
            url=reverse("guides:term", kwargs={"slug": term.slug}),
            tooltip=_plain(term.definition),
            words=tuple(dict.fromkeys([term.name, *term.synonym_list])),
        )
        for term in Term.objects.only("name", "slug", "definition", "synonyms").order_by("pk")
    )
    stamp = hashlib.blake2s(repr(entries).encode(), digest_size=8).hexdigest()
    return Glossary(stamp=stamp, entries=entries)


_kept: Glossary | None = None


def current_glossary() -> Glossary:
    """The term list: this process's copy while the cache still holds the same version (its
    stamp, a small value), else from the cache, or one query (then cached).

    A national glossary (2,000 terms) took longer to unpickle from the cache than the text it
    links took to render, on every render."""
    global _kept
    timeout = getattr(settings, "GLOSSARY_CACHE_SECONDS", CACHE_SECONDS)
    if _kept is not None and cache.get(STAMP_KEY) == _kept.stamp and cache.has_key(CACHE_KEY):
        return _kept
    glossary = cache.get(CACHE_KEY)
    if glossary is None:
        glossary = _load()
        cache.set(CACHE_KEY, glossary, timeout)
    cache.set(STAMP_KEY, glossary.stamp, timeout)
    _kept = glossary
    return glossary


def german_order(name: str) -> tuple[str, str]:
    """The sort key of a name as a German dictionary has it (DIN 5007-1): "Ä" as "A", "ß" as
    "ss", case aside; the name itself breaks a tie, so the order never depends on the database's
    collation."""
    return name.casefold().translate(_GERMAN), name


_GERMAN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _load_index() -> dict[str, tuple[int, ...]]:
    from network.guides.models import Term, index_letter

    index: dict[str, list[int]] = {}
    rows = sorted(Term.objects.values_list("name", "pk"), key=lambda r: (german_order(r[0]), r[1]))
    for name, pk in rows:
        index.setdefault(index_letter(name), []).append(pk)
    return {letter: tuple(pks) for letter, pks in index.items()}


def letter_index() -> dict[str, tuple[int, ...]]:
    """Each letter that has terms with their ids in German order: from the cache, or one
    query of names (then cached; dropped with the term list by :func:`forget_glossary`)."""
    index = cache.get(INDEX_KEY)
    if index is None:
        index = _load_index()
        cache.set(INDEX_KEY, index, getattr(settings, "GLOSSARY_CACHE_SECONDS", CACHE_SECONDS))
    return index


def forget_glossary(**_kwargs) -> None:
    """Drop the cached term list and A–Z now and again after the commit, so no render between
    the change and its commit can put the old ones back for good."""
    cache.delete_many([CACHE_KEY, STAMP_KEY, INDEX_KEY])
    transaction.on_commit(lambda: cache.delete_many([CACHE_KEY, STAMP_KEY, INDEX_KEY]))


@dataclass(frozen=True)
class _Matcher:
    stamp: str
    pattern: re.Pattern | None
    by_word: dict[str, Entry]


_matcher: _Matcher | None = None


def _matcher_for(glossary: Glossary) -> _Matcher:
    """The compiled pattern of all terms, built once per version of the glossary."""
    global _matcher
    if _matcher is not None and _matcher.stamp == glossary.stamp:
        return _matcher
    by_word: dict[str, Entry] = {}
    for entry in glossary.entries:
        for word in entry.words:
            by_word.setdefault(word.casefold(), entry)
    pattern = None
    if by_word:
        alternatives = _alternation(by_word)
        pattern = re.compile(rf"(?<![{_WORD}])(?:{alternatives})(?![{_WORD}])", re.IGNORECASE)
    _matcher = _Matcher(stamp=glossary.stamp, pattern=pattern, by_word=by_word)
    return _matcher


_SPACE = " "  # a run of white space between the words of a term


def _alternation(words: Iterable[str]) -> str:
    """A regular expression matching each of ``words`` (any white space between their words),
    the longest at a place first, so "Offene Daten" wins over "Offene" there.

    Written as a prefix tree ("daten(?:platt(?:form)?|schutz)?"), not as one alternative per
    word: at each place of a text the expression then follows one path, so matching costs the
    length of the text, not that times the number of terms (2,000 terms of a national network
    made a 10 KB text take a tenth of a second). Greedy optional endings try the longer word
    first and fall back to the shorter one, as the longest-first list did."""
    tree: dict = {}
    for word in words:
        node = tree
        for index, part in enumerate(word.split()):
            if index:
                node = node.setdefault(_SPACE, {})
            for character in part:
                node = node.setdefault(character, {})
        node[""] = {}

    def expression(node: dict) -> str:
        branches = [
            (r"\s+" if token == _SPACE else re.escape(token)) + expression(child)
            for token, child in node.items()
            if token
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return expression(tree)


def _markup(found: str, entry: Entry, tip_id: str) -> str:
    return (
        f'<span class="kr-term"><a class="kr-term__link" href="{escape(entry.url)}" '
        f'aria-describedby="{tip_id}">{escape(found)}</a>'
        f'<span class="kr-term__tip" id="{tip_id}" role="tooltip">'
        f"{escape(entry.name)}: {escape(entry.tooltip)}</span></span>"
    )


def _pieces(document: str) -> list[tuple[str, str, bool]]:
    """The document as (kind, raw, skipped) pieces: text between tags and the tags; a text
    piece is skipped when it stands inside code, a link or a heading."""
    pieces: list[tuple[str, str, bool]] = []
    open_tags: list[str] = []
    position = 0
    for tag in _TAG.finditer(document):
        if tag.start() > position:
            skipped = any(name in SKIPPED for name in open_tags)
            pieces.append(("text", document[position : tag.start()], skipped))
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        pieces.append(("tag", tag.group(), name in INLINE))
        if closing:
            if name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
        elif name not in VOID and not tag.group().endswith("/>"):
            open_tags.append(name)
        position = tag.end()
    if position < len(document):
        skipped = any(name in SKIPPED for name in open_tags)
        pieces.append(("text", document[position:], skipped))
    return pieces


def _neighbour(pieces: list[tuple[str, str, bool]], index: int, step: int) -> str:
    """The character of the text next to piece ``index`` across inline tags ("**Sensor**-Netz"
    is one word), or "" at a block boundary."""
    index += step
    while 0 <= index < len(pieces):
        kind, raw, inline = pieces[index]
        if kind == "text":
            text = html.unescape(raw)
            return (text[-1:] if step < 0 else text[:1]) if text else ""
        if not inline:
            return ""
        index += step
    return ""


def link_terms(document: str) -> str:
    """``document`` (sanitised HTML of one text) with its first mention of each term linked."""
    matcher = _matcher_for(current_glossary())
    if matcher.pattern is None:
        return document
    # Ids unique on a page that shows several texts, and the same for the same text.
    prefix = hashlib.blake2s(document.encode(), digest_size=4).hexdigest()
    word = re.compile(rf"[{_WORD}]")
    linked: set[str] = set()
    pieces = _pieces(document)

    def link_text(index: int, text: str) -> str:
        plain = html.unescape(text)
        before, after = _neighbour(pieces, index, -1), _neighbour(pieces, index, +1)
        out: list[str] = []
        start = 0
        for match in matcher.pattern.finditer(plain):
            if match.start() == 0 and word.match(before):
                continue
            if match.end() == len(plain) and word.match(after):
                continue
            entry = matcher.by_word.get(" ".join(match.group().split()).casefold())
            if entry is None or entry.slug in linked:
                continue
            linked.add(entry.slug)
            out.append(escape(plain[start : match.start()]))
            out.append(_markup(match.group(), entry, f"begriff-{entry.slug}-{prefix}"))
            start = match.end()
        if not out:
            return text
        out.append(escape(plain[start:]))
        return "".join(out)

    return "".join(
        link_text(index, raw) if kind == "text" and not skipped and raw.strip() else raw
        for index, (kind, raw, skipped) in enumerate(pieces)
    )
