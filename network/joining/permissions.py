"""Who may bring people in: the network office everywhere, a contact person for their town."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from workspace.access import decide, require_login
from workspace.models import Municipality, User
from workspace.permissions import is_network_office, may_manage_staff


def may_invite(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return may_manage_staff(user, municipality)


def get_municipality_to_invite(user: User | AnonymousUser, slug: str) -> Municipality:
    """The municipality whose staff ``user`` may invite. Municipality pages are public, so
    a logged-in user who may not invite gets 403, not 404."""
    require_login(user)
    municipality = get_object_or_404(Municipality, slug=slug)
    decide(
        user,
        acts=may_invite(user, municipality),
        refusal=_("Kolleg*innen lädt die Ansprechperson der Kommune oder die Geschäftsstelle ein."),
    )
    return municipality


def require_network_office(user: User | AnonymousUser) -> None:
    decide(
        user,
        acts=is_network_office(user),
        refusal=_("Beitrittsanfragen bearbeitet die Geschäftsstelle."),
    )
