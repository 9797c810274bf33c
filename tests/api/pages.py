"""What a page lists, read from its HTML as a person reads it: the objects its links lead to.

Each link is resolved to its URL name and arguments, and knows the section it stands in
(``<section aria-labelledby=…>``) and the table (its ``<caption id=…>``) and row. So a test can
ask "which results does the results section of this page link to" without depending on the
page's markup beyond its headings and captions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve


@dataclass
class Link:
    view: str  # the URL name, with its namespace ("projects:detail")
    kwargs: dict
    text: str
    section: str | None  # the innermost section's aria-labelledby
    table: str | None  # the caption id of the table it stands in


@dataclass
class Row:
    table: str
    cells: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.rows: list[Row] = []
        self._sections: list[str | None] = []
        self._tables: list[str] = []
        self._row: Row | None = None
        self._in_cell = False
        self._link: list[str] | None = None  # [href, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self._sections.append(attrs.get("aria-labelledby"))
        elif tag == "table":
            self._tables.append("")
        elif tag == "caption" and self._tables:
            self._tables[-1] = attrs.get("id", "")
        elif tag == "tr" and self._tables:
            self._row = Row(table=self._tables[-1])
            self.rows.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._row.cells.append("")
            self._in_cell = True
        elif tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], ""]

    def handle_endtag(self, tag):
        if tag == "section" and self._sections:
            self._sections.pop()
        elif tag == "table" and self._tables:
            self._tables.pop()
            self._row = None
        elif tag == "tr":
            self._row = None
        elif tag in ("td", "th"):
            self._in_cell = False
        elif tag == "a" and self._link is not None:
            href, text = self._link
            self._link = None
            link = _resolved(href, text.strip(), self)
            if link is not None:
                self.links.append(link)
                if self._row is not None:
                    self._row.links.append(link)

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data
        if self._in_cell and self._row is not None:
            self._row.cells[-1] += data


def _resolved(href: str, text: str, reader: _Reader) -> Link | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None  # elsewhere, an anchor on the page, mail
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return Link(
        view=match.view_name,
        kwargs=match.kwargs,
        text=text,
        section=reader._sections[-1] if reader._sections else None,
        table=reader._tables[-1] if reader._tables else None,
    )


def read(response) -> _Reader:
    assert response.status_code == 200, f"{response.request['PATH_INFO']}: {response.status_code}"
    reader = _Reader()
    reader.feed(response.content.decode())
    reader.close()
    return reader


def linked(
    response, view: str, key: str, *, section: str | None = None, outside_tables=False
) -> set:
    """The ``key`` argument of every link to ``view`` on the page: in ``section`` if given,
    and not in a table if ``outside_tables``."""
    return {
        link.kwargs[key]
        for link in read(response).links
        if link.view == view
        and (section is None or link.section == section)
        and not (outside_tables and link.table is not None)
    }


def rows(response, table: str) -> list[Row]:
    """The rows of the table captioned ``table`` that link somewhere (not its head, not the
    line saying it is empty)."""
    return [row for row in read(response).rows if row.table == table and row.links]
