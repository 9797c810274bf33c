"""Writes of the core. Every write is a keyword-only, atomic function."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log
from workspace.events import recheck_user_on_commit
from workspace.hooks import Handover, offboarding_steps
from workspace.models import Membership, Municipality, User
from workspace.permissions import NETWORK_OFFICE_GROUP, may_manage_staff


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
    names_change = User.objects.filter(pk=user.pk).exclude(
        display_name=user.display_name, public_name=user.public_name
    )
    if names_change.exists():
        # A kept document may print this name (or, without consent, must no longer).
        from workspace.documents.store import forget_people

        transaction.on_commit(forget_people)
    user.save(update_fields=["display_name", "public_name", "language", "mail_frequency"])
    if function is not None:
        memberships = list(Membership.objects.active().select_for_update().filter(user=user))
        if len(memberships) == 1 and memberships[0].function != function.strip():
            memberships[0].function = function.strip()
            memberships[0].save(update_fields=["function"])
    return user


def sessions_end(*, user: User) -> int:
    """Log the person out everywhere (their sessions are found by their login records)."""
    from django.contrib.sessions.models import Session

    from workspace.personal_data import sessions_of
    from workspace.sessions import sessions_delete

    keys = Session.objects.filter(sessions_of(user)).values_list("session_key", flat=True)
    deleted = sessions_delete(list(keys))
    # Deleting rows sends no signal: the open sockets of those sessions check themselves.
    recheck_user_on_commit(user.pk)
    return deleted


def offboarding_preview(*, person: User) -> list[Handover]:
    """What the person holds that their successor takes over (team roles, seats)."""
    return [handover for step in offboarding_steps() for handover in step.preview(person)]


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    by: User,
    successor: User | None = None,
    today: datetime.date | None = None,
) -> list[Handover]:
    """End a person's work for a municipality.

    When it was their last membership, everything they hold is handed to ``successor`` in the
    same step (a coordinator role is never left empty, so a successor is then required),
    committee seats end, the account is closed and every session of it ends. History keeps the
    name as it was: nothing is renamed. Returns what was handed over.
    """
    if not may_manage_staff(by, membership.municipality):
        raise PermissionDenied(
            _("Die Mitarbeit beendet die Ansprechperson der Kommune oder die Geschäftsstelle.")
        )
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("Diese Mitarbeit ist schon beendet."))
    person = membership.user
    today = today or timezone.localdate()
    last = not Membership.objects.active().filter(user=person).exclude(pk=membership.pk).exists()
    handovers = offboarding_preview(person=person) if last else []
    if successor is not None:
        if successor.pk == person.pk:
            raise ValidationError({"successor": _("Nachfolge kann nicht die Person selbst sein.")})
        if not successor.is_active:
            raise ValidationError({"successor": _("Dieses Konto ist nicht aktiv.")})
    if any(h.needs_successor for h in handovers) and successor is None:
        raise ValidationError(
            {
                "successor": _(
                    "%(name)s koordiniert ein Leitprojekt. Benennen Sie eine Nachfolge, damit "
                    "das Projekt nicht ohne Koordination bleibt."
                )
                % {"name": person.get_display_name()}
            }
        )
    membership.ended_on = max(today, membership.started_on)
    membership.save(update_fields=["ended_on"])
    security_log(
        kind=SecurityEvent.Kind.OFFBOARDED,
        account=person,
        by=by,
        detail={"municipality": membership.municipality.slug, "account_closed": last},
    )
    if last:
        for step in offboarding_steps():
            step.apply(person=person, successor=successor, by=by, today=today)
        person.is_active = False
        person.save(update_fields=["is_active"])
        transaction.on_commit(lambda: sessions_end(user=person))
    return handovers
