"""Every database write of co-editing: the Yjs state row and the versions rooms write.

The state row is seeded from the result's text exactly once, on the server, under the
result's row lock (seeding in two places would duplicate the text). Rooms write their whole
document, which is merged with whatever another process wrote in between, under the state
row's lock. A version is written under the result's row lock, so two processes firing the
same rule make one history row: the second finds the text already saved.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _
from pycrdt import Doc, Text

from projects.models import Result, ResultCoeditState
from workspace.events import group_name, send_event_on_commit
from workspace.limits import LONG_TEXT_MAX
from workspace.models import User
from workspace.validators import CONTROL_CHARACTERS

TEXT = "body"  # the name of the shared text, as the browser's ydoc.getText("body")


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


def room_group(result_id: int) -> str:
    """The channel-layer group of the processes that have the room of ``result_id`` open."""
    return group_name("coedit", result_id)


def doc_from(state: bytes) -> tuple[Doc, Text]:
    doc = Doc()
    text = doc.get(TEXT, type=Text)
    if state:
        doc.apply_update(state)
    return doc, text


def text_of(state: bytes) -> str:
    return str(doc_from(state)[1])


def apply_text_diff(text: Text, new: str) -> None:
    """Turn ``text`` into ``new`` with as small edits as a character diff finds.

    pycrdt counts UTF-8 bytes, not characters: offsets are converted, and edits are applied
    from the end so earlier offsets stay valid.
    """
    old = str(text)
    if old == new:
        return
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    a, b = old[start:end_old], new[start:end_new]
    if len(a) * len(b) <= 4_000_000:
        opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    else:
        opcodes = [("replace", 0, len(a), 0, len(b))]
    offsets = [0]
    for char in old:
        offsets.append(offsets[-1] + len(char.encode()))
    with text.doc.transaction():
        for tag, i1, i2, j1, j2 in reversed(opcodes):
            if tag == "equal":
                continue
            b1, b2 = offsets[start + i1], offsets[start + i2]
            if b2 > b1:
                del text[b1:b2]
            if j2 > j1:
                text.insert(b1, b[j1:j2])


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
    from projects import services

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
        services.result_update(
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


def coedit_body_saved(*, result: Result) -> None:
    """A save through the form (``result_update``): the same change, as a diff, in the Yjs
    state, so both paths never disagree. Open rooms get it after the commit. Called inside
    the saving transaction; nothing to do before the result was ever co-edited."""
    row = ResultCoeditState.objects.select_for_update().filter(pk=result.pk).first()
    if row is None:
        return
    doc, text = doc_from(bytes(row.state))
    if str(text) == result.body:
        return
    before = doc.get_state()
    apply_text_diff(text, result.body)
    row.state = doc.get_update()
    row.revision += 1
    row.save(update_fields=["state", "revision", "updated_at"])
    send_event_on_commit(
        room_group(result.pk),
        "coedit.update",
        {"room": result.pk, "from": "", "update": doc.get_update(before)},
    )
