"""The one place that decides who may see and do what with the network's dates.

Dates are public: the list, each date's page, the calendar feeds and a topic suggestion need no
login (the Pausenhof is open to everyone). Registering for a Klassentreffen is for people of the
member municipalities and the network office; only the office creates and edits dates, plans
series and schedules suggestions. Who is registered is seen by the office only.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from network.dates.models import Appointment, FeedToken
from workspace.access import decide
from workspace.access import require_login as require_login
from workspace.models import User
from workspace.permissions import is_member_or_office, is_network_office

NOT_OFFICE = _("Termine legt die Geschäftsstelle des Netzwerks an und pflegt sie.")
NOT_MEMBER = _(
    "Zum Klassentreffen anmelden können sich Mitarbeitende der Mitgliedskommunen und die "
    "Geschäftsstelle."
)


def can_manage(user: User | AnonymousUser) -> bool:
    return is_network_office(user)


def can_register(user: User | AnonymousUser) -> bool:
    return is_member_or_office(user)


def require_office(user: User | AnonymousUser) -> None:
    decide(user, acts=can_manage(user), refusal=NOT_OFFICE)


def require_registrant(user: User | AnonymousUser) -> None:
    decide(user, acts=can_register(user), refusal=NOT_MEMBER)


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
