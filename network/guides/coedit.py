"""Guides as a kind of co-edited text (registered in ``GuidesConfig.ready``).

The socket is ``/ws/leitfaeden/<slug>/gemeinsam/``; rooms, frames, limits, rates and
close codes are co-editing's own (:mod:`projects.coedit`), the same as for results. What is
the guides' own: who reads (``get_guide_for`` with ``body=True``: a planned guide is its
editors' only) and who writes (its authors and the office), and when an open socket must
check itself again:

- the guide becomes (or stays) planned: readers outside its editors lose the body;
- an author is taken off the guide: that person (their own ``user-<id>`` group);
- the office, deactivation, logout and the rest: the person's group, as for every socket.

These follow the model's signals, so every way a guide changes (service, admin, import)
counts. A save through the form reaches the shared document as a diff (the same signal),
as ``result_update`` does for results.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from network.guides.models import Authorship, Guide, GuideCoeditState
from network.guides.permissions import get_guide_for, is_planned
from network.guides.services import guide_update
from projects.coedit.kinds import Checked, CoeditKind, register_kind
from projects.coedit.state import coedit_text_saved
from workspace.events import (
    ACCESS_RECHECK,
    group_name,
    recheck_user_on_commit,
    send_event_on_commit,
)


def guide_access_group(guide_id: int) -> str:
    """The group every co-editing socket of guide ``guide_id`` joins."""
    return group_name("guide-access", guide_id)


def recheck_guide_on_commit(guide_id: int) -> None:
    """After commit, every open socket of guide ``guide_id`` (any process) checks anew."""
    send_event_on_commit(guide_access_group(guide_id), ACCESS_RECHECK, {"guide": guide_id})


def _check(user, kwargs) -> Checked:
    guide, access = get_guide_for(user, kwargs["slug"], body=True)
    return Checked(
        pk=guide.pk, can_edit=access.can_edit, revision=guide.revision, access=("guide", guide.pk)
    )


def _update(guide: Guide, **fields) -> bool:
    return guide_update(guide=guide, **fields)


GUIDES = CoeditKind(
    name="guide",
    model=Guide,
    state_model=GuideCoeditState,
    update=_update,
    check=_check,
    access_group=guide_access_group,
    revoked_text=_(
        "Sie haben keinen Zugriff mehr auf diesen Leitfaden. Die gemeinsame Bearbeitung wurde "
        "beendet."
    ),
    readonly_text=_(
        "Sie dürfen diesen Leitfaden nicht mehr bearbeiten. Sie lesen ab jetzt nur noch mit; "
        "Ihre weiteren Eingaben werden nicht übernommen."
    ),
)


def _guide_saved(sender, instance: Guide, raw: bool = False, **kwargs) -> None:
    if raw:
        return  # loading fixtures: nothing is open
    if is_planned(instance):
        # Planned: the body is its editors' only. Whoever else follows checks again.
        recheck_guide_on_commit(instance.pk)
    with transaction.atomic():
        coedit_text_saved(kind="guide", pk=instance.pk, body=instance.body)


def _author_removed(sender, instance: Authorship, **kwargs) -> None:
    recheck_user_on_commit(instance.person_id)


def register() -> None:
    register_kind(GUIDES)
    post_save.connect(_guide_saved, sender=Guide, dispatch_uid="guides-coedit-saved")
    post_delete.connect(_author_removed, sender=Authorship, dispatch_uid="guides-coedit-author")
