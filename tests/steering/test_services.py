"""Each kind of proposal, walked from draft to agreement, with its effect on the project.

draft → agenda → invited meeting → opened with quorum → votes → closed → adopted → agreement.
Every refusal leaves the database exactly as it was (``snapshot``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from projects import services as project_services
from projects.models import LeadProject, LeadProjectUserObjectPermission, TeamMembership
from steering import services
from steering.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Approval,
    Meeting,
    Proposal,
    Seat,
    Vote,
)
from steering.services import Party
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.steering.conftest import open_meeting

pytestmark = pytest.mark.django_db

Kind = Proposal.Kind
Status = LeadProject.Status
Role = TeamMembership.Role


def roles_in(project) -> dict[str, str]:
    return dict(
        TeamMembership.objects.filter(project=project).values_list("user__username", "role")
    )


def grants(project, user) -> set[str]:
    return set(
        LeadProjectUserObjectPermission.objects.filter(
            content_object=project, user=user
        ).values_list("permission__codename", flat=True)
    )


def snapshot() -> dict:
    return {
        "votes": sorted(Vote.objects.values_list("pk", "item_id", "municipality_id", "choice")),
        "items": sorted(AgendaItem.objects.values_list("pk", "outcome", "closed_at")),
        "proposals": sorted(Proposal.objects.values_list("pk", "state")),
        "agreements": sorted(Agreement.objects.values_list()),
        "parties": sorted(AgreementParty.objects.values_list()),
        "approvals": sorted(Approval.objects.values_list()),
        "projects": sorted(LeadProject.objects.values_list("pk", "status", "lead_municipality_id")),
        "team": sorted(TeamMembership.objects.values_list("project_id", "user_id", "role")),
        "meetings": sorted(Meeting.objects.values_list("pk", "state", "minutes")),
    }


def vote_all(committee, item, choices: dict[str, str]) -> None:
    for slug, choice in choices.items():
        services.vote_cast(by=committee.delegates[slug], item=item, choice=choice)


YES3 = {"arnsberg": "yes", "olpe": "yes", "soest": "no"}


def adopt(committee, proposal, choices=YES3) -> Agreement:
    _meeting, [item] = open_meeting(committee, proposal)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ON_AGENDA
    vote_all(committee, item, choices)
    agreement = services.vote_close(by=committee.chair, item=item)
    assert agreement is not None
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ADOPTED
    return agreement


# --- each kind, draft to effect ------------------------------------------------------------


def test_start_a_cooperative_project(committee, proposed_project, coordinator, iserlohn, editor):
    menden_contact = committee.delegates["menden"]
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.START,
        title="Offene Datenplattform beginnen",
        text="Menden führt, Iserlohn liefert Pilotdaten.",
        project=proposed_project,
        parties=[
            Party(committee.towns["menden"], menden_contact, "Projektleitung, Betrieb", True),
            Party(iserlohn, editor, "Pilotdaten und Datenmodell"),
        ],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )
    assert proposal.state == Proposal.State.DRAFT

    agreement = adopt(committee, proposal)

    proposed_project.refresh_from_db()
    assert proposed_project.status == Status.AGREED
    assert (agreement.votes_yes, agreement.votes_no, agreement.votes_abstain) == (2, 1, 0)
    assert (agreement.present, agreement.voting) == (3, 5)
    assert agreement.lead == committee.towns["menden"]
    assert list(proposed_project.participants.all()) == [iserlohn]
    assert proposed_project.starts_on == datetime.date(2026, 1, 1)
    # The lead's named person coordinates; the participant's contact edits.
    assert roles_in(proposed_project) == {
        "koordination-menden": Role.COORDINATOR,
        "steuerkreis-menden": Role.COORDINATOR,
        "team-iserlohn": Role.EDITOR,
    }
    assert grants(proposed_project, editor) == {"view_leadproject", "edit_results"}
    assert "manage_team" in grants(proposed_project, menden_contact)
    # The step is in the project's own history, with the agreement as its reason.
    step = proposed_project.history.filter(status=Status.AGREED).get()
    assert agreement.number in step.history_change_reason
    assert [p.contribution for p in agreement.parties.all()] == [
        "Projektleitung, Betrieb",
        "Pilotdaten und Datenmodell",
    ]


def _running(project, committee, coordinator, iserlohn, editor):
    proposal = services.proposal_create(
        by=committee.delegate,
        kind=Kind.START,
        title="Beginnen",
        text="Los.",
        project=project,
        parties=[
            Party(committee.towns["menden"], coordinator, "Leitung", True),
            Party(iserlohn, editor, "Daten"),
        ],
    )
    adopt(committee, proposal)
    project_services.project_change_status(project=project, by=coordinator, to=Status.RUNNING)
    return project


def test_admit_a_participant(committee, proposed_project, coordinator, iserlohn, editor):
    _running(proposed_project, committee, coordinator, iserlohn, editor)
    hemer = MunicipalityFactory(name="Hemer", slug="hemer")
    contact = MembershipFactory(user__username="kontakt-hemer", municipality=hemer).user
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.ADMIT,
        title="Hemer aufnehmen",
        text="Hemer bringt Verkehrsdaten ein.",
        project=proposed_project,
        parties=[Party(hemer, contact, "Verkehrsdaten")],
    )
    adopt(committee, proposal)
    assert set(proposed_project.participants.all()) == {iserlohn, hemer}
    assert roles_in(proposed_project)["kontakt-hemer"] == Role.EDITOR
    assert grants(proposed_project, contact) == {"view_leadproject", "edit_results"}


def test_change_the_lead(committee, proposed_project, coordinator, iserlohn, editor):
    _running(proposed_project, committee, coordinator, iserlohn, editor)
    soest_contact = committee.delegates["soest"]
    proposal = services.proposal_create(
        by=committee.delegate,
        kind=Kind.CHANGE_LEAD,
        title="Soest übernimmt die Federführung",
        text="Menden gibt ab.",
        project=proposed_project,
        parties=[Party(committee.towns["soest"], soest_contact, "Federführung", True)],
    )
    adopt(committee, proposal)
    proposed_project.refresh_from_db()
    assert proposed_project.lead_municipality == committee.towns["soest"]
    assert committee.towns["menden"] in proposed_project.participants.all()
    assert roles_in(proposed_project) == {
        "steuerkreis-soest": Role.COORDINATOR,
        "koordination-menden": Role.EDITOR,
        "team-iserlohn": Role.EDITOR,
    }
    assert grants(proposed_project, coordinator) == {"view_leadproject", "edit_results"}


def test_complete_a_project(committee, proposed_project, coordinator, iserlohn, editor):
    _running(proposed_project, committee, coordinator, iserlohn, editor)
    proposal = services.proposal_create(
        by=committee.delegate,
        kind=Kind.COMPLETE,
        title="Abschließen",
        text="Alle Ergebnisse liegen vor.",
        project=proposed_project,
    )
    agreement = adopt(committee, proposal)
    proposed_project.refresh_from_db()
    assert proposed_project.status == Status.COMPLETED
    assert (
        agreement.number
        in proposed_project.history.get(status=Status.COMPLETED).history_change_reason
    )


def test_adopt_result_versions(committee, proposed_project, coordinator):
    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Datenmodell", body="Fassung 1"
    )
    project_services.result_update(result=result, by=coordinator, base_revision=1, body="Fassung 2")
    row = result.history.get(revision=2)
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.APPROVE_RESULTS,
        title="Datenmodell vereinbaren",
        text="Fassung 2 gilt.",
        project=proposed_project,
        versions=[row],
    )
    agreement = adopt(committee, proposal)
    approval = Approval.objects.get()
    assert (approval.agreement, approval.result, approval.history_row) == (agreement, result, row)
    assert approval.history_row.body == "Fassung 2"


def test_free_resolution_has_no_effect_but_the_record(committee):
    before = {k: v for k, v in snapshot().items() if k in ("projects", "team")}
    proposal = services.proposal_create(
        by=committee.delegate,
        kind=Kind.FREE,
        title="Klassentreffen in Olpe",
        text="Das nächste Klassentreffen findet in Olpe statt.",
    )
    agreement = adopt(committee, proposal)
    assert agreement.project is None and agreement.text.startswith("Das nächste")
    assert {k: v for k, v in snapshot().items() if k in ("projects", "team")} == before


def test_a_rejected_proposal_changes_no_project(committee, proposed_project, coordinator):
    proposal = services.proposal_create(
        by=coordinator, kind=Kind.COMPLETE, title="Abschließen", text="…", project=proposed_project
    )
    _meeting, [item] = open_meeting(committee, proposal)
    vote_all(committee, item, {"arnsberg": "no", "olpe": "abstain", "soest": "yes"})
    assert services.vote_close(by=committee.chair, item=item) is None
    item.refresh_from_db()
    proposal.refresh_from_db()
    assert (item.outcome, proposal.state) == ("rejected", "rejected")
    assert Agreement.objects.count() == 0
    proposed_project.refresh_from_db()
    assert proposed_project.status == Status.PROPOSED


def test_an_amendment_refers_to_the_old_agreement(committee):
    first = adopt(
        committee,
        services.proposal_create(by=committee.delegate, kind=Kind.FREE, title="A", text="Eins"),
    )
    amendment = services.proposal_create(
        by=committee.delegate, kind=Kind.FREE, title="A, geändert", text="Zwei", amends=first
    )
    second = adopt(committee, amendment)
    assert second.amends == first and second.number != first.number
    assert list(first.amendments.all()) == [second]


# --- refused, and nothing changes ------------------------------------------------------------


@pytest.fixture
def item(committee):
    proposal = services.proposal_create(
        by=committee.delegate, kind=Kind.FREE, title="Frei", text="Beschluss"
    )
    _meeting, [item] = open_meeting(committee, proposal)
    return item


def refused(exception, match, call) -> None:
    before = snapshot()
    with pytest.raises(exception, match=match):
        call()
    assert snapshot() == before


def test_no_vote_without_quorum(committee):
    proposal = services.proposal_create(by=committee.delegate, kind=Kind.FREE, title="F", text="B")
    _meeting, [item] = open_meeting(committee, proposal, present=("arnsberg", "olpe"))
    refused(
        ValidationError,
        "nicht beschlussfähig",
        lambda: services.vote_cast(by=committee.delegate, item=item, choice="yes"),
    )
    refused(
        ValidationError,
        "nicht beschlussfähig",
        lambda: services.vote_close(by=committee.chair, item=item),
    )


def test_the_quorum_rule_is_configurable(committee):
    from steering.models import Committee

    Committee.objects.update_or_create(pk=1, defaults={"quorum_percent": 30})
    proposal = services.proposal_create(by=committee.delegate, kind=Kind.FREE, title="F", text="B")
    _meeting, [item] = open_meeting(committee, proposal, present=("arnsberg", "olpe"))
    services.vote_cast(by=committee.delegate, item=item, choice="yes")
    assert services.vote_close(by=committee.chair, item=item) is not None


def test_no_vote_by_a_non_member(item, outsider, coordinator, office):
    for user in (outsider, coordinator):
        refused(
            PermissionDenied,
            "nur der Steuerkreis",
            lambda user=user: services.vote_cast(by=user, item=item, choice="yes"),
        )
    # The office chairs without a vote.
    refused(
        PermissionDenied,
        "ohne Stimme",
        lambda: services.vote_cast(by=office, item=item, choice="yes"),
    )


def test_no_vote_by_a_seat_whose_term_ended(committee, item):
    seat = committee.seats["arnsberg"]
    services.seat_end(
        by=committee.office, seat=seat, ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    refused(
        PermissionDenied,
        "nur der Steuerkreis",
        lambda: services.vote_cast(by=committee.delegate, item=item, choice="yes"),
    )


def test_no_vote_by_an_absent_member(committee, item):
    refused(
        ValidationError,
        "anwesend",
        lambda: services.vote_cast(by=committee.delegates["menden"], item=item, choice="yes"),
    )


def test_one_vote_per_municipality(committee, item, arnsberg):
    services.vote_cast(by=committee.delegate, item=item, choice="yes")
    refused(
        ValidationError,
        "schon abgestimmt",
        lambda: services.vote_cast(by=committee.delegate, item=item, choice="no"),
    )
    # A colleague from the same town, even with a seat of her own, cannot vote for it twice.
    colleague = MembershipFactory(user__username="kollegin-arnsberg", municipality=arnsberg).user
    Seat.objects.create(
        person=colleague,
        municipality=arnsberg,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            item=item, seat=committee.seats["arnsberg"], municipality=arnsberg, choice="no"
        )


def test_no_vote_after_the_vote_is_closed(committee, item):
    services.vote_cast(by=committee.delegate, item=item, choice="yes")
    services.vote_close(by=committee.chair, item=item)
    refused(
        ValidationError,
        "geschlossen",
        lambda: services.vote_cast(by=committee.delegates["olpe"], item=item, choice="yes"),
    )


def test_only_the_chair_closes_a_vote(committee, item):
    services.vote_cast(by=committee.delegate, item=item, choice="yes")
    refused(
        PermissionDenied, "Vorsitz", lambda: services.vote_close(by=committee.delegate, item=item)
    )


# --- agreements are records ------------------------------------------------------------------


@pytest.fixture
def agreement(committee, proposed_project, coordinator, iserlohn, editor):
    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Datenmodell", body="Fassung 1"
    )
    start = services.proposal_create(
        by=coordinator,
        kind=Kind.START,
        title="Beginnen",
        text="Los.",
        project=proposed_project,
        parties=[
            Party(committee.towns["menden"], coordinator, "Leitung", True),
            Party(iserlohn, editor, "Daten"),
        ],
    )
    adopt(committee, start)
    proposal = services.proposal_create(
        by=coordinator,
        kind=Kind.APPROVE_RESULTS,
        title="Datenmodell vereinbaren",
        text="Fassung 1 gilt.",
        project=proposed_project,
        versions=[result.history.get()],
    )
    return adopt(committee, proposal)


def test_the_model_refuses_to_change_an_agreement(agreement):
    agreement.title = "Anders"
    refused(ValidationError, "nie geändert", agreement.save)
    refused(ValidationError, "nie geändert", agreement.delete)
    refused(ValidationError, "nie geändert", agreement.approvals.get().delete)
    refused(
        ValidationError,
        "nie geändert",
        lambda: services.agreement_update(agreement=agreement, title="X"),
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE steering_agreement SET title = 'Anders'",
        "DELETE FROM steering_agreement",
        "UPDATE steering_approval SET history_row_id = history_row_id",
        "DELETE FROM steering_approval",
        "UPDATE steering_agreementparty SET contribution = 'nichts'",
        "DELETE FROM steering_agreementparty",
    ],
)
def test_the_database_refuses_raw_sql_on_agreements(agreement, sql):
    """On SQLite here, on PostgreSQL when the suite runs with DATABASE_URL."""
    before = snapshot()
    with pytest.raises(Exception, match="unveraenderlich"), transaction.atomic():  # noqa: B017,PT011
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert snapshot() == before


@pytest.mark.services
def test_postgresql_refuses_raw_sql_on_agreements(agreement):
    """The same refusal, asserted to run on PostgreSQL (the services run of .ci/run)."""
    assert connection.vendor == "postgresql"
    before = snapshot()
    for sql in (
        "UPDATE steering_agreement SET votes_yes = votes_yes + 1",
        "DELETE FROM steering_approval",
        "UPDATE steering_agreementparty SET contribution = ''",
    ):
        with pytest.raises(Exception, match="unveraenderlich"), transaction.atomic():  # noqa: B017,PT011
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert snapshot() == before
