"""Every database write of co-editing: the Yjs state row and the versions rooms write.

The state row is seeded from the result's text exactly once, on the server, under the
result's row lock (seeding in two places would duplicate the text). Rooms write their whole
document, which is merged with whatever another process wrote in between, under the state
row's lock. A version is written under the result's row lock, so two processes firing the
same rule make one history row: the second finds the text already saved.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from projects.coedit.state import (  # noqa: F401  (re-exported: rooms and tests use them here)
    TEXT,
    apply_text_diff,
    coedit_body_saved,
    doc_from,
    room_group,
    text_of,
)
from projects.models import Result, ResultCoeditState
from projects.services.results import result_update
from workspace.limits import LONG_TEXT_MAX
from workspace.models import User
from workspace.validators import CONTROL_CHARACTERS


class Rule:
    """Why a version was written, as its change reason says."""

    IDLE = "idle"
    REQUESTED = "requested"
    CLOSED = "closed"


def _rule_label(rule: str) -> str:
    return {
        Rule.IDLE: _("Gemeinsam bearbeitet, gespeichert nach einer Pause"),
        Rule.REQUESTED: _("Gemeinsam bearbeitet, „Version speichern“"),
        Rule.CLOSED: _("Gemeinsam bearbeitet, gespeichert beim Verlassen"),
    }[rule]


def _retrying(operation):
    """SQLite answers a second writer's race with "locked" or a duplicate key: try again."""
    for attempt in range(20):
        try:
            return operation()
        except (IntegrityError, OperationalError):
            if attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))


def coedit_state_open(*, result_id: int) -> bytes:
    """The stored Yjs state of a result, created from its text on first use (exactly once)."""

    @transaction.atomic
    def open_or_seed() -> bytes:
        row = ResultCoeditState.objects.filter(pk=result_id).only("state").first()
        if row is not None:
            return bytes(row.state)
        result = Result.objects.select_for_update().get(pk=result_id)
        # Under the result's lock: whoever came first has seeded by now.
        row = ResultCoeditState.objects.filter(pk=result_id).only("state").first()
        if row is not None:
            return bytes(row.state)
        doc, text = doc_from(b"")
        if result.body:
            text += result.body
        state = doc.get_update()
        ResultCoeditState.objects.create(result=result, state=state)
        return state

    return _retrying(open_or_seed)


def coedit_state_save(
    *, result_id: int, state: bytes, authors: Iterable[int] = (), last_editor_id: int | None = None
) -> bytes:
    """Merge a room's whole document into the stored state; returns the merged state, which
    also holds whatever another process wrote in between."""

    @transaction.atomic
    def merge() -> bytes:
        row = ResultCoeditState.objects.select_for_update().get(pk=result_id)
        stored = bytes(row.state)
        doc, _text = doc_from(stored)
        doc.apply_update(state)
        merged = doc.get_update()
        new_authors = sorted(set(row.authors) | set(authors))
        if merged == stored and new_authors == row.authors and last_editor_id is None:
            return stored
        row.state = merged
        row.revision += 1
        row.authors = new_authors
        if last_editor_id is not None:
            row.last_editor_id = last_editor_id
        row.save()
        return merged

    return _retrying(merge)


def _note(rule: str, authors: list[User]) -> str:
    names = ", ".join(sorted(user.get_display_name() for user in authors))
    if not names:
        return _rule_label(rule)
    return _("%(rule)s – mit %(names)s") % {"rule": _rule_label(rule), "names": names}


def coedit_version_write(*, result_id: int, rule: str) -> int | None:
    """A version of the result from the stored state, if its text differs from the last
    version; with the last editor as author and every co-author since named in the reason.
    Returns the new revision, or None when there was nothing to save."""

    @transaction.atomic
    def write() -> int | None:
        result = Result.objects.select_for_update().get(pk=result_id)
        row = ResultCoeditState.objects.select_for_update().filter(pk=result_id).first()
        if row is None:
            return None
        # The rooms keep the text within the limit; a state merged from two processes at the
        # very moment both reached it may still hold more, which the save trims (the room
        # then receives the trim as a diff, like any save through the form).
        body = text_of(bytes(row.state))[:LONG_TEXT_MAX]
        # Nor can a CRDT update be refused for a control character; the save leaves them out
        # (the result's services refuse them), and the room receives that as a diff too.
        body = CONTROL_CHARACTERS.sub("", body)
        if body == result.body:
            return None
        authors = list(User.objects.filter(pk__in=row.authors))
        by = row.last_editor or (authors[0] if authors else result.created_by)
        result_update(
            result=result,
            by=by,
            base_revision=result.revision,
            note=_note(rule, authors),
            body=body,
        )
        row.authors = []
        row.save(update_fields=["authors", "updated_at"])
        return result.revision

    return _retrying(write)
