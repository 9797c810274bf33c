"""The one write and the one restore of a versioned text. A kind's services call these and
add their own validation and side effects (events, notifications, co-editing) around them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from workspace.versioning.models import StaleRevision, VersionedText


def _full_clean(text: VersionedText) -> None:
    text.full_clean(exclude=["revision"])


@transaction.atomic
def text_save(
    *,
    text: VersionedText,
    by,
    base_revision: int,
    note: str = "",
    changes: dict[str, Any],
    also_allowed: tuple[str, ...] = (),
    clean: Callable[[VersionedText], None] = _full_clean,
) -> tuple[VersionedText, list[str]]:
    """Save ``changes`` as a new version of ``text`` if any of them changes it.

    Returns the locked current row and the names that changed (none: no version was
    written). The row is locked until the caller's transaction ends, so a kind's side
    effects run under the same lock. Refused with :class:`StaleRevision` when
    ``base_revision`` is not the current revision: nobody's change is ever overwritten
    unseen, and then nothing is written. ``text`` is brought up to date.
    """
    model = type(text)
    unknown = set(changes) - set(model.VERSIONED_FIELDS) - set(also_allowed)
    if unknown:
        raise TypeError(f"not a field of {model.__name__}: {sorted(unknown)}")
    current = model._base_manager.select_for_update().get(pk=text.pk)
    if current.revision != base_revision:
        raise StaleRevision(current.revision)
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, changes[name])
        clean(current)
        current._history_user = by
        current._change_reason = note.strip()
        current.save()
    for name in dict.fromkeys((*model.VERSIONED_FIELDS, *changed, "revision", "updated_at")):
        setattr(text, name, getattr(current, name))
    return current, changed


@transaction.atomic
def text_restore(
    *, text: VersionedText, revision: int, update: Callable[..., bool], base_revision: int
) -> None:
    """Write the content of version ``revision`` as a new version through the kind's own
    ``update`` service (so its side effects happen as for any save); history stays
    untouched. Refused when the version does not exist or is already the current text."""
    fields = type(text).RESTORED_FIELDS
    old = text.history.filter(revision=revision).only(*fields).first()
    if old is None:
        raise ValidationError({"revision": _("Diese Version gibt es nicht.")})
    changed = update(
        base_revision=base_revision,
        note=str(_("wiederhergestellt aus Version %(n)s") % {"n": revision}),
        **{name: getattr(old, name) for name in fields},
    )
    if not changed:
        raise ValidationError(
            {
                "revision": _("Version %(n)s ist inhaltlich schon die aktuelle Fassung.")
                % {"n": revision}
            }
        )
