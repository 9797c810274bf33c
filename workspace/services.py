"""Writes of the core. Every write is a keyword-only, atomic function."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.db import transaction

from workspace.models import Membership, Municipality, User
from workspace.permissions import NETWORK_OFFICE_GROUP


@transaction.atomic
def user_create(
    *, username: str, password: str | None, display_name: str = "", email: str = ""
) -> User:
    user = User(username=username, display_name=display_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_start(
    *,
    user: User,
    municipality: Municipality,
    role: Membership.Role = Membership.Role.STAFF,
    function: str = "",
    started_on: datetime.date | None = None,
) -> Membership:
    """Make ``user`` staff of ``municipality``; an active membership is returned unchanged."""
    existing = Membership.objects.active().filter(user=user, municipality=municipality).first()
    if existing:
        return existing
    membership = Membership(user=user, municipality=municipality, role=role, function=function)
    if started_on:
        membership.started_on = started_on
    membership.full_clean()
    membership.save()
    return membership


def network_office_group() -> Group:
    """The network office group (created by a migration, with its global permissions)."""
    return Group.objects.get(name=NETWORK_OFFICE_GROUP)


@transaction.atomic
def network_office_add(*, user: User) -> None:
    """Put ``user`` into the network office; it may then use the administration."""
    user.groups.add(network_office_group())
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    public_name: bool,
    language: str,
    mail_frequency: str,
    function: str | None = None,
) -> User:
    """The person's own settings; ``function`` goes to their one active membership."""
    user.display_name = display_name.strip()
    user.public_name = public_name
    user.language = language
    user.mail_frequency = mail_frequency
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "public_name", "language", "mail_frequency"])
    if function is not None:
        memberships = list(Membership.objects.active().select_for_update().filter(user=user))
        if len(memberships) == 1 and memberships[0].function != function.strip():
            memberships[0].function = function.strip()
            memberships[0].save(update_fields=["function"])
    return user
