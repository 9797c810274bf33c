"""German full text on SQLite: stems from Snowball, kept in one FTS5 table.

PostgreSQL stems German itself (``to_tsvector('german', …)``) from the columns as they are;
SQLite cannot, so every searched document is stemmed here, in Python, and written to the FTS5
table ``workspace_searchindex`` (migration ``workspace.0004``): one row per document and
object, its ``rowid`` the document's base plus the object's primary key, the title's stems in
one column and the body's in the other. A query is stemmed the same way, so "Beteiligungen"
finds "Beteiligung" and "Schulen" finds "Schule"; ``bm25`` ranks, the title weighted above the
body.

The index is current after every write that changes searched text:

- saves and deletes of a document's model, and saves of a model a document reads through a
  relation (a template's title is its result's), through signals that :func:`watch` connects
  for every document a provider registers — the providers declare documents, never signals;
- bulk writes, which send no signals, through :func:`update_rows` (``rows.update()`` plus the
  index) or :func:`index_objects` after a ``bulk_create``;
- an existing database, a flushed one and any doubt: :func:`rebuild`
  (``manage.py rebuild_search_index``), which also runs after the migration that creates the
  table.

The index only says which objects match and how well; the providers' querysets still decide
who sees what, exactly as on PostgreSQL. On PostgreSQL nothing here runs.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

TABLE = "workspace_searchindex"
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0  # bm25 weights of the columns title and body
RANK_SQL = f"-bm25({TABLE}, 0.0, 0.0, {TITLE_WEIGHT}, {BODY_WEIGHT})"  # kind, object_id unweighted
PK_BITS = 40  # an object's primary key lives in the low bits of its row's rowid
SPAN = 1 << PK_BITS
MAX_WORDS = 12  # more words than this in a query are not matched
WORD = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer also calls a word

# Snowball's German stop words (PostgreSQL's ``german.stop``): neither indexed nor asked for,
# so "die Schule" finds what "Schule" finds, as on PostgreSQL.
STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den
    des dem die das daß dass derselbe derselben denselben desselben demselben dieselbe
    dieselben dasselbe dazu dein deine deinem deinen deiner deines denn derer dessen dich dir
    du dies diese diesem diesen dieser dieses doch dort durch ein eine einem einen einer eines
    einig einige einigem einigen einiger einiges einmal er ihn ihm es etwas euer eure eurem
    euren eurer eures für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich
    mich mir ihr ihre ihrem ihren ihrer ihres euch im in indem ins ist jede jedem jeden jeder
    jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines
    können könnte machen man manche manchem manchen mancher manches mein meine meinem meinen
    meiner meines mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine
    seinem seinen seiner seines selbst sich sie ihnen sind so solche solchem solchen solcher
    solches soll sollte sondern sonst über um und uns unsere unserem unseren unser unseres
    unter viel vom von vor während war waren warst was weg weil weiter welche welchem welchen
    welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen wollte würde
    würden zu zum zur zwar zwischen
    """.split()
)

_local = threading.local()  # a Snowball stemmer keeps state while it stems: one per thread


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The German stem of one lower-case word ("beteiligungen" → "beteil")."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("german")
    return stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    """The stems of ``text``'s words, in order, stop words left out."""
    return [stem(word) for word in WORD.findall(text.lower()) if word not in STOP_WORDS]


def enabled() -> bool:
    return connection.vendor == "sqlite"


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A search as FTS5 understands it, read like PostgreSQL's ``websearch_to_tsquery``:
    every word must occur, ``or`` between two words lets either, ``-wort`` excludes,
    ``"zwei Wörter"`` asks for them in a row."""

    match: str  # the FTS5 expression, "" when nothing is left to ask for
    stems: frozenset[str]  # the stems a snippet marks


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _phrase(words: Sequence[str]) -> str:
    # Stems consist of letters and digits only, so quoting them is all the escaping needed.
    return '"' + " ".join(words) + '"'


def parse(q: str) -> Query:
    groups: list[list[str]] = []  # AND of ORs
    excluded: list[str] = []
    marked: set[str] = set()
    words_left = MAX_WORDS
    pending_or = False
    for negated_quote, quoted, bare in _TOKEN.findall(q):
        if words_left <= 0:
            break
        negated = bool(negated_quote) or bare.startswith("-")
        text = quoted if quoted or negated_quote else bare.lstrip("-")
        if not quoted and not negated and text.lower() == "or":
            pending_or = bool(groups)  # "or" with nothing before it is no word either
            continue
        found = stems(text)[:words_left]
        if not found:
            continue
        words_left -= len(found)
        phrase = _phrase(found)
        if negated:
            excluded.append(phrase)
            pending_or = False
            continue
        marked.update(found)
        if pending_or:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        pending_or = False
    if not groups:
        return Query(match="", stems=frozenset())
    match = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    for phrase in excluded:
        match = f"({match}) NOT {phrase}"
    return Query(match=match, stems=frozenset(marked))


def narrow(queryset: QuerySet, document: Any, query: Query) -> QuerySet:
    """``queryset`` joined to its document's index rows that match ``query`` (so ``bm25`` can
    rank it); the FTS5 table drives the join, each match finds its object by primary key."""
    if not query.match:
        return queryset.none()
    model = queryset.model
    quote = connection.ops.quote_name
    pk = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    base = document_base(document)
    # Only constants and integers go into the SQL; the query travels as a parameter.
    return queryset.extra(  # noqa: S610 – the one way to join a table Django has no model for
        tables=[TABLE],
        where=[
            f"{TABLE} MATCH %s",
            f"{TABLE}.rowid BETWEEN {base} AND {base + SPAN - 1}",
            f"{pk} = {TABLE}.rowid - {base}",
        ],
        params=[query.match],
    )


# --- the documents and their rows ------------------------------------------------------------

_documents: dict[str, Any] = {}  # name -> Document


def document_base(document: Any) -> int:
    """Where ``document``'s rows start in the index: a stable number from its name."""
    return (zlib.crc32(document.name.encode()) & 0x3FFFFF) * SPAN


def _paths(document: Any) -> tuple[str, ...]:
    return (document.title, *document.body)


def _texts(values: Iterable[Any]) -> list[str]:
    return ["" if value is None else str(value) for value in values]


def _row(document: Any, pk: int, title: str, body: Sequence[str]) -> tuple:
    if not 0 < pk < SPAN:
        raise ValueError(f"{document.name}: primary key {pk} does not fit the search index")
    return (
        document_base(document) + pk,
        document.name,
        pk,
        " ".join(stems(title)),
        " ".join(stems("\n".join(body))),
    )


def _rows_of(document: Any, queryset: QuerySet) -> list[tuple]:
    rows = []
    for pk, title, *body in queryset.order_by().values_list("pk", *_paths(document)):
        rows.append(_row(document, pk, *_texts([title]), _texts(body)))
    return rows


def _write(rows: list[tuple]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT OR REPLACE INTO {TABLE} (rowid, kind, object_id, title, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )


def _forget(document: Any, pks: Iterable[int]) -> None:
    rowids = [document_base(document) + pk for pk in pks]
    if rowids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(rowids))})",  # noqa: S608
                rowids,
            )


def _local_fields(document: Any) -> bool:
    return all("__" not in path for path in _paths(document))


def _index_instance(document: Any, instance: Model) -> None:
    if _local_fields(document):
        # The saved object holds every searched field: no query to read them back.
        title, *body = _texts(getattr(instance, path) for path in _paths(document))
        _write([_row(document, instance.pk, title, body)])
    else:
        _write(_rows_of(document, document.model._default_manager.filter(pk=instance.pk)))


def _dependencies(document: Any) -> dict[type[Model], str]:
    """Models whose fields ``document`` reads through relations, and the lookup from the
    document's model to each (``result__title`` → ``{Result: "result"}``)."""
    found: dict[type[Model], str] = {}
    for path in _paths(document):
        model, prefix = document.model, []
        for part in path.split("__")[:-1]:
            model = model._meta.get_field(part).related_model
            prefix.append(part)
            found[model] = "__".join(prefix)
    return found


# --- keeping it current ------------------------------------------------------------------------


def watch(document: Any) -> None:
    """Keep ``document``'s index rows current on every save and delete (SQLite only; a
    second call for the same document changes nothing)."""
    known = _documents.get(document.name)
    if known is not None and known != document:
        raise ValueError(f"two search documents are named {document.name!r}")
    for other in _documents.values():
        if other.name != document.name and document_base(other) == document_base(document):
            raise ValueError(f"search documents {other.name!r} and {document.name!r} collide")
    _documents[document.name] = document
    if not enabled():
        return
    uid = f"search-index-{document.name}"

    def saved(sender, instance, **kwargs):
        _index_instance(document, instance)

    def deleted(sender, instance, **kwargs):
        _forget(document, [instance.pk])

    post_save.connect(saved, sender=document.model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=document.model, weak=False, dispatch_uid=uid)
    for model, lookup in _dependencies(document).items():

        def related_saved(sender, instance, lookup=lookup, **kwargs):
            affected = document.model._default_manager.filter(**{lookup: instance.pk})
            _write(_rows_of(document, affected))

        post_save.connect(related_saved, sender=model, weak=False, dispatch_uid=f"{uid}-{lookup}")


def documents() -> list[Any]:
    return list(_documents.values())


def index_objects(model: type[Model], pks: Iterable[int]) -> None:
    """Index ``model``'s objects ``pks`` anew in every document that reads them, directly or
    through a relation (after a ``bulk_create`` or a raw write; saves need nothing)."""
    pks = list(pks)
    if not enabled() or not pks:
        return
    with transaction.atomic():  # one transaction, not one per row written
        _index_objects(model, pks)


def _index_objects(model: type[Model], pks: list[int]) -> None:
    for document in _documents.values():
        if document.model is model:
            objects = model._default_manager.filter(pk__in=pks)
            rows = _rows_of(document, objects)
            _forget(document, set(pks) - {row[2] for row in rows})
            _write(rows)
        lookup = _dependencies(document).get(model)
        if lookup is not None:
            affected = document.model._default_manager.filter(**{f"{lookup}__in": pks})
            _write(_rows_of(document, affected))


def update_rows(rows: QuerySet, **changes: Any) -> int:
    """``rows.update(**changes)``, and the index follows: an update sends no signal."""
    model = rows.model
    watched = enabled() and any(
        document.model is model or model in _dependencies(document)
        for document in _documents.values()
    )
    if not watched:
        return rows.update(**changes)
    pks = list(rows.values_list("pk", flat=True))  # before: the update may change the filter
    count = model._default_manager.filter(pk__in=pks).update(**changes)
    index_objects(model, pks)
    return count


def rebuild() -> int:
    """Empty the index and index every object of every document; returns the rows written."""
    if not enabled():
        return 0
    with transaction.atomic():  # one transaction, not one per row written; never half empty
        return _rebuild()


def _rebuild() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 – a constant
    written = 0
    for document in _documents.values():
        batch: list[tuple] = []
        objects = document.model._default_manager.order_by().values_list("pk", *_paths(document))
        for pk, title, *body in objects.iterator(chunk_size=2000):
            batch.append(_row(document, pk, *_texts([title]), _texts(body)))
            if len(batch) >= 2000:
                _write(batch)
                written += len(batch)
                batch = []
        _write(batch)
        written += len(batch)
    return written


def rebuild_after_migrate(sender, app_config=None, plan=None, using="default", **kwargs) -> None:
    """After the migration that creates the table, and after a flush (which empties every
    model's table but not this one), the index is rebuilt from the rows as they are."""
    if app_config is None or app_config.label != "workspace" or not enabled():
        return
    if using != connection.alias:
        return
    created = any(
        migration.app_label == "workspace" and migration.name == MIGRATION and not backwards
        for migration, backwards in plan or []
    )
    if plan is None or created:
        if TABLE in connection.introspection.table_names():
            rebuild()


MIGRATION = "0004_search_index"
