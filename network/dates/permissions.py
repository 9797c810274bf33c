"""The one place that decides who may see and do what with the network's dates.

Dates are public: the list, each date's page, the calendar feeds and a topic suggestion need no
login (the Pausenhof is open to everyone). Registering for a Klassentreffen is for people of the
member municipalities and the network office; only the office creates and edits dates, plans
series and schedules suggestions. Who is registered is seen by the office only.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from network.dates.models import Appointment, FeedToken
from workspace.access import LoginRequired
from workspace.models import User
from workspace.permissions import is_network_member, is_network_office

NOT_OFFICE = _("Termine legt die Geschäftsstelle des Netzwerks an und pflegt sie.")
NOT_MEMBER = _(
    "Zum Klassentreffen anmelden können sich Mitarbeitende der Mitgliedskommunen und die "
    "Geschäftsstelle."
)


def can_manage(user: User | AnonymousUser) -> bool:
    return is_network_office(user)


def can_register(user: User | AnonymousUser) -> bool:
    return is_network_member(user) or is_network_office(user)


def _refuse(user: User | AnonymousUser, message) -> None:
    if not user.is_authenticated:
        raise LoginRequired
    raise PermissionDenied(message)


def require_office(user: User | AnonymousUser) -> None:
    if not can_manage(user):
        _refuse(user, NOT_OFFICE)


def require_registrant(user: User | AnonymousUser) -> None:
    if not can_register(user):
        _refuse(user, NOT_MEMBER)


def require_login(user: User | AnonymousUser) -> None:
    if not user.is_authenticated:
        raise LoginRequired


def get_appointment_for(
    user: User | AnonymousUser, pk: int, *, manage: bool = False, register: bool = False
) -> Appointment:
    """A date with what its page needs; every date is public, acting on it is not."""
    appointment = (
        Appointment.objects.select_related("speaker", "speaker_municipality", "series")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise Http404
    if manage:
        require_office(user)
    if register:
        require_registrant(user)
    return appointment


def user_for_feed_token(token: str) -> User:
    """The owner of a personal feed; an unknown (or renewed-away) token is simply not there."""
    feed = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return feed.user
