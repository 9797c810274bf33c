"""The stored search vectors of PostgreSQL: what the apps' migrations create.

Each searched document (``workspace.search.Document``) has its weighted German vector — the
title weight A, the body weight B, the body's fields joined by a space — in a column of its
model's table, ``search_vector`` unless the document names another, with a GIN index on it.
Where every field is the row's own, the column is *generated*: PostgreSQL computes it in the
very statement that writes the row, so a save is searchable the moment it commits and no
Python code keeps it in step. A document that reads a field through a relation (a template's
title is its result's) gets a plain column kept by triggers its migration writes, in the same
transaction as the write.

Nothing here runs on SQLite (``workspace.search_index`` keeps its FTS5 table instead), and no
history table gets a column: django-simple-history copies the model's fields, and the column is
no field of the model (Django never reads or writes it).

Migrations import these functions; change them only in ways that keep old migrations right.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations

CONFIG = "german"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(columns: Sequence[str], prefix: str = "") -> str:
    """The columns as one text joined by a space, as Django's ``SearchVector`` joins them."""
    return " || ' ' || ".join(f"COALESCE({prefix}{_quoted(c)}, '')" for c in columns)


def vector_sql(title: str, body: Sequence[str] = (), *, prefix: str = "") -> str:
    """The weighted vector of ``title`` (A) and ``body`` (B) as SQL over the row's columns
    (``prefix``: e.g. ``NEW.`` in a trigger)."""
    vector = f"setweight(to_tsvector('{CONFIG}'::regconfig, {_text([title], prefix)}), 'A')"
    if body:
        vector += f" || setweight(to_tsvector('{CONFIG}'::regconfig, {_text(body, prefix)}), 'B')"
    return vector


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}"[:63]


def add_generated(
    schema_editor, table: str, title: str, body: Sequence[str] = (), column: str = "search_vector"
) -> None:
    """A generated vector column on ``table`` and its GIN index (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {_quoted(table)} ADD COLUMN {_quoted(column)} tsvector "
        f"GENERATED ALWAYS AS ({vector_sql(title, body)}) STORED"
    )
    add_index(schema_editor, table, column)
    # The planner's estimates for the new column (how common a word is) from the start.
    schema_editor.execute(f"ANALYZE {_quoted(table)} ({_quoted(column)})")


def add_index(schema_editor, table: str, column: str = "search_vector") -> None:
    schema_editor.execute(
        f"CREATE INDEX {_quoted(index_name(table, column))} ON {_quoted(table)} "
        f"USING gin ({_quoted(column)})"
    )


def drop_column(schema_editor, table: str, column: str = "search_vector") -> None:
    """The column and, with it, its index (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {_quoted(table)} DROP COLUMN {_quoted(column)}")


def drop_expression_index(schema_editor, name: str) -> None:
    """A GIN *expression* index of the search before the vectors were stored."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {_quoted(name)}")


def add_expression_index(
    schema_editor, name: str, table: str, title: str, body: Sequence[str] = ()
) -> None:
    """The expression index again (undoing a migration to stored vectors)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {_quoted(name)} ON {_quoted(table)} USING gin (({vector_sql(title, body)}))"
        )


def stored_vectors(generated: Sequence[tuple[str, str, Sequence[str], str, str | None]]):
    """A migration's operation storing generated vectors: ``generated`` lists (table, title,
    body, column, the expression index it replaces or ``None``). Undone, the columns go and the
    expression indexes come back. Nothing on SQLite."""

    def store(apps, schema_editor) -> None:
        for table, title, body, column, old_index in generated:
            if old_index:
                drop_expression_index(schema_editor, old_index)
            add_generated(schema_editor, table, title, body, column)

    def compute(apps, schema_editor) -> None:
        for table, title, body, column, old_index in generated:
            drop_column(schema_editor, table, column)
            if old_index:
                add_expression_index(schema_editor, old_index, table, title, body)

    return migrations.RunPython(store, compute, elidable=False)
