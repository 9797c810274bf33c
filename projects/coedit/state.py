"""The Yjs state of a co-edited text, as the saving services need it (imports no services).

Both the result's services (:mod:`projects.services.results`: a save through the form becomes
a diff in the shared document) and co-editing's own services (:mod:`projects.coedit.services`)
import this module; it imports neither of them, so they do not import each other in a loop.
"""

from __future__ import annotations

import difflib

from pycrdt import Doc, Text

from projects.coedit.kinds import get_kind, room_group, room_key
from projects.models import Result
from workspace.events import send_event_on_commit

TEXT = "body"  # the name of the shared text, as the browser's ydoc.getText("body")


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


def coedit_text_saved(*, kind: str, pk: int, body: str) -> None:
    """A save through a form (the kind's update service): the same change, as a diff, in
    the Yjs state, so both paths never disagree. Open rooms get it after the commit. Called
    inside the saving transaction; nothing to do before the text was ever co-edited."""
    row = get_kind(kind).state_model.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        return
    doc, text = doc_from(bytes(row.state))
    if str(text) == body:
        return
    before = doc.get_state()
    apply_text_diff(text, body)
    row.state = doc.get_update()
    row.revision += 1
    row.save(update_fields=["state", "revision", "updated_at"])
    send_event_on_commit(
        room_group(kind, pk),
        "coedit.update",
        {"room": room_key(kind, pk), "from": "", "update": doc.get_update(before)},
    )


def coedit_body_saved(*, result: Result) -> None:
    """``result_update`` saved a new body: the shared document follows."""
    coedit_text_saved(kind="result", pk=result.pk, body=result.body)
