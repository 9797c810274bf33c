"""Pages of the steering committee: parse the request, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.models import Result, TeamMembership
from projects.permissions import (
    ProjectAccess,
    is_draft,
    readable_versions,
    reads_drafts,
    visible_projects,
    without_drafts,
)
from steering import public, selectors, services
from steering.forms import (
    AgendaForm,
    MeetingForm,
    MinutesForm,
    OpenForm,
    ProposalForm,
    RegisterFilterForm,
    SeatEndForm,
    SeatForm,
    VoteForm,
)
from steering.models import AgendaItem, Committee, Meeting, Proposal, Seat
from steering.permissions import (
    active_seat,
    can_chair,
    can_draft,
    get_agreement_for,
    get_meeting_for,
    get_meeting_page_for,
    get_proposal_for,
    is_committee,
    require_chair,
    require_drafter,
    require_office,
    visible_agreements,
)
from workspace.forms import form_errors_from
from workspace.pagination import paginate
from workspace.permissions import is_network_office

REGISTER_PER_PAGE = 50


def _messages_from(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    """Render a steering page with what its navigation needs to know about the user."""
    nav = {"nav_committee": is_committee(request.user), "nav_drafter": can_draft(request.user)}
    return render(request, template, {**nav, **context}, status=status)


# --- the committee and its seats -------------------------------------------------------------


@require_GET
def committee(request: HttpRequest) -> HttpResponse:
    """The committee's composition and its latest meetings: public (see steering.public)."""
    active, former = selectors.seats()
    member = is_committee(request.user)
    meetings = selectors.meetings() if member else public.public_meetings(selectors.meetings())
    return _render(
        request,
        "steering/committee.html",
        {
            "committee": Committee.load(),
            "seats": active,
            "former": former,
            "is_committee": member,
            "can_chair": can_chair(request.user),
            "can_draft": can_draft(request.user),
            "is_office": is_network_office(request.user),
            "meetings": list(meetings[:5]),
            "seat_form": SeatForm() if is_network_office(request.user) else None,
        },
    )


@require_http_methods(["GET", "POST"])
def seat_add(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    form = SeatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_assign(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Der Sitz ist besetzt."))
            return redirect("steering:committee")
    return _render(
        request, "steering/seat_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
def seat_end(request: HttpRequest, seat_id: int) -> HttpResponse:
    require_office(request.user)
    seat = get_object_or_404(Seat, pk=seat_id)
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte nennen Sie das Ende der Amtszeit."))
        return redirect("steering:committee")
    try:
        services.seat_end(by=request.user, seat=seat, ends_on=form.cleaned_data["ends_on"])
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Die Amtszeit ist beendet."))
    return redirect("steering:committee")


# --- meetings --------------------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Every meeting for the committee; the held ones for everyone else (steering.public)."""
    meetings = selectors.meetings()
    if not is_committee(request.user):
        meetings = public.public_meetings(meetings)
    page = paginate(request, meetings, per_page=REGISTER_PER_PAGE)
    return _render(
        request,
        "steering/meeting_list.html",
        {
            "page": page,
            "meetings": selectors.with_item_counts(page.object_list),
            "can_chair": can_chair(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    require_chair(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Die Sitzung ist angelegt."))
            return redirect(meeting)
    return _render(
        request, "steering/meeting_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _public_meeting(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """A held meeting as everyone outside the committee sees it (steering.public)."""
    visible = set(visible_projects(request.user).values_list("pk", flat=True))
    agreements = (
        visible_agreements(request.user).filter(meeting=meeting).values_list("pk", flat=True)
    )
    agreements = set(agreements)
    items = list(meeting.items.select_related("proposal", "agreement").order_by("position"))
    for item in items:
        item.public = public.item_is_public(request.user, item, visible)
        agreement = getattr(item, "agreement", None)
        item.public_agreement = agreement if agreement and agreement.pk in agreements else None
    return _render(
        request,
        "steering/meeting_public.html",
        {
            "meeting": meeting,
            "place_kind": public.place_kind(meeting),
            "items": items,
            "minutes": public.public_minutes(meeting),
        },
    )


@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, member = get_meeting_page_for(request.user, meeting_id)
    if not member:
        return _public_meeting(request, meeting)
    chair = can_chair(request.user)
    present, voting = services.quorum(meeting)
    committee = Committee.load()
    seat = active_seat(request.user)
    attendance = list(meeting.attendance.select_related("seat__municipality", "seat__person"))
    items = selectors.meeting_items(meeting)
    present_here = seat is not None and any(a.seat_id == seat.pk for a in attendance)
    votes_here = seat is not None and (seat.municipality_id is not None or committee.chair_votes)
    for item in items:
        item.voted_here = seat is not None and any(
            v.municipality_id == seat.municipality_id for v in item.votes.all()
        )
        item.can_vote = present_here and votes_here and not item.voted_here
    return _render(
        request,
        "steering/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "attendance": attendance,
            "present": present,
            "voting": voting,
            "quorate": services.Tally(0, 0, 0, present, voting, committee.quorum_percent).quorate,
            "committee": committee,
            "can_chair": chair,
            "seat": seat,
            "present_here": present_here,
            "choices": VoteForm.base_fields["choice"].choices,
            "agenda_form": AgendaForm()
            if chair and meeting.state in ("planned", "invited")
            else None,
            "open_form": OpenForm(
                seats=Seat.objects.active().select_related("municipality", "person")
            )
            if chair and meeting.state == Meeting.State.INVITED
            else None,
            "minutes_form": MinutesForm()
            if chair and meeting.state == Meeting.State.HELD
            else None,
            "live_url": f"/ws/steuerkreis/sitzungen/{meeting.pk}/",
        },
    )


@require_POST
def meeting_agenda(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, chair=True)
    form = AgendaForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Der Punkt steht auf der Tagesordnung."))
    else:
        messages.error(request, _("Bitte wählen Sie eine Vorlage oder geben Sie einen Titel ein."))
    return redirect(meeting)


@require_POST
def meeting_invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, chair=True)
    try:
        count = services.meeting_invite(by=request.user, meeting=meeting)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Die Einladung geht an %(n)s Personen.") % {"n": count})
    return redirect(meeting)


@require_POST
def meeting_open(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, chair=True)
    form = OpenForm(request.POST, seats=Seat.objects.active())
    if form.is_valid():
        try:
            services.meeting_open(
                by=request.user, meeting=meeting, present=form.cleaned_data["present"]
            )
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Die Sitzung ist eröffnet."))
    else:
        messages.error(request, _("Bitte kreuzen Sie an, wer anwesend ist."))
    return redirect(meeting)


@require_POST
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, chair=True)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_approve(
                by=request.user, meeting=meeting, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Das Protokoll ist genehmigt."))
    elif form.has_error("minutes", "required"):
        messages.error(request, _("Bitte geben Sie das Protokoll ein."))
    else:
        for error in form.errors["minutes"]:
            messages.error(request, error)
    return redirect(meeting)


def _item_for(request: HttpRequest, meeting_id: int, item_id: int, *, chair: bool = False):
    meeting = get_meeting_for(request.user, meeting_id, chair=chair)
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        raise Http404
    return meeting, item


@require_POST
def vote(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _item_for(request, meeting_id, item_id)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte stimmen Sie mit Ja, Nein oder Enthaltung."))
        return redirect(meeting)
    try:
        services.vote_cast(by=request.user, item=item, choice=form.cleaned_data["choice"])
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Ihre Stimme ist gezählt."))
    return redirect(f"{meeting.get_absolute_url()}#top-{item.position}")


@require_POST
def vote_close(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _item_for(request, meeting_id, item_id, chair=True)
    try:
        agreement = services.vote_close(by=request.user, item=item)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        if agreement is not None:
            messages.success(
                request, _("Angenommen: Vereinbarung %(n)s.") % {"n": agreement.number}
            )
        else:
            messages.info(request, _("Die Vorlage ist abgelehnt."))
    return redirect(meeting)


# --- proposals -------------------------------------------------------------------------------


@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    require_drafter(request.user)
    proposals = selectors.proposals()
    if not is_committee(request.user):
        proposals = proposals.filter(drafted_by=request.user)
    page = paginate(request, proposals, per_page=REGISTER_PER_PAGE)
    return _render(
        request,
        "steering/proposal_list.html",
        {"page": page, "proposals": list(page.object_list)},
    )


def _proposal_form(request: HttpRequest, data=None) -> ProposalForm:
    projects = visible_projects(request.user).not_archived().order_by("title")
    if not is_committee(request.user):
        projects = projects.filter(
            team__user=request.user, team__role=TeamMembership.Role.COORDINATOR
        )
    # Published results only: the committee agrees versions the network may read.
    results = (
        without_drafts(Result.objects.active())
        .filter(project__in=projects)
        .select_related("project")
        .order_by("project__title", "title")
    )
    return ProposalForm(
        data, projects=projects, results=results, agreements=visible_agreements(request.user)
    )


@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    require_drafter(request.user)
    form = _proposal_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parties = []
        if data["lead"]:
            parties.append(
                services.Party(data["lead"], data["lead_person"], data["lead_contribution"], True)
            )
        if data["participant"]:
            parties.append(
                services.Party(
                    data["participant"],
                    data["participant_person"],
                    data["participant_contribution"],
                )
            )
        versions = [r.history.order_by("-revision").first() for r in data["results"]]
        try:
            proposal = services.proposal_create(
                by=request.user,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                project=data["project"],
                parties=parties,
                versions=versions,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                amends=data["amends"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Die Beschlussvorlage ist angelegt."))
            return redirect(proposal)
    return _render(
        request, "steering/proposal_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_proposal_for(request.user, proposal_id)
    items = proposal.agenda_items.select_related("meeting")
    if not is_committee(request.user):
        items = items.filter(meeting__in=public.public_meetings())
    return _render(
        request,
        "steering/proposal_detail.html",
        {
            "proposal": proposal,
            "parties": list(proposal.parties.select_related("municipality", "person")),
            "versions": list(proposal.versions.select_related("history_row").order_by("pk")),
            "items": list(items),
            "agreement": getattr(proposal, "agreement", None)
            if proposal.state == Proposal.State.ADOPTED
            else None,
        },
    )


# --- agreements ------------------------------------------------------------------------------


@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    projects = visible_projects(request.user).order_by("title")
    filters = RegisterFilterForm(request.GET or None, projects=projects)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    agreements = selectors.register(
        visible_agreements(request.user),
        project=criteria.get("project"),
        municipality=criteria.get("municipality"),
    )
    page = paginate(request, agreements, per_page=REGISTER_PER_PAGE)
    return _render(
        request,
        "steering/agreement_list.html",
        {"page": page, "agreements": list(page.object_list), "filters": filters},
    )


@require_GET
def agreement_detail(request: HttpRequest, number: str) -> HttpResponse:
    agreement = get_agreement_for(request.user, number)
    approvals = list(
        agreement.approvals.select_related("history_row", "result").order_by(
            "result__title", "history_row__revision"
        )
    )
    # Drafts stay with the team (DESIGN.md): a pinned draft's text only for who may read it.
    access = None if agreement.project is None else ProjectAccess(request.user, agreement.project)
    readable = readable_versions(request.user, [a.history_row for a in approvals], access)
    for approval in approvals:
        approval.readable = approval.history_row_id in readable
        # The diff to today shows the result as it is now: for who reads the result itself.
        approval.comparable = approval.readable and (
            access is not None and (not is_draft(approval.result) or reads_drafts(access))
        )
    return _render(
        request,
        "steering/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": list(agreement.parties.select_related("municipality", "person")),
            "approvals": approvals,
            "amendments": list(agreement.amendments.all()),
            "committee_member": is_committee(request.user),
        },
    )
