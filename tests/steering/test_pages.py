"""Agreements pin history rows; pages show exactly what was agreed; invitations go out by mail;
register and meeting pages cost the same number of queries at 1× and 10× the data."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import services as project_services
from projects.models import HistoricalResult, Result
from steering import services
from steering.models import AgendaItem, Agreement, Approval, Meeting, Proposal
from steering.services import Party
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.steering.conftest import SINCE, open_meeting
from workspace.models import Municipality

pytestmark = pytest.mark.django_db

AGREEMENT_LINK = re.compile(r"/steuerkreis/vereinbarungen/\d{4}-\d+/")

Kind = Proposal.Kind
TEXT_V2 = "# Datenmodell\n\nFassung 2 mit <b>Haken</b> & Ösen.\n"

_handler = Client().handler


def client_for(user) -> Client:
    client = Client()
    client.handler = _handler
    if user is not None:
        client.force_login(user)
    return client


def _adopt(committee, proposal, voters=("arnsberg", "soest")):
    _meeting, [item] = open_meeting(committee, proposal)
    for slug in voters:
        services.vote_cast(by=committee.delegates[slug], item=item, choice="yes")
    return services.vote_close(by=committee.chair, item=item)


@pytest.fixture
def pinned(committee, proposed_project, coordinator):
    """Version 2 of a published result, agreed by the committee."""
    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Datenmodell", body="Fassung 1",
        maturity=Result.Maturity.TESTED,
    )  # fmt: skip
    project_services.result_update(result=result, by=coordinator, base_revision=1, body=TEXT_V2)
    row = result.history.get(revision=2)
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.APPROVE_RESULTS,
        title="Datenmodell vereinbaren",
        text="Fassung 2 gilt.",
        project=proposed_project,
        versions=[row],
    )
    agreement = _adopt(committee, proposal)
    return agreement, result, row


def _row_bytes(history_id: int) -> str:
    return serializers.serialize("json", HistoricalResult.objects.filter(history_id=history_id))


def test_pinned_rows_stay_byte_for_byte_after_saves_and_a_restore(pinned, coordinator, committee):
    agreement, result, row = pinned
    before = _row_bytes(row.history_id)
    project_services.result_update(result=result, by=coordinator, base_revision=2, body="Fassung 3")
    project_services.result_restore(result=result, by=coordinator, revision=1, base_revision=3)
    project_services.result_update(
        result=result, by=coordinator, base_revision=4, title="Datenmodell (neu)"
    )
    assert result.history.count() == 5
    assert _row_bytes(row.history_id) == before
    approval = Approval.objects.get()
    assert approval.history_row_id == row.history_id and approval.agreement == agreement

    # The agreement page shows exactly the pinned text and links to its diff to today.
    page = client_for(committee.delegate).get(agreement.get_absolute_url())
    body = page.content.decode()
    assert (
        f'data-pinned="{row.history_id}">'
        "# Datenmodell\n\nFassung 2 mit &lt;b&gt;Haken&lt;/b&gt; &amp; Ösen.\n</pre>"
    ) in body
    assert "Fassung 3" not in body
    compare = reverse("projects:result-compare", args=[result.project.slug, result.pk])
    assert f"{compare}?von=2&amp;zu=5" in body
    diff = client_for(committee.delegate).get(f"{compare}?von=2&zu=5")
    assert diff.status_code == 200
    assert "Version 2" in diff.content.decode() and "Version 5" in diff.content.decode()
    # The result page shows the approval record of version 2.
    result_page = client_for(None).get(result.get_absolute_url()).content.decode()
    assert "Vom Steuerkreis vereinbart" in result_page
    assert f"Vereinbarung {agreement.number}" in result_page


def test_a_pinned_draft_shows_its_text_only_to_the_team(committee, proposed_project, coordinator):
    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Entwurf", body="Geheimer Entwurfstext"
    )
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.APPROVE_RESULTS,
        title="Entwurf vereinbaren",
        text="…",
        project=proposed_project,
        versions=[result.history.get()],
    )
    agreement = _adopt(committee, proposal)
    assert (
        "Geheimer Entwurfstext"
        in client_for(coordinator).get(agreement.get_absolute_url()).content.decode()
    )
    outside = client_for(None).get(agreement.get_absolute_url()).content.decode()
    assert "Geheimer Entwurfstext" not in outside


def test_the_invitation_mail_has_the_agenda_and_a_calendar_file(
    committee, smtp, django_capture_on_commit_callbacks
):
    proposal = services.proposal_create(
        by=committee.delegate, kind=Kind.FREE, title="Klassentreffen in Olpe", text="…"
    )
    meeting = services.meeting_create(
        by=committee.chair,
        title="3. Sitzung des Steuerkreises",
        starts_at=timezone.now(),
        place="Rathaus Olpe",
    )
    services.agenda_item_add(by=committee.chair, meeting=meeting, title="Bericht")
    services.agenda_item_add(by=committee.chair, meeting=meeting, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.meeting_invite(by=committee.chair, meeting=meeting)

    holders = {seat.person.email for seat in committee.seats.values()}
    assert count == len(holders) == 6
    assert {rcpt for m in smtp.messages for rcpt in m.rcpt_tos} == holders
    message = email.message_from_bytes(smtp.messages[0].content, policy=policy.default)
    assert message["Subject"] == "Einladung: 3. Sitzung des Steuerkreises"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "TOP 1: Bericht" in text and "TOP 2: Klassentreffen in Olpe (Beschlussvorlage)" in text
    assert "Rathaus Olpe" in text
    [calendar] = [part for part in message.iter_attachments()]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == "sitzung.ics"
    ics = calendar.get_content()
    if isinstance(ics, bytes):
        ics = ics.decode()
    assert "BEGIN:VEVENT" in ics and "SUMMARY:3. Sitzung des Steuerkreises" in ics
    assert f"UID:steuerkreis-sitzung-{meeting.pk}@" in ics
    assert "LOCATION:Rathaus Olpe" in ics


# --- query counts ----------------------------------------------------------------------------


def _grow(committee, project, n: int) -> None:
    """``n`` more adopted agreements, each admitting a town with its contact, and their votes."""
    start = Proposal.objects.count()
    for i in range(start, start + n):
        town = MunicipalityFactory(name=f"Musterdorf {i}", slug=f"musterdorf-{i}")
        contact = MembershipFactory(user__username=f"kontakt-{i}", municipality=town).user
        proposal = services.proposal_create(
            by=committee.delegate,
            kind=Kind.ADMIT,
            title=f"Beschluss {i}",
            text="…",
            project=project,
            parties=[Party(town, contact, "Daten")],
        )
        _adopt(committee, proposal, voters=("arnsberg", "olpe", "soest"))


def _meeting_with_votes(committee, items: int):
    proposals = [
        services.proposal_create(by=committee.delegate, kind=Kind.FREE, title=f"V{i}", text="…")
        for i in range(items)
    ]
    meeting, agenda = open_meeting(committee, *proposals)
    for item in agenda:
        for slug in ("arnsberg", "olpe", "soest"):
            services.vote_cast(by=committee.delegates[slug], item=item, choice="yes")
    return meeting


@pytest.mark.parametrize("user", ["anonymous", "committee"])
def test_the_register_costs_the_same_at_tenfold(
    committee, proposed_project, django_assert_num_queries, user
):
    client = client_for(None if user == "anonymous" else committee.delegate)
    url = reverse("steering:agreements")
    filtered = (
        f"{url}?project={proposed_project.slug}&municipality={committee.towns['menden'].slug}"
    )
    _grow(committee, proposed_project, 2)
    client.get(url)  # warm: session, caches
    queries = {u: _count(client, u) for u in (url, filtered)}
    _grow(committee, proposed_project, 18)
    for each in (url, filtered):
        with django_assert_num_queries(queries[each]):
            response = client.get(each)
    assert len(AGREEMENT_LINK.findall(response.content.decode())) == 20  # all led by Menden
    town = Municipality.objects.get(slug="musterdorf-7")
    page = client.get(f"{url}?municipality={town.slug}").content.decode()
    assert AGREEMENT_LINK.findall(page) == [
        Agreement.objects.get(title="Beschluss 7").get_absolute_url()
    ]


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_the_meeting_page_costs_the_same_at_tenfold(committee, django_assert_num_queries):
    small = _meeting_with_votes(committee, 1)
    big = _meeting_with_votes(committee, 10)
    client = client_for(committee.chair)
    client.get(small.get_absolute_url())
    queries = _count(client, small.get_absolute_url())
    with django_assert_num_queries(queries):
        response = client.get(big.get_absolute_url())
    assert response.content.decode().count('data-count="yes">3<') == 10


def test_party_contributions_appear_on_the_agreement_page(
    committee, proposed_project, coordinator, iserlohn, editor
):
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.START,
        title="Beginnen",
        text="Los.",
        project=proposed_project,
        parties=[
            Party(committee.towns["menden"], coordinator, "Leitung und Betrieb", True),
            Party(iserlohn, editor, "Pilotdaten"),
        ],
    )
    agreement = _adopt(committee, proposal)
    body = client_for(None).get(agreement.get_absolute_url()).content.decode()
    assert "Leitung und Betrieb" in body and "Pilotdaten" in body
    project_page = client_for(None).get(proposed_project.get_absolute_url()).content.decode()
    assert f"Vereinbarung {agreement.number}: Beginnen" in project_page


def test_a_start_proposal_walks_through_the_pages(
    committee, proposed_project, coordinator, iserlohn, editor
):
    """Drafted in the form, put on the agenda, invited, opened, voted, closed: all by HTTP."""
    menden = committee.towns["menden"]
    drafter = client_for(coordinator)
    form = {
        "kind": "start",
        "title": "Datenplattform beginnen",
        "text": "Menden führt.",
        "project": proposed_project.get_absolute_url(),
        "lead": menden.slug,
        "lead_person": coordinator.username,
        "lead_contribution": "Leitung",
        "starts_on": "2026-02-01",
        "ends_on": "2027-01-31",
    }
    # Without a participating town, the form comes back with the reason; nothing is stored.
    response = drafter.post(reverse("steering:proposal-create"), form)
    assert response.status_code == 400
    assert "mindestens eine beteiligte Kommune" in response.content.decode()
    assert not Proposal.objects.exists()
    form |= {
        "participant": iserlohn.slug,
        "participant_person": editor.username,
        "participant_contribution": "Pilotdaten",
    }
    response = drafter.post(reverse("steering:proposal-create"), form)
    proposal = Proposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()

    chair = client_for(committee.chair)
    chair.post(
        reverse("steering:meeting-create"),
        {"title": "Sitzung", "starts_at": "2030-01-10T10:00", "place": "Olpe", "video_url": ""},
    )
    meeting = Meeting.objects.get()
    chair.post(reverse("steering:meeting-agenda", args=[meeting.pk]), {"proposal": proposal.pk})
    chair.post(reverse("steering:meeting-invite", args=[meeting.pk]))
    present = [committee.seats[s].pk for s in ("arnsberg", "olpe", "soest", "office")]
    chair.post(reverse("steering:meeting-open", args=[meeting.pk]), {"present": present})
    item = AgendaItem.objects.get()
    for slug, choice in (("arnsberg", "yes"), ("olpe", "yes"), ("soest", "abstain")):
        client_for(committee.delegates[slug]).post(
            reverse("steering:vote", args=[meeting.pk, item.pk]), {"choice": choice}
        )
    page = chair.get(meeting.get_absolute_url()).content.decode()
    assert 'data-count="yes">2<' in page and 'data-count="abstain">1<' in page
    response = chair.post(reverse("steering:vote-close", args=[meeting.pk, item.pk]), follow=True)
    assert "Angenommen: Vereinbarung" in response.content.decode()
    proposed_project.refresh_from_db()
    assert proposed_project.status == "agreed"
    agreement = Agreement.objects.get()
    assert (agreement.votes_yes, agreement.votes_abstain, agreement.present) == (2, 1, 3)
    chair.post(reverse("steering:meeting-minutes", args=[meeting.pk]), {"minutes": "Angenommen."})
    assert Meeting.objects.get().state == "approved"


def test_the_meeting_list_and_committee_page_cost_the_same_at_tenfold(
    committee, django_assert_num_queries
):
    client = client_for(committee.chair)
    pages = [reverse("steering:meetings"), reverse("steering:committee")]

    def more(n: int, start: int) -> None:
        for i in range(start, start + n):
            meeting = services.meeting_create(
                by=committee.chair, title=f"Sitzung {i}", starts_at=timezone.now(), place="Olpe"
            )
            services.agenda_item_add(by=committee.chair, meeting=meeting, title="Bericht")
            town = MunicipalityFactory(name=f"Ehemalig {i}", slug=f"ehemalig-{i}")
            person = MembershipFactory(user__username=f"ehemalig-{i}", municipality=town).user
            seat = services.seat_assign(
                by=committee.office, person=person, municipality=town, starts_on=SINCE
            )
            services.seat_end(by=committee.office, seat=seat, ends_on=SINCE)

    more(1, 0)
    for page in pages:
        client.get(page)  # warm: the committee's rules are created on first use
    counts = {page: _count(client, page) for page in pages}
    more(9, 1)
    for page in pages:
        with django_assert_num_queries(counts[page]):
            response = client.get(page)
    assert response.content.decode().count("Ehemalig") == 10


def test_an_absent_delegate_is_told_why_there_is_no_vote(committee):
    meeting, _items = open_meeting(
        committee,
        services.proposal_create(by=committee.delegate, kind=Kind.FREE, title="F", text="B"),
    )
    absent = client_for(committee.delegates["menden"]).get(meeting.get_absolute_url())
    body = absent.content.decode()
    assert "nicht als anwesend erfasst" in body
    assert 'name="choice"' not in body
    present = client_for(committee.delegate).get(meeting.get_absolute_url()).content.decode()
    assert "nicht als anwesend erfasst" not in present and 'name="choice"' in present
