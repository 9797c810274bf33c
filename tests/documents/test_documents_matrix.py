"""Who may have which document and touch which attachment, by role, for GET and POST.

Every document URL (PDF, the archive PDF/A via ``?archiv=1``, ODT) answers exactly as the page
it comes from: a team-only project's PDFs are as hidden as its pages, a draft's as its text, a
planned guide's as its body, the committee's minutes as the meeting; replacing and removing
an attachment is for who may edit the text. The expectations are written out as data, not
derived from the permission modules, so this test can disagree with the app
(``tests/test_url_coverage.py`` fails for any URL that stands in no matrix).

The world, built once per module and rolled back after each test: for each visibility a
Menden-led project (coordinator: Menden, editor: Iserlohn) with a tested result and, in the
public one, a draft, each in two versions with one attachment; Brilon (``other``) adopted the
public result and owns its copy (with one attachment); the committee (Arnsberg's ``delegate``,
Olpe in the chair, Soest) agreed each project's tested result and a free resolution in a
meeting whose minutes are approved, and held a second meeting whose minutes are not; the
office wrote a published and a planned guide with Menden's coordinator as author, each with
one attachment. Documents made by the worker (the dossier) answer 202 with a page that says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from network.guides import services as guide_services
from network.guides.models import Guide, GuideAttachment
from projects import services
from projects.models import LeadProject, Result, ResultAttachment, TeamMembership, Visibility
from steering import services as steering_services
from steering.models import Agreement, Meeting, Proposal, Seat
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from tests.matrix import (
    DENY,
    HIDE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    by_rows,
    check_answer,
    client_for,
    refused,
    send,
)
from tests.projects.factories import lead_project
from workspace import services as workspace_services
from workspace.attachments import attachment_store

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
ROLES = ("anonymous", "other", "editor", "coordinator", "office", "delegate")
MADE = Expect(202)  # made by the background worker; the page says so and asks again
DONE = Expect(302, "done")

PUBLIC, NETWORK, TEAM = Visibility.PUBLIC, Visibility.NETWORK, Visibility.TEAM
DRAFT = "entwurf"  # the public project's draft result
COPY = "nachnutzung"  # Brilon's adopted copy of the public result
FREE = "frei"  # the committee's free resolution (no project)
APPROVED, HELD = "genehmigt", "durchgefuehrt"  # minutes approved / meeting held, minutes not
PUBLISHED, PLANNED = "veroeffentlicht", "geplant"  # guides

EDIT_REFUSAL = (
    "Ergebnisse bearbeiten nur Bearbeitung und Koordination des Teams und die Geschäftsstelle."
)
COPY_REFUSAL = "Die Nachnutzung bearbeiten nur Mitarbeitende der Kommune, die sie nachnutzt."
GUIDE_REFUSAL = "Leitfäden bearbeiten nur ihre Autorinnen und Autoren und die Geschäftsstelle."


def rows(**cases) -> dict:
    return by_rows(ROLES, cases)


ALL_405 = (NOPE,) * 6

# fmt: off
# A result's documents: like the result's page.
RESULT_DOCUMENT = {
    "GET": rows(  # anonymous other  editor coordinator office delegate
        public=      (OK,       OK,    OK,    OK,         OK,    OK),
        network=     (LOGIN,    OK,    OK,    OK,         OK,    OK),
        team=        (LOGIN,    HIDE,  OK,    OK,         OK,    HIDE),
        entwurf=     (LOGIN,    HIDE,  OK,    OK,         OK,    HIDE),
    ),
    "POST": rows(public=ALL_405, network=ALL_405, team=ALL_405, entwurf=ALL_405),
}
# Replacing or removing a result's attachment: who edits the result.
RESULT_ATTACHMENT_CHANGE = {
    "GET": rows(public=ALL_405, network=ALL_405, team=ALL_405, entwurf=ALL_405),
    "POST": rows(  # anonymous other  editor coordinator office delegate
        public=      (LOGIN,    DENY,  DONE,  DONE,       DONE,  DENY),
        network=     (LOGIN,    DENY,  DONE,  DONE,       DONE,  DENY),
        team=        (LOGIN,    HIDE,  DONE,  DONE,       DONE,  HIDE),
        entwurf=     (LOGIN,    HIDE,  DONE,  DONE,       DONE,  HIDE),
    ),
}
# The dossier: like the project's page; the worker makes it.
DOSSIER = {
    "GET": rows(  # anonymous other  editor coordinator office delegate
        public=      (MADE,     MADE,  MADE,  MADE,       MADE,  MADE),
        network=     (LOGIN,    MADE,  MADE,  MADE,       MADE,  MADE),
        team=        (LOGIN,    HIDE,  MADE,  MADE,       MADE,  HIDE),
    ),
    "POST": rows(public=ALL_405, network=ALL_405, team=ALL_405),
}
# An adopted copy: read by the network, changed by the staff of its municipality (Brilon).
COPY_DOCUMENT = {
    "GET": rows(nachnutzung=(LOGIN, OK, OK, OK, OK, OK)),
    "POST": rows(nachnutzung=ALL_405),
}
COPY_ATTACHMENT_CHANGE = {
    "GET": rows(nachnutzung=ALL_405),
    "POST": rows(nachnutzung=(LOGIN, DONE, DENY, DENY, DENY, DENY)),
}
# An agreement: follows its project; the committee (the delegate, the office) reads every one.
AGREEMENT_DOCUMENT = {
    "GET": rows(  # anonymous other  editor coordinator office delegate
        public=      (OK,       OK,    OK,    OK,         OK,    OK),
        network=     (LOGIN,    OK,    OK,    OK,         OK,    OK),
        team=        (LOGIN,    HIDE,  OK,    OK,         OK,    OK),
        frei=        (LOGIN,    OK,    OK,    OK,         OK,    OK),
    ),
    "POST": rows(public=ALL_405, network=ALL_405, team=ALL_405, frei=ALL_405),
}
# Minutes: the committee's; everyone's once approved (the committee's public record).
MINUTES_DOCUMENT = {
    "GET": rows(  # anonymous other  editor coordinator office delegate
        genehmigt=   (OK,       OK,    OK,    OK,         OK,    OK),
        durchgefuehrt=(LOGIN,   HIDE,  HIDE,  HIDE,       OK,    OK),
    ),
    "POST": rows(genehmigt=ALL_405, durchgefuehrt=ALL_405),
}
# A guide's documents and attachments: a planned guide's body is its editors' (the office and
# its authors; here Menden's coordinator).
GUIDE_READ = {
    "GET": rows(  # anonymous other  editor coordinator office delegate
        veroeffentlicht=(OK,    OK,    OK,    OK,         OK,    OK),
        geplant=     (LOGIN,    HIDE,  HIDE,  OK,         OK,    HIDE),
    ),
    "POST": rows(veroeffentlicht=ALL_405, geplant=ALL_405),
}
GUIDE_CHANGE = {
    "GET": rows(veroeffentlicht=ALL_405, geplant=ALL_405),
    "POST": rows(  # anonymous other  editor coordinator office delegate
        veroeffentlicht=(LOGIN, DENY,  DENY,  DONE,       DONE,  DENY),
        geplant=     (LOGIN,    DENY,  DENY,  DONE,       DONE,  DENY),
    ),
}

MATRIX: dict[str, dict] = {
    "projects:result-pdf": RESULT_DOCUMENT,
    "projects:result-odt": RESULT_DOCUMENT,
    "projects:attachment-replace": RESULT_ATTACHMENT_CHANGE,
    "projects:attachment-delete": RESULT_ATTACHMENT_CHANGE,
    "projects:dossier-pdf": DOSSIER,
    "projects:dossier-odt": DOSSIER,
    "copies:pdf": COPY_DOCUMENT,
    "copies:odt": COPY_DOCUMENT,
    "copies:attachment-replace": COPY_ATTACHMENT_CHANGE,
    "copies:attachment-delete": COPY_ATTACHMENT_CHANGE,
    "steering:agreement-pdf": AGREEMENT_DOCUMENT,
    "steering:agreement-odt": AGREEMENT_DOCUMENT,
    "steering:minutes-pdf": MINUTES_DOCUMENT,
    "steering:minutes-odt": MINUTES_DOCUMENT,
    "guides:pdf": GUIDE_READ,
    "guides:odt": GUIDE_READ,
    "guides:attachment": GUIDE_READ,
    "guides:attachment-upload": GUIDE_CHANGE,
    "guides:attachment-replace": GUIDE_CHANGE,
    "guides:attachment-delete": GUIDE_CHANGE,
}
# fmt: on

REFUSALS = {
    "projects:attachment-replace": EDIT_REFUSAL,
    "projects:attachment-delete": EDIT_REFUSAL,
    "copies:attachment-replace": COPY_REFUSAL,
    "copies:attachment-delete": COPY_REFUSAL,
    "guides:attachment-upload": GUIDE_REFUSAL,
    "guides:attachment-replace": GUIDE_REFUSAL,
    "guides:attachment-delete": GUIDE_REFUSAL,
}

TEXT = ("protokoll.txt", "Protokoll der Sitzung vom 3. März\n".encode())
UPLOAD = ("zeitplan.csv", b"Schritt;Bis\nAusschreibung;2026-03-31\n")


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]
    media: Path
    results: dict[str, Result] = field(default_factory=dict)  # case → result (or copy)
    projects: dict[str, LeadProject] = field(default_factory=dict)
    attachments: dict[str, object] = field(default_factory=dict)  # case → attachment
    agreements: dict[str, Agreement] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    guides: dict[str, Guide] = field(default_factory=dict)


def _upload(name_content=TEXT):
    name, content = name_content
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _attach(model, owner_field: str, owner, by):
    return attachment_store(
        attachment=model(**{owner_field: owner}),
        file_field="file",
        upload=_upload(),
        by=by,
        where=str(owner),
    )


def _result(project, by, *, maturity=Result.Maturity.TESTED, title="Mustervertrag") -> Result:
    result = services.result_create(
        project=project, by=by, title=title, maturity=maturity, body="## Ziel\n\nFassung eins."
    )
    services.result_update(
        result=result, by=by, base_revision=1, title=title, body="## Ziel\n\nFassung zwei."
    )
    return Result.objects.get(pk=result.pk)


def _build(media: Path) -> World:
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True, cohort=None)
    iserlohn = MunicipalityFactory(name="Iserlohn", slug="iserlohn")
    brilon = MunicipalityFactory(name="Brilon", slug="brilon")
    arnsberg = MunicipalityFactory(name="Arnsberg", slug="arnsberg", is_pioneer=True)
    olpe = MunicipalityFactory(name="Olpe", slug="olpe", is_pioneer=True)
    soest = MunicipalityFactory(name="Soest", slug="soest", is_pioneer=True)
    office = UserFactory(username="buero", display_name="Geschäftsstelle")
    workspace_services.network_office_add(user=office)
    world = World(
        users={
            "anonymous": None,
            "other": MembershipFactory(user__username="kommune-brilon", municipality=brilon).user,
            "editor": MembershipFactory(user__username="team-iserlohn", municipality=iserlohn).user,
            "coordinator": MembershipFactory(
                user__username="koordination-menden", municipality=menden, role="contact"
            ).user,
            "office": office,
            "delegate": MembershipFactory(
                user__username="steuerkreis-arnsberg", municipality=arnsberg, role="contact"
            ).user,
        },
        media=media,
    )
    users = world.users
    coordinator, editor = users["coordinator"], users["editor"]
    for vis in (PUBLIC, NETWORK, TEAM):
        project = world.projects[vis] = lead_project(
            coordinator=coordinator,
            lead=menden,
            title=f"Leitprojekt {vis}",
            visibility=vis,
            participants=[iserlohn],
            team=[(editor, Role.EDITOR)],
        )
        world.results[vis] = _result(project, editor)
        world.attachments[vis] = _attach(ResultAttachment, "result", world.results[vis], editor)
    world.results[DRAFT] = _result(
        world.projects[PUBLIC], editor, maturity=Result.Maturity.DRAFT, title="Skizze"
    )
    world.attachments[DRAFT] = _attach(ResultAttachment, "result", world.results[DRAFT], editor)
    # Brilon adopts the public result.
    template = services.template_publish(
        result=world.results[PUBLIC], by=coordinator, licence="cc-by-4.0", recommended_revision=2
    )
    adoption = services.adoption_create(template=template, municipality=brilon, by=users["other"])
    world.results[COPY] = adoption.copy
    world.attachments[COPY] = _attach(ResultAttachment, "result", adoption.copy, users["other"])
    # The committee.
    since = datetime.date(2024, 1, 1)
    chair = MembershipFactory(user__username="steuerkreis-olpe", municipality=olpe).user
    soest_delegate = MembershipFactory(user__username="steuerkreis-soest", municipality=soest).user
    seats = [
        steering_services.seat_assign(
            by=office, person=person, municipality=town, role=role, starts_on=since
        )
        for person, town, role in [
            (users["delegate"], arnsberg, Seat.Role.MEMBER),
            (chair, olpe, Seat.Role.CHAIR),
            (soest_delegate, soest, Seat.Role.MEMBER),
        ]
    ]
    proposals = {
        vis: steering_services.proposal_create(
            by=users["delegate"],
            kind=Proposal.Kind.APPROVE_RESULTS,
            title=f"Mustervertrag {vis} vereinbaren",
            text="Version 2 gilt.",
            project=world.projects[vis],
            versions=[world.results[vis].history.get(revision=2)],
        )
        for vis in (PUBLIC, NETWORK, TEAM)
    }
    proposals[FREE] = steering_services.proposal_create(
        by=users["delegate"], kind=Proposal.Kind.FREE, title="Fortbildung", text="Ja."
    )
    now = timezone.now()
    meeting = steering_services.meeting_create(
        by=chair, title="Sitzung im Frühjahr", starts_at=now, place="Olpe"
    )
    items = {
        case: steering_services.agenda_item_add(by=chair, meeting=meeting, proposal=proposal)
        for case, proposal in proposals.items()
    }
    steering_services.meeting_invite(by=chair, meeting=meeting, notify=False)
    steering_services.meeting_open(by=chair, meeting=meeting, present=seats)
    for case, item in items.items():
        for person in (users["delegate"], chair, soest_delegate):
            steering_services.vote_cast(by=person, item=item, choice="yes")
        world.agreements[case] = steering_services.vote_close(by=chair, item=item)
    steering_services.minutes_approve(by=chair, meeting=meeting, minutes="Alles beschlossen.")
    world.meetings[APPROVED] = meeting
    held = steering_services.meeting_create(
        by=chair, title="Sitzung im Sommer", starts_at=now, place="Olpe"
    )
    steering_services.agenda_item_add(by=chair, meeting=held, title="Verschiedenes")
    steering_services.meeting_invite(by=chair, meeting=held, notify=False)
    steering_services.meeting_open(by=chair, meeting=held, present=seats)
    world.meetings[HELD] = Meeting.objects.get(pk=held.pk)
    # Guides, written by the office with Menden's coordinator as author.
    for case, status in ((PUBLISHED, Guide.Status.PUBLISHED), (PLANNED, Guide.Status.PLANNED)):
        guide = guide_services.guide_create(
            by=office,
            title=f"Leitfaden {case}",
            summary="Worum es geht.",
            body="## Schritte\n\n- Erstens\n- Zweitens",
            status=status,
            published_in=datetime.date(2026, 1, 1) if status == Guide.Status.PUBLISHED else None,
            authors=[coordinator],
        )
        world.guides[case] = guide
        world.attachments[case] = _attach(GuideAttachment, "guide", guide, office)
    return world


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end; every test runs
    in a savepoint inside it (pytest-django's ``db``)."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast, CLAMD_ADDRESS=""),
        transaction.atomic(),
    ):
        yield _build(media)
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db, settings):
    settings.MEDIA_ROOT = str(_world.media)
    settings.CLAMD_ADDRESS = ""
    return _world


# --- Where each URL points, what it is sent, what a carried-out POST did ----------------------


def _url(world: World, url_name: str, case: str) -> str:
    app, name = url_name.split(":")
    if app == "projects":
        if name.startswith("dossier"):
            return reverse(url_name, kwargs={"slug": world.projects[case].slug})
        result = world.results[case]
        kwargs = {"slug": result.project.slug, "result_id": result.pk}
        if name.startswith("attachment"):
            kwargs["attachment_id"] = world.attachments[case].pk
        return reverse(url_name, kwargs=kwargs)
    if app == "copies":
        copy = world.results[case]
        kwargs = {"municipality": copy.municipality.slug, "result_id": copy.pk}
        if name.startswith("attachment"):
            kwargs["attachment_id"] = world.attachments[case].pk
        return reverse(url_name, kwargs=kwargs)
    if app == "steering":
        if name.startswith("agreement"):
            return reverse(url_name, kwargs={"number": world.agreements[case].number})
        return reverse(url_name, kwargs={"meeting_id": world.meetings[case].pk})
    kwargs = {"slug": world.guides[case].slug}
    if name in ("attachment", "attachment-replace", "attachment-delete"):
        kwargs["attachment_id"] = world.attachments[case].pk
    return reverse(url_name, kwargs=kwargs)


def _data(url_name: str) -> dict:
    if url_name.endswith(("attachment-replace", "attachment-upload")):
        return {"file": _upload(UPLOAD)}
    return {}


def snapshot(world: World) -> dict:
    def rows(model):
        return list(
            model.objects.order_by("pk").values_list("pk", "name", "status", "removed_at", "file")
        )

    return {
        "results": list(Result.objects.order_by("pk").values_list("pk", "revision")),
        "result_attachments": rows(ResultAttachment),
        "guide_attachments": rows(GuideAttachment),
        # Kept documents (dokumente/) are made by reading, not a change.
        "files": sorted(
            str(p.relative_to(world.media))
            for p in world.media.rglob("*")
            if p.relative_to(world.media).parts[0] != "dokumente"
        ),
    }


def _done(world: World, url_name: str, case: str, role: str) -> None:
    model = GuideAttachment if url_name.startswith("guides:") else ResultAttachment
    if url_name.endswith("attachment-upload"):
        guide = world.guides[case]
        assert list(guide.attachments.current().values_list("name", flat=True)) == [
            TEXT[0],
            UPLOAD[0],
        ]
        return
    old = model.objects.get(pk=world.attachments[case].pk)
    assert old.removed_at is not None and old.removed_by == world.users[role]
    if url_name.endswith("attachment-replace"):
        new = model.objects.get(replaces=old)
        assert (new.name, new.removed_at) == (UPLOAD[0], None)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "case"),
    [(name, case) for name in sorted(MATRIX) for case in MATRIX[name]["GET"]],
)
def test_document_and_attachment_urls(world, url_name, case, role, method):
    expected = MATRIX[url_name][method][case][role]
    url = _url(world, url_name, case)
    before = snapshot(world)
    response = send(client_for(world.users[role]), method, url, _data(url_name))
    where = f"{method} {url_name} [{case}] als {role}"
    if expected.then == "done":
        assert response.status_code == 302, where
        _done(world, url_name, case, role)
        return
    check_answer(response, expected, url=url, where=where, message=REFUSALS.get(url_name))
    if refused(expected) or method == "GET":
        assert snapshot(world) == before, where
