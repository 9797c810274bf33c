"""An agreement and a meeting's minutes as documents: real PDFs read with pypdf and pikepdf,
the ODT read back; what each audience finds in them."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pikepdf
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from projects import services as project_services
from steering import services
from steering.models import Meeting, Proposal
from steering.services import Party
from tests.conftest import client_for
from tests.steering.conftest import open_meeting
from tests.steering.test_services import adopt, vote_all

pytestmark = pytest.mark.django_db
Kind = Proposal.Kind


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # kept documents go to the file storage


@pytest.fixture
def agreement(committee, proposed_project, coordinator, iserlohn, editor):
    result = project_services.result_create(
        project=proposed_project, by=coordinator, title="Datenmodell Schulträger", body="Fassung 1"
    )
    project_services.result_update(
        result=result,
        by=coordinator,
        base_revision=1,
        title="Datenmodell Schulträger",
        body="Fassung 2",
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
        text="Die **Fassung 2** des Datenmodells gilt für alle Beteiligten.",
        project=proposed_project,
        versions=[result.history.get(revision=2)],
    )
    return adopt(committee, proposal, {"arnsberg": "yes", "olpe": "yes", "soest": "no"})


def pdf_text(data: bytes) -> str:
    # NFKC: the font's ligatures (ff, fi) read back as their letters.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Without whitespace: text extraction splits a word where the font kerns (``T agung``)."""
    return "".join(text.split())


def assert_tagged_german(data: bytes) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "de"
    return pdf


def test_the_committees_agreement_pdf_holds_number_votes_and_pinned_versions(committee, agreement):
    url = reverse("steering:agreement-pdf", kwargs={"number": agreement.number})
    response = client_for(committee.delegate).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    data = response.content
    pdf = assert_tagged_german(data)
    assert pdf.open_metadata().get("pdfuaid:part") == "1"
    text = squash(pdf_text(data))
    assert squash(agreement.number) in text
    # Each municipality's vote, as the committee recorded it.
    assert squash("Arnsberg Ja") in text
    assert squash("Olpe Ja") in text
    assert squash("Soest Nein") in text
    # The pinned version with its date, the adopted proposal, the meeting and its chair.
    assert squash("Datenmodell Schulträger Version 2") in text
    pinned_at = timezone.localtime(agreement.approvals.get().history_row.history_date)
    assert squash(date_format(pinned_at, "j. F Y, H:i")) in text
    assert squash("Datenmodell vereinbaren") in text
    assert squash("Fassung 2 des Datenmodells gilt") in text
    assert squash(agreement.meeting.title) in text
    assert squash("Vorsitz") in text and squash("Olpe") in text


def test_the_archive_copy_declares_pdf_a_and_is_tagged(committee, agreement):
    url = reverse("steering:agreement-pdf", kwargs={"number": agreement.number})
    data = client_for(committee.delegate).get(url, {"archiv": "1"}).content
    pdf = assert_tagged_german(data)
    metadata = pdf.open_metadata()
    assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "A")
    assert agreement.number in pdf_text(data)


def test_outside_the_committee_the_document_shows_the_totals_not_each_vote(agreement, outsider):
    url = reverse("steering:agreement-pdf", kwargs={"number": agreement.number})
    response = client_for(outsider).get(url)
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert squash("2 Ja, 1 Nein, 0 Enthaltungen") in text
    assert squash("Arnsberg Ja") not in text and squash("Soest Nein") not in text


def test_the_agreement_odt_holds_its_number_and_text(committee, agreement):
    url = reverse("steering:agreement-odt", kwargs={"number": agreement.number})
    response = client_for(committee.delegate).get(url)
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    with zipfile.ZipFile(io.BytesIO(response.content)) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = odt.read("content.xml").decode()
    assert agreement.number in content
    assert "Soest" in content and "Nein" in content


@pytest.fixture
def held_meeting(committee):
    proposal = services.proposal_create(
        by=committee.delegate, kind=Kind.FREE, title="Gemeinsame Fortbildung", text="Ja."
    )
    meeting, [item] = open_meeting(committee, proposal)
    vote_all(committee, item, {"arnsberg": "yes", "olpe": "yes", "soest": "yes"})
    services.vote_close(by=committee.chair, item=item)
    meeting.refresh_from_db()
    return meeting


def _minutes_url(meeting) -> str:
    return reverse("steering:minutes-pdf", kwargs={"meeting_id": meeting.pk})


def test_minutes_are_the_committees_until_approved_then_everyones(
    committee, held_meeting, outsider, client
):
    meeting = Meeting.objects.get(pk=held_meeting.pk)
    url = _minutes_url(meeting)
    assert meeting.state == Meeting.State.HELD
    # Held, minutes not approved: the committee only.
    assert client_for(committee.delegate).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client.get(url).status_code == 302
    services.minutes_approve(
        by=committee.chair, meeting=meeting, minutes="Beschlossen wurde die Fortbildung."
    )
    response = client.get(url)
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert squash("Beschlossen wurde die Fortbildung.") in text
    # The agenda as the public reads it: a free resolution is the network's, so its title
    # stays hidden from visitors.
    assert squash("Nicht öffentlicher Tagesordnungspunkt") in text


def test_a_projects_dossier_lists_its_agreements(committee, agreement, coordinator):
    """The dossier is made by the worker; the committee's agreements stand in it. The queued
    task is run here as the worker runs it (the worker command itself closes the test's
    database connection)."""
    from django_tasks_db.models import DBTaskResult

    url = reverse("projects:dossier-pdf", kwargs={"slug": agreement.project.slug})
    team = client_for(coordinator)
    waiting = team.get(url)
    assert waiting.status_code == 202
    assert "im Hintergrund erstellt" in waiting.content.decode()
    [queued] = DBTaskResult.objects.filter(task_path__endswith="document_make")
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    response = team.get(url)
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert squash("Vereinbarungen des Steuerkreises") in text
    assert squash(f"Vereinbarung {agreement.number}: Datenmodell vereinbaren") in text
    assert squash("Datenmodell Schulträger") in text  # its result, at its current version


def test_the_api_names_an_agreements_documents_and_they_answer(agreement, client):
    detail = client.get(f"/api/v1/vereinbarungen/{agreement.number}/").json()
    documents = detail["documents"]
    assert documents["pdf_archive"] == documents["pdf"] + "?archiv=1"
    pdf = client.get(documents["pdf"])
    assert pdf["Content-Type"] == "application/pdf"
    assert squash(agreement.number) in squash(pdf_text(pdf.content))
    odt = client.get(documents["odt"])
    assert odt["Content-Type"] == "application/vnd.oasis.opendocument.text"
