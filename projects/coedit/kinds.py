"""The kinds of versioned text that are edited together: living results and guides.

Rooms, sockets and the state services are the same for every kind; what differs is named
here once per kind: the model of the text, the model of its Yjs state row, the kind's own
write service (every version goes through it, with its side effects), and the page's own
access check. An app registers its kind in ``ready()`` (:func:`register_kind`); the
projects app registers results, the guides app guides, so nothing here imports an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from workspace.events import group_name


@dataclass(frozen=True)
class Checked:
    """What the page's access check says about one person and one text."""

    pk: int
    can_edit: bool
    revision: int
    #: The ``access.recheck`` this text's sockets listen for beside their person's: the
    #: message key and value (``("project", 7)``: the lead project's access group).
    access: tuple[str, int]


@dataclass(frozen=True)
class CoeditKind:
    """One kind of text that can be edited together."""

    #: short name: part of room keys, channel-layer groups and log lines ("result", "guide")
    name: str
    #: the versioned text (``Result``, ``Guide``); its text field is ``body``
    model: type[models.Model]
    #: its Yjs state row: primary key = the text's, fields state, revision, authors,
    #: last_editor (``ResultCoeditState``, ``GuideCoeditState``)
    state_model: type[models.Model]
    #: the kind's write service: ``update(text, by=, base_revision=, note=, body=) -> bool``
    update: Callable[..., bool]
    #: the page's own check, from the socket path's keywords: ``check(user, kwargs)``;
    #: raises ``LoginRequired``, ``Http404`` or ``PermissionDenied`` like the edit page
    check: Callable[[Any, dict[str, Any]], Checked]
    #: the group of an access key (``project_access_group`` for results)
    access_group: Callable[[int], str]
    #: what a socket that lost access is told (German msgid, translated per person)
    revoked_text: Any
    #: what an editor demoted to reader is told
    readonly_text: Any


_kinds: dict[str, CoeditKind] = {}


def register_kind(kind: CoeditKind) -> None:
    """Called once per kind from an app's ``ready()``."""
    _kinds[kind.name] = kind


def get_kind(name: str) -> CoeditKind:
    return _kinds[name]


def room_key(kind: str, pk: int) -> str:
    """The name of the room of one text, the same in every process."""
    return f"{kind}-{pk}"


def room_group(kind: str, pk: int) -> str:
    """The channel-layer group of the processes that have the room of one text open."""
    return group_name(f"coedit-{kind}", pk)
