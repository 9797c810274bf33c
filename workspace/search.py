"""Search across the network (``/suche/?q=``): the core asks every registered provider.

Each app registers a :class:`SearchProvider` in its ``AppConfig.ready()``
(``workspace.hooks.register_search_provider``). A provider hands back :class:`Source`s: a
queryset already narrowed by *its app's own* visibility rules, and which fields are the title
and which the body. The core only matches, ranks, pages and renders, so no rule of who may see
what is ever written twice, and the core imports no app.

- PostgreSQL: full-text search in the ``german`` configuration (stemming: "Beteiligungen" finds
  "Beteiligung"), the title weighted A above the body B, ranked with ``ts_rank``, snippets from
  ``ts_headline``. The vectors are computed in the query, from the columns as they are now, so
  a save is searchable the moment it commits; the apps' migrations add GIN *expression*
  indexes over exactly the expression built here (:func:`document_vector`), so matching does
  not read every row. No stored column to keep in step, no ``update()`` on history-tracked
  models, and nothing for SQLite to lack.
- SQLite (the embedded default): the same German, from Snowball stems computed in Python and
  kept in one FTS5 table (``workspace.search_index``), current after every write like the
  vectors above; ranked with ``bm25``, the title above the body; snippets marked in Python by
  the same stems. The providers declare their :class:`Document`s; the core keeps them indexed.

Either way the index only narrows to the objects that match: the provider's queryset, with its
app's rules, still decides which of them a user sees.

One page of hits is one ``UNION ALL`` over every source, sliced in the database: the page
costs the same number of queries for 10 hits as for 1,000.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    CharField,
    DateTimeField,
    F,
    FloatField,
    Model,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.models.signals import post_migrate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from workspace import search_index
from workspace.forms import KernFormMixin
from workspace.hooks import register_search_provider, search_providers
from workspace.models import Municipality, Topic
from workspace.ratelimit import person_of, rate_limited

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
CONFIG = "german"


# --- what the apps contribute ------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """What one kind of thing is searched by: ``model``'s ``title`` and ``body`` field paths
    (the body may be several, e.g. summary and text; a path may cross a relation).

    ``name`` is stable and unique: it keys the model's rows in SQLite's index. A provider
    declares every document its sources use, and the core keeps each one indexed.
    """

    name: str
    model: type[Model]
    title: str
    body: Sequence[str] = ()


@dataclass(frozen=True)
class Source:
    """One permission-narrowed queryset of ``document.model`` and how to read it.

    ``link`` up to two field paths the provider's ``url`` needs besides the primary key;
    ``meta`` a text field path shown under the title (e.g. the lead municipality); ``when`` a
    date-time field path shown with the hit.
    """

    queryset: QuerySet
    document: Document
    link: Sequence[str] = ()
    meta: Any = None  # a field path or an expression
    when: str | None = None

    @property
    def title(self) -> str:
        return self.document.title

    @property
    def body(self) -> Sequence[str]:
        return self.document.body


@dataclass(frozen=True)
class Filters:
    topic: Topic | None = None
    municipality: Municipality | None = None


@dataclass(frozen=True)
class SearchProvider:
    """``sources(user, filters)`` returns the sources ``user`` may search, already filtered by
    topic and municipality — or ``[]`` when this kind has no such filter and one is set.
    ``url(pk, a, b)`` makes the hit's address from its primary key and its ``link`` fields;
    ``documents`` every :class:`Document` its sources use."""

    kind: str
    label: Any  # plural, lazy German, e.g. _("Leitprojekte")
    singular: Any
    sources: Callable[[Any, Filters], list[Source]]
    url: Callable[[int, str, str], str]
    documents: Sequence[Document] = ()
    order: int = 100


def register_providers(*providers: SearchProvider) -> None:
    """An app adds its kinds of hits in ``ready()``; their documents are indexed from then on."""
    for provider in providers:
        register_search_provider(provider.kind, provider)
        for document in provider.documents:
            search_index.watch(document)


post_migrate.connect(search_index.rebuild_after_migrate, dispatch_uid="search-index")


def document_vector(title: str, body: Sequence[str] = ()) -> SearchVector:
    """The weighted German vector of a document (title A, body B).

    The apps' GIN expression indexes are built from this very expression; a provider whose
    fields change needs its index rebuilt (``tests/search`` checks the plan uses it).
    """
    vector = SearchVector(title, weight="A", config=CONFIG)
    if body:
        vector = vector + SearchVector(*body, weight="B", config=CONFIG)
    return vector


# --- the query -----------------------------------------------------------------------------


class SearchForm(KernFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Suchbegriff"),
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    art = forms.ChoiceField(label=_("Art"), required=False)
    thema = forms.ModelChoiceField(
        label=_("Thema"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("alle Themen"),
    )
    kommune = forms.ModelChoiceField(
        label=_("Kommune"),
        required=False,
        queryset=Municipality.objects.members(),
        to_field_name="slug",
        empty_label=_("alle Kommunen"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["art"].choices = [("", _("alles"))] + [
            (kind, provider.label) for kind, provider in search_providers().items()
        ]

    def clean_q(self) -> str:
        q = self.cleaned_data["q"]
        if not q:
            raise forms.ValidationError(
                _("Bitte geben Sie einen Suchbegriff ein, zum Beispiel „Beteiligung“.")
            )
        if len(q) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                _(
                    "Der Suchbegriff ist zu lang: höchstens %(max)d Zeichen, Ihrer hat %(n)d. "
                    "Kürzen Sie ihn auf die wichtigsten Wörter."
                )
                % {"max": MAX_QUERY_LENGTH, "n": len(q)}
            )
        return q


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _text(path: Any):
    """A field path (or an expression) as text, never NULL."""
    if path is None or path == "":
        return Value("", output_field=TextField())
    expression = F(path) if isinstance(path, str) else path
    return Coalesce(Cast(expression, TextField()), Value("", output_field=TextField()))


def _body(paths: Sequence[str]):
    if not paths:
        return Value("", output_field=TextField())
    parts: list[Any] = []
    for path in paths:
        if parts:
            parts.append(Value("\n\n", output_field=TextField()))
        parts.append(_text(path))
    return Concat(*parts, output_field=TextField()) if len(parts) > 1 else parts[0]


COLUMNS = ("s_order", "s_kind", "s_pk", "s_title", "s_text", "s_a", "s_b", "s_meta", "s_when")


def _rows(provider: SearchProvider, source: Source, q: str) -> QuerySet:
    """``source`` narrowed to the hits of ``q``, as the columns every source shares."""
    qs = source.queryset.order_by()
    document = source.document
    if document not in provider.documents or source.queryset.model is not document.model:
        raise ValueError(f"{provider.kind}: a source searches an undeclared document")
    rank: Any
    if _is_postgres():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        qs = qs.annotate(s_vector=document_vector(source.title, source.body)).filter(s_vector=query)
        rank = SearchRank(document_vector(source.title, source.body), query)
    else:
        qs = search_index.narrow(qs, document, search_index.parse(q))
        rank = RawSQL(search_index.RANK_SQL, (), output_field=FloatField())  # noqa: S611 – a constant
    link = [*source.link, None, None]
    annotations = {
        "s_order": Value(provider.order),
        "s_kind": Value(provider.kind, output_field=CharField()),
        "s_pk": F("pk"),
        "s_title": _text(source.title),
        "s_text": _body(source.body),
        "s_a": _text(link[0]),
        "s_b": _text(link[1]),
        "s_meta": _text(source.meta),
        "s_when": (
            F(source.when) if source.when else Cast(Value(None), output_field=DateTimeField())
        ),
        "s_rank": rank,
    }
    return qs.annotate(**annotations).values(*COLUMNS, "s_rank")


def search(user, q: str, *, kind: str = "", filters: Filters | None = None) -> QuerySet | None:
    """Every hit of ``q`` ``user`` may see, best first, as one unevaluated ``UNION ALL``
    query; ``None`` when no source is left to search."""
    filters = filters or Filters()
    parts = [
        _rows(provider, source, q)
        for provider_kind, provider in search_providers().items()
        if not kind or kind == provider_kind
        for source in provider.sources(user, filters)
    ]
    if not parts:
        return None
    hits = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return hits.order_by("-s_rank", "s_title", "s_order", "s_pk")


# --- snippets ------------------------------------------------------------------------------

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: never in real text
_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"<[^>]+>"), " "),  # inline HTML
    (re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", re.M), ""),  # headings, quotes, lists
    (re.compile(r"[*_`~|]+"), ""),  # emphasis, code, tables
    (re.compile(r"\s+"), " "),
]
SNIPPET_WORDS = 30


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees, for snippets."""
    text = markdown.replace(MARK_START, "").replace(MARK_END, "")
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.strip()


def _marked_html(text: str) -> SafeString:
    """Escape ``text`` and turn the markers into ``<mark>`` (always balanced)."""
    out, open_ = [], False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", text):
        if piece == MARK_START and not open_:
            out.append("<mark>")
            open_ = True
        elif piece == MARK_END and open_:
            out.append("</mark>")
            open_ = False
        elif piece not in (MARK_START, MARK_END):
            out.append(escape(piece))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 – every piece of text was escaped above


def _headlines_postgres(texts: list[str], q: str) -> list[str]:
    """``ts_headline`` for a whole page in one query (stemmed, so "Beteiligungen" marks
    "Beteiligung"); only the page's texts, never every hit's."""
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=15, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, t, websearch_to_tsquery(%s::regconfig, %s), %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS page(t, n) ORDER BY n",
            [CONFIG, CONFIG, q, options, texts],
        )
        return [row[0] for row in cursor.fetchall()]


def _headline_python(text: str, stems: frozenset[str]) -> str:
    """Up to ``SNIPPET_WORDS`` words around the first hit, every word whose stem was asked
    for marked (so "Beteiligungen" marks "Beteiligung", as ``ts_headline`` does)."""

    def hit(word: str) -> bool:
        lower = word.lower()
        return lower not in search_index.STOP_WORDS and search_index.stem(lower) in stems

    def mark(match: re.Match) -> str:
        return f"{MARK_START}{match.group(0)}{MARK_END}" if hit(match.group(0)) else match.group(0)

    tokens = text.split(" ")
    if not stems:
        return " ".join(tokens[:SNIPPET_WORDS])
    first = next(
        (i for i, token in enumerate(tokens) if any(map(hit, search_index.WORD.findall(token)))),
        0,
    )
    start = max(0, first - SNIPPET_WORDS // 3)
    window = " ".join(tokens[start : start + SNIPPET_WORDS])
    marked = search_index.WORD.sub(mark, window)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return f"{prefix}{marked}{suffix}"


def snippets(texts: list[str], q: str) -> list[SafeString]:
    plain = [plain_text(text) for text in texts]
    if not plain:
        return []
    if _is_postgres():
        marked = _headlines_postgres(plain, q)
    else:
        stems = search_index.parse(q).stems
        marked = [_headline_python(text, stems) for text in plain]
    return [_marked_html(text) for text in marked]


# --- the page ------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    kind_label: Any
    title: str
    url: str
    snippet: SafeString
    meta: str = ""
    when: Any = None
    extra: dict = field(default_factory=dict)


def hits_for_page(rows: Iterable[dict], q: str) -> list[Hit]:
    rows = list(rows)
    providers = search_providers()
    texts = snippets([row["s_text"] for row in rows], q)
    hits = []
    for row, snippet in zip(rows, texts, strict=True):
        provider = providers[row["s_kind"]]
        hits.append(
            Hit(
                kind=provider.kind,
                kind_label=provider.singular,
                title=row["s_title"],
                url=provider.url(row["s_pk"], row["s_a"], row["s_b"]),
                snippet=snippet,
                meta=row["s_meta"],
                when=row["s_when"],
            )
        )
    return hits


def _searches(request: HttpRequest) -> bool:
    return "q" in request.GET


@require_GET
@rate_limited(
    "search",
    title=_("Suche im Netzwerk"),
    person=lambda request: person_of(request, email_field=None),
    counts=_searches,
)
def search_page(request: HttpRequest) -> HttpResponse:
    """``/suche/?q=…&art=…&thema=…&kommune=…&seite=…``: nothing asked → the form; a bad
    query → the form again with its message (400); else a page of 20 hits."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    context: dict[str, Any] = {"form": form, "page": None, "hits": []}
    if not form.is_bound:
        return render(request, "workspace/search.html", context)
    if not form.is_valid():
        return render(request, "workspace/search.html", context, status=400)
    data = form.cleaned_data
    q = data["q"]
    hits = search(
        request.user,
        q,
        kind=data["art"],
        filters=Filters(topic=data["thema"], municipality=data["kommune"]),
    )
    if hits is not None:
        page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("seite"))
        context["page"] = page
        context["hits"] = hits_for_page(page.object_list, q)
    query = request.GET.copy()
    query.pop("seite", None)
    context["query_string"] = query.urlencode()
    context["q"] = q
    return render(request, "workspace/search.html", context)
