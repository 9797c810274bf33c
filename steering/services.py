"""Every write of the steering committee: keyword-only, atomic, validated, with its event.

A committee decision reaches a lead project only through the project's own services
(``projects.services``): status steps, team roles and participants change there, by its rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import services as project_services
from projects.models import HistoricalResult, LeadProject, TeamMembership
from steering import ics
from steering.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Approval,
    Attendance,
    Committee,
    Meeting,
    Proposal,
    ProposalParty,
    ProposalVersion,
    Seat,
    Vote,
)
from steering.notifications import decided as notify_decision  # NOTIFY
from steering.permissions import (
    NOT_COMMITTEE,
    can_chair,
    can_draft,
    is_committee,
)
from workspace import mail
from workspace.events import group_name, recheck_user_on_commit, send_event_on_commit
from workspace.models import Membership, Municipality, User
from workspace.permissions import is_network_office

Kind = Proposal.Kind
Status = LeadProject.Status
Role = TeamMembership.Role


def _chair_only(by: User) -> None:
    if not can_chair(by):
        raise PermissionDenied(
            _("Das tun nur der Vorsitz des Steuerkreises und die Geschäftsstelle.")
        )


# --- seats -----------------------------------------------------------------------------------


@transaction.atomic
def seat_assign(
    *,
    by: User,
    person: User,
    municipality: Municipality | None,
    role: str = Seat.Role.MEMBER,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Seat:
    """Give ``person`` a seat for ``municipality`` (None: the network office's seat)."""
    if not is_network_office(by):
        raise PermissionDenied(_("Die Sitze des Steuerkreises verwaltet die Geschäftsstelle."))
    if municipality is None:
        if not is_network_office(person):
            raise ValidationError(
                {"person": _("Den Sitz der Geschäftsstelle hat jemand aus der Geschäftsstelle.")}
            )
    elif not Membership.objects.active().filter(user=person, municipality=municipality).exists():
        raise ValidationError(
            {"person": _("Die Person arbeitet nicht für %(town)s.") % {"town": municipality}}
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("Das Ende darf nicht vor dem Beginn liegen.")})
    overlapping = Seat.objects.filter(municipality=municipality).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise ValidationError(
            {
                "municipality": _(
                    "Dieser Sitz ist in dem Zeitraum schon besetzt. Beenden Sie zuerst die laufende Amtszeit."
                )
            }
        )
    if Seat.objects.active(starts_on).filter(person=person).exists():
        raise ValidationError({"person": _("Die Person hat schon einen Sitz im Steuerkreis.")})
    seat = Seat(
        person=person, municipality=municipality, role=role, starts_on=starts_on, ends_on=ends_on
    )
    seat.full_clean()
    seat.save()
    recheck_user_on_commit(person.pk)
    return seat


@transaction.atomic
def seat_end(*, by: User, seat: Seat, ends_on: datetime.date) -> None:
    """End a term; the row stays as the seat's history."""
    if not is_network_office(by):
        raise PermissionDenied(_("Die Sitze des Steuerkreises verwaltet die Geschäftsstelle."))
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    if seat.ends_on is not None and seat.ends_on <= ends_on:
        raise ValidationError({"ends_on": _("Diese Amtszeit ist schon beendet.")})
    if ends_on < seat.starts_on:
        raise ValidationError({"ends_on": _("Das Ende darf nicht vor dem Beginn liegen.")})
    seat.ends_on = ends_on
    seat.save(update_fields=["ends_on"])
    # A term ended as of today closes the meeting sockets now; one ending later is caught
    # at that day's change by the sockets' own re-check (workspace.presence).
    recheck_user_on_commit(seat.person_id)


@transaction.atomic
def seats_end_for(*, person: User, ends_on: datetime.date) -> int:
    """End every running seat of a person who leaves the network (off-boarding, which the
    municipality's contact or the office authorises); from ``ends_on`` on they hold none."""
    ended = 0
    # Ordered by key: the default ordering joins the (nullable) municipality, and PostgreSQL
    # cannot lock the nullable side of an outer join.
    for seat in (
        Seat.objects.select_for_update().active(ends_on).filter(person=person).order_by("pk")
    ):
        seat.ends_on = max(seat.starts_on, ends_on - datetime.timedelta(days=1))
        seat.save(update_fields=["ends_on"])
        ended += 1
    if ended:
        recheck_user_on_commit(person.pk)
    return ended


# --- proposals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A municipality a proposal names, with its contact person and what it contributes."""

    municipality: Municipality
    person: User
    contribution: str = ""
    is_lead: bool = False


def _validate_parties(kind: str, project: LeadProject | None, parties: list[Party]) -> None:
    leads = [p for p in parties if p.is_lead]
    others = [p for p in parties if not p.is_lead]
    towns = [p.municipality.pk for p in parties]
    if len(set(towns)) != len(towns):
        raise ValidationError({"parties": _("Jede Kommune steht nur einmal in der Vorlage.")})
    for party in parties:
        if not party.municipality.is_member:
            raise ValidationError(
                {"parties": _("%(town)s gehört nicht zum Netzwerk.") % {"town": party.municipality}}
            )
        if (
            not Membership.objects.active()
            .filter(user=party.person, municipality=party.municipality)
            .exists()
        ):
            raise ValidationError(
                {
                    "parties": _("%(name)s arbeitet nicht für %(town)s.")
                    % {"name": party.person.get_display_name(), "town": party.municipality}
                }
            )
    if kind == Kind.START:
        if len(leads) != 1 or leads[0].municipality.pk != project.lead_municipality_id:
            raise ValidationError(
                {
                    "parties": _(
                        "Die Vorlage nennt die Federführung des Leitprojekts mit ihrer Koordination."
                    )
                }
            )
        if not others:
            raise ValidationError(
                {
                    "parties": _(
                        "Ein kooperatives Leitprojekt braucht mindestens eine beteiligte Kommune."
                    )
                }
            )
    elif kind == Kind.ADMIT:
        if leads or len(others) != 1:
            raise ValidationError({"parties": _("Die Vorlage nennt genau eine neue Kommune.")})
        if others[0].municipality.pk == project.lead_municipality_id:
            raise ValidationError({"parties": _("Diese Kommune hat schon die Federführung.")})
    elif kind == Kind.CHANGE_LEAD:
        if others or len(leads) != 1:
            raise ValidationError(
                {
                    "parties": _(
                        "Die Vorlage nennt genau die neue Federführung mit ihrer Koordination."
                    )
                }
            )
        lead = leads[0].municipality
        if lead.pk == project.lead_municipality_id:
            raise ValidationError({"parties": _("Diese Kommune hat die Federführung schon.")})
        if not lead.is_pioneer:
            raise ValidationError({"parties": _("Die Federführung übernimmt eine Pionierkommune.")})
    elif parties:
        raise ValidationError({"parties": _("Diese Art von Vorlage nennt keine Kommunen.")})


@transaction.atomic
def proposal_create(
    *,
    by: User,
    kind: str,
    title: str,
    text: str,
    project: LeadProject | None = None,
    parties: Iterable[Party] = (),
    versions: Iterable[HistoricalResult] = (),
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    amends: Agreement | None = None,
) -> Proposal:
    """Draft a proposal. Committee members draft any; a coordinator drafts for their project."""
    if not can_draft(by):
        raise PermissionDenied(
            _(
                "Beschlussvorlagen entwerfen die Mitglieder des Steuerkreises und die Koordinationen der Leitprojekte."
            )
        )
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Diese Art von Vorlage gibt es nicht.")})
    if kind != Kind.FREE and project is None:
        raise ValidationError({"project": _("Bitte wählen Sie das Leitprojekt.")})
    if project is not None and not is_committee(by):
        if not TeamMembership.objects.filter(
            project=project, user=by, role=Role.COORDINATOR
        ).exists():
            raise PermissionDenied(
                _(
                    "Für ein Leitprojekt, das Sie nicht koordinieren, entwirft der Steuerkreis die Vorlage."
                )
            )
    parties, versions = list(parties), list(versions)
    _validate_parties(kind, project, parties)
    if kind == Kind.START and project.status != Status.PROPOSED:
        raise ValidationError(
            {"project": _("Beginnen kann nur ein Leitprojekt, das vorgeschlagen ist.")}
        )
    if kind == Kind.APPROVE_RESULTS:
        if not versions:
            raise ValidationError({"versions": _("Bitte wählen Sie die Ergebnisstände.")})
        if any(v.project_id != project.pk for v in versions):
            raise ValidationError(
                {"versions": _("Nur Ergebnisse dieses Leitprojekts können vereinbart werden.")}
            )
    elif versions:
        raise ValidationError({"versions": _("Diese Art von Vorlage vereinbart keine Ergebnisse.")})
    proposal = Proposal(
        kind=kind,
        title=title.strip(),
        text=text.strip(),
        project=project,
        starts_on=starts_on,
        ends_on=ends_on,
        amends=amends,
        drafted_by=by,
    )
    proposal.full_clean()
    proposal.save()
    ProposalParty.objects.bulk_create(
        ProposalParty(
            proposal=proposal,
            municipality=p.municipality,
            person=p.person,
            contribution=p.contribution.strip(),
            is_lead=p.is_lead,
        )
        for p in parties
    )
    ProposalVersion.objects.bulk_create(
        ProposalVersion(proposal=proposal, history_row=v) for v in versions
    )
    return proposal


# --- meetings --------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, by: User, title: str, starts_at: datetime.datetime, place: str = "", video_url: str = ""
) -> Meeting:
    _chair_only(by)
    meeting = Meeting(
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        video_url=video_url,
        created_by=by,
    )
    if not meeting.place and not meeting.video_url:
        raise ValidationError({"place": _("Bitte nennen Sie einen Ort oder einen Videolink.")})
    meeting.full_clean()
    meeting.save()
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def agenda_item_add(
    *, by: User, meeting: Meeting, title: str = "", proposal: Proposal | None = None
) -> AgendaItem:
    """Put a point, or a proposal for decision, on the agenda of a meeting not yet held."""
    _chair_only(by)
    meeting = _locked(meeting)
    if meeting.state not in (Meeting.State.PLANNED, Meeting.State.INVITED):
        raise ValidationError(
            {"proposal": _("Die Tagesordnung einer durchgeführten Sitzung bleibt, wie sie war.")}
        )
    if proposal is not None:
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != Proposal.State.DRAFT:
            raise ValidationError(
                {
                    "proposal": _(
                        "Diese Vorlage steht schon auf einer Tagesordnung oder ist entschieden."
                    )
                }
            )
        proposal.state = Proposal.State.ON_AGENDA
        proposal.save(update_fields=["state"])
        title = title or proposal.title
    if not title.strip():
        raise ValidationError({"title": _("Bitte geben Sie dem Tagesordnungspunkt einen Titel.")})
    position = meeting.items.count() + 1
    return AgendaItem.objects.create(
        meeting=meeting, position=position, title=title.strip(), proposal=proposal
    )


def _holders() -> list[Seat]:
    return list(Seat.objects.active().select_related("person", "municipality"))


@transaction.atomic
def meeting_invite(*, by: User, meeting: Meeting, notify: bool = True) -> int:
    """Invite every seat holder: a mail with the agenda and the meeting as .ics. Returns how
    many mails go out (after the commit); ``notify=False`` records an invitation sent
    elsewhere (the demo's past meeting)."""
    _chair_only(by)
    meeting = _locked(meeting)
    if meeting.state != Meeting.State.PLANNED:
        raise ValidationError({"state": _("Zu dieser Sitzung ist schon eingeladen.")})
    items = list(meeting.items.select_related("proposal"))
    if not items:
        raise ValidationError({"state": _("Die Tagesordnung ist noch leer.")})
    meeting.state = Meeting.State.INVITED
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["state", "invited_at"])
    link = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
    calendar = ics.meeting_event(meeting, items=items, link=link)
    mails = []
    for seat in _holders():
        if not seat.person.email:
            continue
        body = render_to_string(
            "steering/mail/invitation.txt",
            {"meeting": meeting, "items": items, "seat": seat, "link": link},
        )
        message = mail.build(
            subject=_("Einladung: %(title)s") % {"title": meeting.title},
            body=body,
            to=[seat.person.email],
        )
        message.attach("sitzung.ics", calendar, "text/calendar; method=REQUEST")
        mails.append(message)
    if notify:
        mail.send_on_commit(*mails)
    _meeting_event(meeting, "meeting.state", _("Die Einladung ist verschickt."))
    return len(mails)


@transaction.atomic
def meeting_open(*, by: User, meeting: Meeting, present: Iterable[Seat]) -> None:
    """Open the meeting with the seats present; from now on its proposals are voted on."""
    _chair_only(by)
    meeting = _locked(meeting)
    if meeting.state != Meeting.State.INVITED:
        raise ValidationError({"state": _("Eröffnet wird eine Sitzung, zu der eingeladen ist.")})
    active = {s.pk for s in Seat.objects.active()}
    present = list(present)
    if any(seat.pk not in active for seat in present):
        raise ValidationError({"present": _("Anwesend sein kann nur, wer heute einen Sitz hat.")})
    meeting.state = Meeting.State.HELD
    meeting.save(update_fields=["state"])
    Attendance.objects.bulk_create(Attendance(meeting=meeting, seat=seat) for seat in present)
    _meeting_event(meeting, "meeting.state", _("Die Sitzung ist eröffnet."))


@transaction.atomic
def minutes_approve(*, by: User, meeting: Meeting, minutes: str) -> None:
    """Approve the minutes: from now on the meeting is a closed record."""
    _chair_only(by)
    meeting = _locked(meeting)
    if meeting.state != Meeting.State.HELD:
        raise ValidationError({"minutes": _("Ein Protokoll gibt es erst nach der Sitzung.")})
    if meeting.items.filter(proposal__isnull=False, closed_at__isnull=True).exists():
        raise ValidationError(
            {"minutes": _("Erst werden alle Abstimmungen geschlossen, dann das Protokoll.")}
        )
    if not minutes.strip():
        raise ValidationError({"minutes": _("Bitte geben Sie das Protokoll ein.")})
    meeting.minutes = minutes.strip()
    meeting.state = Meeting.State.APPROVED
    meeting.minutes_approved_at = timezone.now()
    meeting.save(update_fields=["minutes", "state", "minutes_approved_at"])
    _meeting_event(meeting, "meeting.state", _("Das Protokoll ist genehmigt."))


# --- votes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    present: int  # voting municipalities present
    voting: int  # voting municipalities in the committee today
    quorum_percent: int

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def quorate(self) -> bool:
        """Default rule: more than half of the voting municipalities are present."""
        return self.voting > 0 and self.present * 100 > self.quorum_percent * self.voting

    @property
    def adopted(self) -> bool:
        """A majority of the votes cast (abstentions are not cast for or against)."""
        return self.quorate and self.yes > self.no


def _votes(seat: Seat, committee: Committee) -> bool:
    return seat.municipality_id is not None or committee.chair_votes


def quorum(meeting: Meeting, committee: Committee | None = None) -> tuple[int, int]:
    """(voting seats present, voting seats today) — two queries."""
    committee = committee or Committee.load()
    voting_seats = Seat.objects.active()
    if not committee.chair_votes:
        voting_seats = voting_seats.filter(municipality__isnull=False)
    counts = voting_seats.aggregate(
        voting=Count("pk"),
        present=Count("pk", filter=Q(pk__in=meeting.attendance.values("seat_id"))),
    )
    return counts["present"], counts["voting"]


def tally(item: AgendaItem, committee: Committee | None = None) -> Tally:
    committee = committee or Committee.load()
    present, voting = quorum(item.meeting, committee)
    counts = item.votes.aggregate(
        yes=Count("pk", filter=Q(choice=Vote.Choice.YES)),
        no=Count("pk", filter=Q(choice=Vote.Choice.NO)),
        abstain=Count("pk", filter=Q(choice=Vote.Choice.ABSTAIN)),
    )
    return Tally(**counts, present=present, voting=voting, quorum_percent=committee.quorum_percent)


def _open_item(item: AgendaItem) -> AgendaItem:
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting", "proposal")
        .get(pk=item.pk)
    )
    if item.meeting.state != Meeting.State.HELD:
        raise ValidationError({"choice": _("Abgestimmt wird nur in der laufenden Sitzung.")})
    if item.proposal_id is None:
        raise ValidationError(
            {"choice": _("Über diesen Tagesordnungspunkt wird nicht abgestimmt.")}
        )
    if item.closed_at is not None:
        raise ValidationError({"choice": _("Die Abstimmung ist geschlossen.")})
    return item


@transaction.atomic
def vote_cast(*, by: User, item: AgendaItem, choice: str) -> Vote:
    """``by`` casts their municipality's one vote, if today's seat, the attendance and the
    quorum allow it."""
    seat = Seat.objects.active().filter(person=by).first()
    if seat is None:
        raise PermissionDenied(NOT_COMMITTEE)
    committee = Committee.load()
    if not _votes(seat, committee):
        raise PermissionDenied(_("Die Geschäftsstelle leitet die Sitzung ohne Stimme."))
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Bitte stimmen Sie mit Ja, Nein oder Enthaltung.")})
    item = _open_item(item)
    if not Attendance.objects.filter(meeting=item.meeting, seat=seat).exists():
        raise ValidationError({"choice": _("Abstimmen kann nur, wer in der Sitzung anwesend ist.")})
    present, voting = quorum(item.meeting, committee)
    if not present * 100 > committee.quorum_percent * voting:
        raise ValidationError(
            {
                "choice": _(
                    "Der Steuerkreis ist nicht beschlussfähig: zu wenige Kommunen sind anwesend."
                )
            }
        )
    if item.votes.filter(municipality_id=seat.municipality_id).exists():
        raise ValidationError(
            {
                "choice": _("Für %(town)s ist schon abgestimmt.")
                % {"town": seat.municipality or _("die Geschäftsstelle")}
            }
        )
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                item=item, seat=seat, municipality_id=seat.municipality_id, choice=choice
            )
    except IntegrityError:
        raise ValidationError({"choice": _("Für diese Kommune ist schon abgestimmt.")}) from None
    _tally_event(item, committee, by=by)
    return vote


def _tally_event(item: AgendaItem, committee: Committee, *, by: User | None = None) -> None:
    counts = tally(item, committee)
    text = _("TOP %(n)s: %(yes)s Ja, %(no)s Nein, %(abstain)s Enthaltungen.") % {
        "n": item.position,
        "yes": counts.yes,
        "no": counts.no,
        "abstain": counts.abstain,
    }
    if item.outcome:
        text = f"{text} {item.get_outcome_display()}."
    send_event_on_commit(
        group_name("meeting", item.meeting_id),
        "meeting.tally",
        {
            "item": item.pk,
            "yes": counts.yes,
            "no": counts.no,
            "abstain": counts.abstain,
            "outcome": item.outcome,
            "outcome_label": str(item.get_outcome_display()) if item.outcome else "",
            "text": text,
        },
    )


def _meeting_event(meeting: Meeting, event: str, text: str) -> None:
    send_event_on_commit(group_name("meeting", meeting.pk), event, {"text": str(text)})


@transaction.atomic
def vote_close(*, by: User, item: AgendaItem) -> Agreement | None:
    """Close the vote; the outcome follows from the votes and the quorum. Adopted: the
    agreement is recorded and its effect carried out through the projects' services. If the
    effect cannot be carried out, nothing at all changes."""
    _chair_only(by)
    item = _open_item(item)
    committee = Committee.load()
    # One close at a time: agreements are numbered in the order they are adopted.
    list(Committee.objects.select_for_update().filter(pk=committee.pk).values_list("pk"))
    counts = tally(item, committee)
    if not counts.quorate:
        raise ValidationError(
            {
                "choice": _(
                    "Der Steuerkreis ist nicht beschlussfähig: zu wenige Kommunen sind anwesend."
                )
            }
        )
    if counts.cast == 0:
        raise ValidationError({"choice": _("Es ist noch keine Stimme abgegeben.")})
    proposal = Proposal.objects.select_for_update().get(pk=item.proposal_id)
    item.outcome = AgendaItem.Outcome.ADOPTED if counts.adopted else AgendaItem.Outcome.REJECTED
    item.closed_at = timezone.now()
    item.save(update_fields=["outcome", "closed_at"])
    agreement = None
    if counts.adopted:
        proposal.state = Proposal.State.ADOPTED
        proposal.save(update_fields=["state"])
        agreement = _agreement_record(proposal=proposal, item=item, counts=counts, by=by)
        EFFECTS[proposal.kind](agreement=agreement, by=by)
        notify_decision(agreement=agreement, by=by)  # NOTIFY
    else:
        proposal.state = Proposal.State.REJECTED
        proposal.save(update_fields=["state"])
    _tally_event(item, committee)
    return agreement


# --- agreements ------------------------------------------------------------------------------


def _next_number(day: datetime.date) -> str:
    taken = Agreement.objects.filter(number__startswith=f"{day.year}-").count()
    return f"{day.year}-{taken + 1}"


def _agreement_record(
    *, proposal: Proposal, item: AgendaItem, counts: Tally, by: User
) -> Agreement:
    day = timezone.localdate(item.meeting.starts_at)
    parties = list(proposal.parties.all())
    lead = next((p.municipality for p in parties if p.is_lead), None)
    if lead is None and proposal.project is not None and proposal.kind != Kind.CHANGE_LEAD:
        lead = proposal.project.lead_municipality
    agreement = Agreement(
        number=_next_number(day),
        kind=proposal.kind,
        title=proposal.title,
        text=proposal.text,
        proposal=proposal,
        project=proposal.project,
        lead=lead,
        starts_on=proposal.starts_on,
        ends_on=proposal.ends_on,
        meeting=item.meeting,
        item=item,
        votes_yes=counts.yes,
        votes_no=counts.no,
        votes_abstain=counts.abstain,
        present=counts.present,
        voting=counts.voting,
        amends=proposal.amends,
        adopted_on=day,
        recorded_by=by,
    )
    agreement.save()
    AgreementParty.objects.bulk_create(
        AgreementParty(
            agreement=agreement,
            municipality=p.municipality,
            person=p.person,
            is_lead=p.is_lead,
            contribution=p.contribution,
        )
        for p in parties
    )
    rows = HistoricalResult.objects.filter(
        history_id__in=proposal.versions.values("history_row_id")
    )
    Approval.objects.bulk_create(
        Approval(agreement=agreement, result_id=row.id, history_row=row) for row in rows
    )
    return agreement


def agreement_update(*, agreement: Agreement, **fields) -> None:
    """There is no such thing: an adopted agreement is a record. Amend it with a new one."""
    raise ValidationError(
        _("Eine beschlossene Vereinbarung wird nie geändert; ändern heißt: neu vereinbaren.")
    )


def _put_role(*, project: LeadProject, by: User, user: User, role: str) -> None:
    """``user`` holds ``role`` in ``project`` afterwards, through the team services."""
    membership = TeamMembership.objects.filter(project=project, user=user).first()
    if membership is None:
        project_services.team_member_add(project=project, by=by, user=user, role=role)
    elif membership.role != role:
        project_services.team_member_change_role(membership=membership, by=by, role=role)


def _decision(agreement: Agreement) -> str:
    return _("Vereinbarung %(number)s des Steuerkreises (%(meeting)s)") % {
        "number": agreement.number,
        "meeting": agreement.meeting.title,
    }


def _participants(project: LeadProject, add=(), remove=()) -> list[Municipality]:
    current = {m.pk: m for m in project.participants.all()}
    for town in add:
        current[town.pk] = town
    for town in remove:
        current.pop(town.pk, None)
    return list(current.values())


def _effect_start(*, agreement: Agreement, by: User) -> None:
    project = LeadProject.objects.get(pk=agreement.project_id)
    if project.status != Status.PROPOSED:
        raise ValidationError(
            {"choice": _("Das Leitprojekt ist nicht mehr im Stand „vorgeschlagen“.")}
        )
    parties = list(agreement.parties.select_related("municipality", "person"))
    others = [p.municipality for p in parties if not p.is_lead]
    fields = {}
    if agreement.starts_on:
        fields["starts_on"] = agreement.starts_on
    if agreement.ends_on:
        fields["ends_on"] = agreement.ends_on
    project_services.project_update(
        project=project, by=by, participants=_participants(project, add=others), **fields
    )
    project_services.project_change_status(
        project=project, by=by, to=Status.AGREED, decision=_decision(agreement)
    )
    for party in parties:
        role = Role.COORDINATOR if party.is_lead else Role.EDITOR
        _put_role(project=project, by=by, user=party.person, role=role)


def _effect_admit(*, agreement: Agreement, by: User) -> None:
    project = LeadProject.objects.get(pk=agreement.project_id)
    party = agreement.parties.select_related("municipality", "person").get()
    project_services.project_update(
        project=project, by=by, participants=_participants(project, add=[party.municipality])
    )
    _put_role(project=project, by=by, user=party.person, role=Role.EDITOR)


def _effect_change_lead(*, agreement: Agreement, by: User) -> None:
    project = LeadProject.objects.select_related("lead_municipality").get(pk=agreement.project_id)
    party = agreement.parties.select_related("municipality", "person").get()
    old_lead = project.lead_municipality
    old_coordinators = [
        m.user
        for m in project.team.select_related("user").filter(role=Role.COORDINATOR)
        if m.user_id != party.person_id
    ]
    project_services.project_update(
        project=project,
        by=by,
        lead_municipality=party.municipality,
        participants=_participants(project, add=[old_lead], remove=[party.municipality]),
    )
    _put_role(project=project, by=by, user=party.person, role=Role.COORDINATOR)
    for user in old_coordinators:
        _put_role(project=project, by=by, user=user, role=Role.EDITOR)


def _effect_complete(*, agreement: Agreement, by: User) -> None:
    project = LeadProject.objects.get(pk=agreement.project_id)
    project_services.project_change_status(
        project=project, by=by, to=Status.COMPLETED, decision=_decision(agreement)
    )


def _no_effect(*, agreement: Agreement, by: User) -> None:
    """The approval records of adopted result versions are written with the agreement;
    a free resolution is its record and nothing more."""


EFFECTS = {
    Kind.START: _effect_start,
    Kind.ADMIT: _effect_admit,
    Kind.CHANGE_LEAD: _effect_change_lead,
    Kind.COMPLETE: _effect_complete,
    Kind.APPROVE_RESULTS: _no_effect,
    Kind.FREE: _no_effect,
}
