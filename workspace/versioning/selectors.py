"""Reads of a versioned text's history: one page of versions, two versions to compare."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Length

from workspace.versioning.models import VersionedText

# What every row of a versions page loads (the kind adds its VERSION_COLUMNS); no body.
VERSION_COLUMNS = (
    "history_id",
    "id",
    "revision",
    "title",
    "history_date",
    "history_change_reason",
    "history_user__username",
    "history_user__display_name",
    "history_user__public_name",
    "history_user__first_name",
    "history_user__last_name",
)


def history_for(text: VersionedText, *, reads_hidden: bool) -> QuerySet:
    """``text``'s history rows a reader may see: all of them, or without the hidden ones."""
    rows = text.history.all()
    return rows if reads_hidden else type(text).without_hidden(rows)


def versions_of(text: VersionedText, *, reads_hidden: bool = True) -> QuerySet:
    """The versions page's rows, newest first, without loading any body (``.only``); the
    body's length comes from the database."""
    return (
        history_for(text, reads_hidden=reads_hidden)
        .select_related("history_user")
        .only(*VERSION_COLUMNS, *type(text).VERSION_COLUMNS)
        .annotate(body_length=Length("body"))
        .order_by("-revision")
    )


@dataclass(frozen=True)
class VersionPage:
    """One page of a text's versions, newest first.

    Revisions run without gaps from 1 to ``text.revision``, so a page is a range of
    revisions found through the (id, revision) index: no OFFSET, no COUNT, the same cost
    on page 1 and page 200. Hidden versions are left out for who may not read them.
    """

    text: VersionedText
    number: int
    per_page: int
    reads_hidden: bool = True

    @classmethod
    def of(
        cls, text: VersionedText, requested: str | None, *, per_page: int, reads_hidden: bool
    ) -> VersionPage:
        pages = max(1, -(-text.revision // per_page))
        try:
            number = min(max(1, int(requested or 1)), pages)
        except ValueError:
            number = 1
        return cls(text=text, number=number, per_page=per_page, reads_hidden=reads_hidden)

    @property
    def count(self) -> int:
        return self.text.revision

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def versions(self) -> list:
        top = self.count - (self.number - 1) * self.per_page
        return list(
            versions_of(self.text, reads_hidden=self.reads_hidden).filter(
                revision__lte=top, revision__gt=top - self.per_page
            )
        )


def with_change_sizes(text: VersionedText, versions: list) -> list:
    """Attach ``change`` (characters added or removed) to each row of one page, asking the
    database once for the one older neighbour the page does not hold."""
    if not versions:
        return versions
    oldest = versions[-1].revision
    # Asked even for the first page of a young text, so the page always costs the same.
    before = (
        text.history.filter(revision=oldest - 1)
        .annotate(body_length=Length("body"))
        .values_list("body_length", flat=True)
        .first()
    )
    lengths = [v.body_length for v in versions] + [before]
    for version, previous in zip(versions, lengths[1:], strict=True):
        version.change = None if previous is None else version.body_length - previous
    return versions


def newest_revisions(text: VersionedText, *, reads_hidden: bool) -> list[int]:
    """The two newest revisions the reader may compare (one, if only one is visible); the
    current revision if none is."""
    found = list(
        history_for(text, reads_hidden=reads_hidden)
        .order_by("-revision")
        .values_list("revision", flat=True)[:2]
    )
    return found or [text.revision]


def two_versions(text: VersionedText, old: int, new: int, *, reads_hidden: bool) -> dict:
    """Versions ``old`` and ``new`` of ``text`` in one query, keyed by revision; a hidden
    one is missing for who may not read it."""
    rows = (
        history_for(text, reads_hidden=reads_hidden)
        .filter(revision__in={old, new})
        .only(
            "revision",
            "title",
            "summary",
            "body",
            "history_date",
            "history_change_reason",
            *type(text).VERSION_COLUMNS,
        )
    )
    return {row.revision: row for row in rows}
