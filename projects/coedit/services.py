"""Every database write of co-editing: the Yjs state row and the versions rooms write.

For every kind of text alike (:mod:`.kinds`: results, guides). The state row is seeded from
the text exactly once, on the server, under the text's row lock (seeding in two places would
duplicate the text). Rooms write their whole document, which is merged with whatever another
process wrote in between, under the state row's lock. A version is written through the
kind's own update service under the text's row lock, so two processes firing the same rule
make one history row: the second finds the text already saved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from projects.coedit.kinds import get_kind
from projects.coedit.state import (  # noqa: F401  (re-exported: rooms and tests use them here)
    TEXT,
    apply_text_diff,
    coedit_body_saved,
    doc_from,
    text_of,
)
from workspace.limits import LONG_TEXT_MAX
from workspace.models import User
from workspace.validators import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)


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


def coedit_state_open(*, kind: str, pk: int) -> bytes:
    """The stored Yjs state of a text, created from its body on first use (exactly once)."""
    kind_ = get_kind(kind)
    states = kind_.state_model.objects

    @transaction.atomic
    def open_or_seed() -> bytes:
        row = states.filter(pk=pk).only("state").first()
        if row is not None:
            return bytes(row.state)
        text_row = kind_.model._base_manager.select_for_update().get(pk=pk)
        # Under the text's lock: whoever came first has seeded by now.
        row = states.filter(pk=pk).only("state").first()
        if row is not None:
            return bytes(row.state)
        doc, text = doc_from(b"")
        if text_row.body:
            text += text_row.body
        state = doc.get_update()
        states.create(pk=pk, state=state)
        return state

    return _retrying(open_or_seed)


def coedit_state_save(
    *,
    kind: str,
    pk: int,
    state: bytes,
    authors: Iterable[int] = (),
    last_editor_id: int | None = None,
) -> bytes:
    """Merge a room's whole document into the stored state; returns the merged state, which
    also holds whatever another process wrote in between."""
    states = get_kind(kind).state_model.objects

    @transaction.atomic
    def merge() -> bytes:
        row = states.select_for_update().get(pk=pk)
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


def _note(rule: str, authors: list[User], note: str = "") -> str:
    """The change reason: the person's own note first (from "Version speichern"), then how
    and with whom the text was written."""
    names = ", ".join(sorted(user.get_display_name() for user in authors))
    how = _rule_label(rule)
    if names:
        how = _("%(rule)s – mit %(names)s") % {"rule": how, "names": names}
    return f"{note} ({how})" if note else how


# What a note of "Version speichern" may hold: as the edit form's note.
NOTE_MAX = 300


def coedit_version_write(*, kind: str, pk: int, rule: str, note: str = "") -> int | None:
    """A version of the text from the stored state, if it differs from the last version;
    with the last editor as author, ``note`` and every co-author since named in the reason,
    written by the kind's own update service. Returns the new revision, or None when there
    was nothing to save."""
    kind_ = get_kind(kind)
    note = " ".join(CONTROL_CHARACTERS.sub("", note).split())[:NOTE_MAX]

    @transaction.atomic
    def write() -> int | None:
        current = kind_.model._base_manager.select_for_update().get(pk=pk)
        row = kind_.state_model.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return None
        # The rooms keep the text within the limit; a state merged from two processes at the
        # very moment both reached it may still hold more, which the save trims (the room
        # then receives the trim as a diff, like any save through the form).
        body = text_of(bytes(row.state))[:LONG_TEXT_MAX]
        # Nor can a CRDT update be refused for a control character; the save leaves them out
        # (the kinds' services refuse them), and the room receives that as a diff too.
        body = CONTROL_CHARACTERS.sub("", body)
        if body == current.body:
            return None
        authors = list(User.objects.filter(pk__in=row.authors))
        by = row.last_editor or (authors[0] if authors else current.created_by)
        try:
            kind_.update(
                current,
                by=by,
                base_revision=current.revision,
                note=_note(rule, authors, note),
                body=body,
            )
        except ValidationError as error:
            # A rule of the kind the text breaks now (a published guide left without any
            # text): no version; the shared document is kept, and the next edit tries again.
            logger.warning("Gemeinsame Bearbeitung: keine Version von %s-%s: %s", kind, pk, error)
            return None
        row.authors = []
        row.save(update_fields=["authors", "updated_at"])
        return current.revision

    return _retrying(write)
