"""The core's answers to "who is this user in the network?".

Every app asks these instead of repeating the rules (DESIGN.md, "one place decides").
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from workspace.models import Membership, Municipality, User

NETWORK_OFFICE_GROUP = "Geschäftsstelle"


def is_network_office(user: User | AnonymousUser) -> bool:
    """Whether the user belongs to the network office group (cached on the user object).

    The one way the office is recognised. The group also holds every permission of the
    network's apps globally (``workspace.signals``), for Django's administration; access code
    asks this function instead of ``has_perm``, so that the office is the group and nothing
    else (a superuser, or a permission granted to someone by hand, is not the office).
    """
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_is_network_office", None)
    if cached is None:
        cached = user.groups.filter(name=NETWORK_OFFICE_GROUP).exists()
        user._is_network_office = cached
    return cached


def is_network_member(user: User | AnonymousUser) -> bool:
    """Whether the user works for a member municipality (active membership); one query, cached."""
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_is_network_member", None)
    if cached is None:
        cached = (
            Membership.objects.active().filter(user=user, municipality__is_member=True).exists()
        )
        user._is_network_member = cached
    return cached


def is_member_or_office(user: User | AnonymousUser) -> bool:
    """The network: staff of a member municipality, or the network office."""
    return is_network_member(user) or is_network_office(user)


# The same three answers for many people at once, as conditions on ``User`` (subqueries, no
# query of their own): what the background worker asks of a whole batch of followers.


def network_office_people() -> Q:
    """Everyone :func:`is_network_office` says yes to."""
    office = User.groups.through.objects.filter(group__name=NETWORK_OFFICE_GROUP)
    return Q(is_active=True, pk__in=office.values("user_id"))


def network_member_people() -> Q:
    """Everyone :func:`is_network_member` says yes to."""
    members = Membership.objects.active().filter(municipality__is_member=True)
    return Q(is_active=True, pk__in=members.values("user_id"))


def member_or_office_people() -> Q:
    """Everyone :func:`is_member_or_office` says yes to."""
    return network_member_people() | network_office_people()


def is_contact_of(user: User | AnonymousUser, municipality: Municipality) -> bool:
    """Whether ``user`` is an active contact person of ``municipality`` (one query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        Membership.objects.active()
        .filter(user=user, municipality=municipality, role=Membership.Role.CONTACT)
        .exists()
    )


def may_manage_staff(user: User | AnonymousUser, municipality: Municipality) -> bool:
    """Invite and off-board a municipality's staff: its contact persons and the network office."""
    return is_network_office(user) or is_contact_of(user, municipality)
