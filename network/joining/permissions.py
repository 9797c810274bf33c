"""Who may bring people in: the network office everywhere, a contact person for their town."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from workspace.access import LoginRequired
from workspace.models import Municipality, User
from workspace.permissions import is_network_office, may_manage_staff


def may_invite(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return may_manage_staff(user, municipality)


def get_municipality_to_invite(user: User | AnonymousUser, slug: str) -> Municipality:
    """The municipality whose staff ``user`` may invite. Municipality pages are public, so
    a logged-in user who may not invite gets 403, not 404."""
    if not user.is_authenticated:
        raise LoginRequired
    municipality = get_object_or_404(Municipality, slug=slug)
    if not may_invite(user, municipality):
        raise PermissionDenied(
            _("Kolleg*innen lädt die Ansprechperson der Kommune oder die Geschäftsstelle ein.")
        )
    return municipality


def require_network_office(user: User | AnonymousUser) -> None:
    if not user.is_authenticated:
        raise LoginRequired
    if not is_network_office(user):
        raise PermissionDenied(_("Beitrittsanfragen bearbeitet die Geschäftsstelle."))
