"""Writes of joining: requests, their decision, invitations and their acceptance."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.joining.models import CONSENT_VERSION, Invitation, JoinRequest
from network.joining.permissions import may_invite
from workspace import mail
from workspace import services as core
from workspace.models import Cohort, District, Membership, Municipality, User
from workspace.permissions import is_network_office
from workspace.text import german_slugify


class InvitationUnusable(Exception):  # noqa: N818 – named for what the visitor is told
    """The link cannot be used (any more); ``state`` says why: unknown, accepted, revoked, expired."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


# --- Mail ---------------------------------------------------------------------------------


def _mail(template: str, *, to: str, context: dict) -> mail.Mail:
    subject = render_to_string(f"joining/mail/{template}_subject.txt", context)
    body = render_to_string(f"joining/mail/{template}.txt", context)
    return mail.build(subject=subject, body=body, to=[to])


def _send_after_commit(message: mail.Mail) -> None:
    """Send once the decision is stored; a mail server that is down delays the mail, it is
    tried again by the worker (workspace.mail)."""
    mail.send_on_commit(message)


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Join requests ------------------------------------------------------------------------


def _find_municipality(name: str) -> Municipality | None:
    """The municipality of that name, if exactly one has it (there are several Neustadts)."""
    found = list(Municipality.objects.filter(name__iexact=name.strip())[:2])
    return found[0] if len(found) == 1 else None


def known_municipality(name: str) -> bool:
    """Whether accepting a request for ``name`` needs no district from the office."""
    return _find_municipality(name) is not None


def account_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


@transaction.atomic
def join_request_submit(
    *,
    municipality_name: str = "",
    municipality: Municipality | None = None,
    contact_name: str,
    function: str,
    email: str,
    message: str = "",
) -> JoinRequest:
    """Store a request from ``/mitmachen/``. A request for a municipality or from an address
    that already waits for a decision is joined to that first request (and decided with it).
    The municipality is the one picked from the list, or the one a typed name names."""
    name = municipality.name if municipality else " ".join(municipality_name.split())
    email = email.strip()
    first = (
        JoinRequest.objects.select_for_update()
        .open()
        .first_requests()
        # Either the same town or the same person asks again.
        .filter(Q(municipality_name__iexact=name) | Q(email__iexact=email))
        .order_by("created_at", "pk")
        .first()
    )
    join_request = JoinRequest(
        municipality_name=name,
        municipality=municipality or _find_municipality(name),
        contact_name=contact_name.strip(),
        function=function.strip(),
        email=email,
        message=message.strip(),
        consent_version=CONSENT_VERSION,
        first_request=first,
    )
    join_request.full_clean()
    join_request.save()
    return join_request


def _office_only(user: User) -> None:
    if not is_network_office(user):
        raise PermissionDenied(_("Über Beitrittsanfragen entscheidet die Geschäftsstelle."))


def _open_first_request(join_request: JoinRequest) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.first_request_id:
        raise ValidationError(
            _("Diese Anfrage gehört zu einer früheren; entschieden wird über die erste.")
        )
    if locked.status != JoinRequest.Status.OPEN:
        raise ValidationError(_("Über diese Anfrage ist schon entschieden."))
    return locked


def current_cohort(today: datetime.date | None = None) -> Cohort:
    """This year's class; the door to it stays open, so it is created when the first joins."""
    year = (today or timezone.localdate()).year
    cohort, _created = Cohort.objects.get_or_create(year=year)
    return cohort


def municipality_join(*, municipality: Municipality, today: datetime.date | None = None) -> None:
    """Make ``municipality`` a member in this year's class (a member stays as it is)."""
    if municipality.is_member:
        return
    today = today or timezone.localdate()
    municipality.is_member = True
    municipality.joined_on = today
    if municipality.cohort_id is None and not municipality.is_pioneer:
        municipality.cohort = current_cohort(today)
    municipality.full_clean()
    municipality.save()


def _municipality_for(join_request: JoinRequest, district: District | None) -> Municipality:
    municipality = join_request.municipality or _find_municipality(join_request.municipality_name)
    if municipality is not None:
        return municipality
    if district is None:
        raise ValidationError(
            {
                "district": _(
                    "„%(name)s“ ist noch nicht im Klassenraum: Bitte wählen Sie den Kreis."
                )
                % {"name": join_request.municipality_name}
            }
        )
    # A second town of the same name is told apart by its district: neustadt-kreis-olpe.
    name_slug = german_slugify(join_request.municipality_name)
    candidates = [name_slug, f"{name_slug}-{district.slug}"]
    taken = set(Municipality.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    slug = next((candidate for candidate in candidates if candidate not in taken), None)
    if slug is None:
        raise ValidationError(
            _("Es gibt schon eine Kommune mit dem Kurznamen „%(slug)s“.") % {"slug": name_slug}
        )
    municipality = Municipality(name=join_request.municipality_name, slug=slug, district=district)
    municipality.full_clean()
    municipality.save()
    return municipality


@transaction.atomic
def join_request_accept(
    *, join_request: JoinRequest, by: User, district: District | None = None
) -> list[Invitation]:
    """Accept: the municipality is created or activated and joins this year's class, and the
    contact (and whoever asked again from another address) gets an invitation by mail."""
    _office_only(by)
    join_request = _open_first_request(join_request)
    municipality = _municipality_for(join_request, district)
    municipality_join(municipality=municipality)
    now = timezone.now()
    requests = [join_request, *join_request.repeats.select_for_update().order_by("created_at")]
    invitations = []
    invited: set[str] = set()
    for position, request in enumerate(requests):
        request.municipality = municipality
        request.status = JoinRequest.Status.ACCEPTED
        request.decided_at = now
        request.decided_by = by
        request.save()
        if request.email.lower() in invited:
            continue
        invited.add(request.email.lower())
        invitations.append(
            _invite(
                municipality=municipality,
                by=by,
                email=request.email,
                name=request.contact_name,
                role=Membership.Role.CONTACT if position == 0 else Membership.Role.STAFF,
                function=request.function,
                join_request=request,
            )
        )
    return invitations


@transaction.atomic
def join_request_decline(*, join_request: JoinRequest, by: User, note: str = "") -> None:
    """Decline with a friendly mail to everyone who asked; nothing else changes."""
    _office_only(by)
    join_request = _open_first_request(join_request)
    now = timezone.now()
    notified: set[str] = set()
    for request in [join_request, *join_request.repeats.select_for_update()]:
        request.status = JoinRequest.Status.DECLINED
        request.decided_at = now
        request.decided_by = by
        request.decision_note = note.strip()
        request.save()
        if request.email.lower() in notified:
            continue
        notified.add(request.email.lower())
        _send_after_commit(
            _mail(
                "declined",
                to=request.email,
                context={"join_request": request, "note": note.strip(), "site": _link("/")},
            )
        )


# --- Invitations --------------------------------------------------------------------------


def _invite(
    *,
    municipality: Municipality,
    by: User,
    email: str,
    name: str,
    role: str,
    function: str = "",
    join_request: JoinRequest | None = None,
) -> Invitation:
    # A new invitation replaces one still pending for the same address and municipality.
    Invitation.objects.pending().filter(municipality=municipality, email__iexact=email).update(
        revoked_at=timezone.now()
    )
    token, token_hash = Invitation.new_token()
    now = timezone.now()
    invitation = Invitation(
        municipality=municipality,
        email=email,
        name=name.strip(),
        role=role,
        function=function.strip(),
        invited_by=by,
        join_request=join_request,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    link = _link(reverse("joining:invitation", kwargs={"token": token}))
    _send_after_commit(
        _mail(
            "invitation",
            to=email,
            context={
                "invitation": invitation,
                "link": link,
                "days": settings.INVITATION_VALID_DAYS,
                "from_request": join_request is not None,
            },
        )
    )
    return invitation


@transaction.atomic
def invitation_create(
    *,
    municipality: Municipality,
    by: User,
    email: str,
    name: str,
    function: str = "",
    role: str = Membership.Role.STAFF,
) -> Invitation:
    """A contact person (or the network office) invites a colleague by mail.

    Only the network office may invite further contact persons.
    """
    if not may_invite(by, municipality):
        raise PermissionDenied(
            _("Kolleg*innen lädt die Ansprechperson der Kommune oder die Geschäftsstelle ein.")
        )
    if role != Membership.Role.STAFF and not is_network_office(by):
        raise PermissionDenied(_("Weitere Ansprechpersonen benennt die Geschäftsstelle."))
    if not municipality.is_member:
        raise ValidationError(_("Einladen lässt sich nur in eine Mitgliedskommune."))
    email = email.strip()
    already = Membership.objects.active().filter(
        municipality=municipality, user__email__iexact=email
    )
    if already.exists():
        raise ValidationError(
            {"email": _("Mit dieser Adresse gehört schon jemand zu %(m)s.") % {"m": municipality}}
        )
    return _invite(
        municipality=municipality, by=by, email=email, name=name, role=role, function=function
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    if not may_invite(by, invitation.municipality):
        raise PermissionDenied(_("Diese Einladung können Sie nicht zurückziehen."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise ValidationError(_("Diese Einladung ist nicht mehr offen."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def _usable(token: str) -> Invitation:
    """The pending invitation behind ``token``, locked for this transaction."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("municipality")
        .filter(token_hash=Invitation.find_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.state != "pending":
        raise InvitationUnusable(invitation.state)
    return invitation


def _accept(invitation: Invitation, user: User) -> Membership:
    membership = core.membership_start(
        user=user,
        municipality=invitation.municipality,
        role=invitation.role,
        function=invitation.function,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, display_name: str, password: str
) -> tuple[User, Membership]:
    """Set up the invited person's account with their password; the link is used up."""
    invitation = _usable(token)
    if account_exists(invitation.email):
        raise ValidationError(
            _("Für diese Adresse gibt es schon ein Konto. Bitte melden Sie sich damit an.")
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Dieser Anmeldename ist schon vergeben.")})
    user = core.user_create(
        username=username,
        password=password,
        display_name=display_name.strip() or invitation.name,
        email=invitation.email,
    )
    return user, _accept(invitation, user)


@transaction.atomic
def invitation_accept_as(*, token: str, user: User) -> Membership:
    """Someone who already has an account takes the invitation (it must be for their address)."""
    invitation = _usable(token)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("Diese Einladung gilt für eine andere E-Mail-Adresse als die Ihres Kontos.")
        )
    return _accept(invitation, user)


def username_suggestion(email: str) -> str:
    """A free login name from the address: ``ida.imhoff@…`` → ``ida-imhoff`` (or ``-2``, …)."""
    base = german_slugify(email.split("@")[0])[:140] or "person"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
