"""The one place that decides who may see and do what in the steering committee.

Committee rights come from the seat a person holds today, checked at request time (DESIGN.md):
a term that ended yesterday gives no rights today, without anyone revoking anything. The network
office runs the committee's business (seats, meetings) through its group. What of the
committee everyone may see is decided in :mod:`steering.public`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from projects.models import TeamMembership
from projects.permissions import ProjectAccess, visible_projects
from steering.models import Agreement, Meeting, Proposal, Seat
from steering.public import is_public_meeting
from workspace.access import decide
from workspace.models import User
from workspace.permissions import is_network_member, is_network_office

NOT_COMMITTEE = _("Das sieht und tut nur der Steuerkreis.")
NOT_CHAIR = _("Das tun nur der Vorsitz des Steuerkreises und die Geschäftsstelle.")
NOT_OFFICE = _("Die Sitze des Steuerkreises verwaltet die Geschäftsstelle.")
NOT_DRAFTER = _(
    "Beschlussvorlagen entwerfen die Mitglieder des Steuerkreises und die Koordinationen der "
    "Leitprojekte."
)


def active_seat(user: User | AnonymousUser) -> Seat | None:
    """The seat ``user`` holds today, if any (one query, cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_active_seat"):
        # The person of a request comes with the id of today's seat (steering/apps.py): most
        # people hold none, and then no query is needed.
        if getattr(user, "_active_seat_id", True) is None:
            user._active_seat = None
        else:
            user._active_seat = (
                Seat.objects.active().select_related("municipality").filter(person=user).first()
            )
    return user._active_seat


def active_seat_annotation() -> dict[str, Subquery]:
    """The id of the seat a person holds today, for the query that loads a request's person."""
    today = Seat.objects.active().filter(person=OuterRef("pk")).order_by("pk").values("pk")[:1]
    return {"_active_seat_id": Subquery(today)}


def is_committee(user: User | AnonymousUser) -> bool:
    """Whether ``user`` sits in the committee today, or runs it as the network office."""
    return active_seat(user) is not None or is_network_office(user)


def can_chair(user: User | AnonymousUser) -> bool:
    """The chair (and deputy) of today, and the network office, run meetings."""
    seat = active_seat(user)
    if seat is not None and seat.role in (Seat.Role.CHAIR, Seat.Role.DEPUTY):
        return True
    return is_network_office(user)


def can_draft(user: User | AnonymousUser) -> bool:
    """Committee members draft proposals; so does whoever coordinates a lead project."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_committee(user):
        return True
    return user.team_memberships.filter(role=TeamMembership.Role.COORDINATOR).exists()


def require_committee(user) -> None:
    decide(user, acts=is_committee(user), refusal=NOT_COMMITTEE)


def require_chair(user) -> None:
    decide(user, acts=can_chair(user), refusal=NOT_CHAIR)


def require_office(user) -> None:
    decide(user, acts=is_network_office(user), refusal=NOT_OFFICE)


def require_drafter(user) -> None:
    decide(user, acts=can_draft(user), refusal=NOT_DRAFTER)


def visible_agreements(user: User | AnonymousUser) -> QuerySet[Agreement]:
    """Decisions follow their project; free resolutions are for the network. The committee
    sees every decision."""
    agreements = Agreement.objects.all()
    if is_committee(user):
        return agreements
    allowed = Q(project__in=visible_projects(user).values("pk"))
    if is_network_member(user):
        allowed |= Q(project__isnull=True)
    return agreements.filter(allowed)


def agreement_visible(user: User | AnonymousUser, agreement: Agreement) -> bool:
    """One agreement by the rule of :func:`visible_agreements` (its project loaded)."""
    if is_committee(user):
        return True
    if agreement.project is None:
        return is_network_member(user)
    return ProjectAccess(user, agreement.project).can_view


def get_meeting_for(user: User | AnonymousUser, meeting_id: int, *, chair: bool = False):
    """A meeting and its deliberations: only for the committee (everyone else: 404 or login)."""
    decide(user, sees=is_committee(user))
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    if chair:
        require_chair(user)
    return meeting


def get_meeting_page_for(user: User | AnonymousUser, meeting_id: int) -> tuple[Meeting, bool]:
    """A meeting's page and whether ``user`` reads all of it (the committee) or its public
    part (everyone else, once the meeting is held; before that: 404 or login)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    member = is_committee(user)
    decide(user, sees=meeting is not None and (member or is_public_meeting(meeting)))
    return meeting, member


def get_proposal_for(user: User | AnonymousUser, proposal_id: int) -> Proposal:
    """A proposal: the committee's and its drafter's (a coordinator sees their own draft);
    once adopted, everyone's who may see the agreement it became."""
    proposal = (
        Proposal.objects.select_related("project", "drafted_by", "amends")
        .filter(pk=proposal_id)
        .first()
    )
    decide(
        user,
        sees=proposal is not None
        and (
            is_committee(user)
            or proposal.drafted_by_id == user.pk
            or (
                proposal.state == Proposal.State.ADOPTED
                and agreement_visible(user, proposal.agreement)
            )
        ),
    )
    return proposal


def get_agreement_for(user: User | AnonymousUser, number: str) -> Agreement:
    """An agreement, for whoever may see its project (anonymous: public projects only)."""
    agreement = (
        Agreement.objects.select_related(
            "project__lead_municipality", "lead", "meeting", "amends", "proposal"
        )
        .filter(number=number)
        .first()
    )
    decide(user, sees=agreement is not None and agreement_visible(user, agreement))
    return agreement
