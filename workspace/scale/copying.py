"""COPY into PostgreSQL from generated lines, and the ids the generator hands out itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

CHUNK = 1 << 20
NULL = "\\N"


def esc(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return text


def line(*values) -> str:
    return "\t".join([esc(v) for v in values]) + "\n"


def ts(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def copy_lines(table: str, columns: Iterable[str], lines: Iterable[str]) -> int:
    """COPY ``lines`` (each already in COPY text format, ending in a newline) into ``table``."""
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        buffer: list[str] = []
        size = 0
        for text in lines:
            buffer.append(text)
            size += len(text)
            count += 1
            if size >= CHUNK:
                copy.write("".join(buffer).encode())
                buffer, size = [], 0
        if buffer:
            copy.write("".join(buffer).encode())
    return count


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[tuple]) -> int:
    return copy_lines(table, columns, (line(*row) for row in rows))


class Ids:
    """Primary keys handed out by the generator (it is the one writer while it runs);
    ``finish`` moves every sequence past them."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str, count: int, column: str = "id") -> int:
        """The first of ``count`` fresh ids of ``table``."""
        if table not in self.next:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}")  # noqa: S608
                self.next[table] = cursor.fetchone()[0]
        first = self.next[table]
        self.next[table] = first + count
        return first

    def finish(self) -> None:
        with connection.cursor() as cursor:
            for table, following in self.next.items():
                column = "history_id" if table.split("_", 1)[1].startswith("historical") else "id"
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute("SELECT setval(%s, %s, false)", [sequence, following])
