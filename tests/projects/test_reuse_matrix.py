"""Who may open which URL of reuse — templates, adopted copies, offers, publishing — for GET and
POST, by role and by the template's licence.

The expectations are written out as data (``MATRIX``), one table per URL and method: rows are
the template's licence, columns the roles. They are not derived from ``projects.permissions``,
so this test can disagree with the app. ``tests/test_url_coverage.py`` fails for any URL of the
project that stands in no matrix.

The rules (DESIGN.md, "Who may do what", and the reuse issue):

- templates follow their project (here public), but a template "internal to the network" is
  invisible to anonymous visitors everywhere: not listed, its page asks for a login;
- only staff of a municipality adopt for it, once per municipality; the network office, working
  for no municipality, adopts for none;
- an adopted copy is read by everybody logged in for a member municipality and by the network
  office, and changed only by the staff of the municipality that adopted it — not by the source
  team, not by the office; anonymous visitors are sent to the login;
- only the source team (editor or coordinator of the template's project) accepts or declines an
  offer; the network office's global rights do not stand in for the team here;
- publishing a result as a template is the project coordinator's and the office's;
- anonymous → login, may see but not act → 403 with a German message, a method the URL does not
  take → 405. Every request that is not carried out leaves templates, adoptions, offers, results,
  their history, attachments and stored files exactly as they were.

The world, built once for the module and rolled back after each test: a public project led by
the pioneer Menden (coordinator: Menden staff; editor: Iserlohn staff). For each licence (CC BY
and internal) a tested source result published as a template at version 1, adopted by Warstein
(``adopter``; its copy edited to version 2, with one attachment) and by Lippstadt (its copy
edited and offered back: the open offer), after which the editor changed the source to
version 2 — so Warstein's copy has an upstream change to take over or dismiss. Per licence
also a tested result that is no template yet (for publishing). ``outsider`` is Brilon staff,
a member in no project; ``office`` the network office.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from projects import services
from projects.models import (
    Adoption,
    LeadProject,
    Offer,
    Result,
    ResultAttachment,
    TeamMembership,
    Template,
)
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from tests.matrix import (
    DENY,
    DONE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    by_rows,
    check_answer,
    client_for,
)
from tests.projects.factories import lead_project
from workspace import services as workspace_services
from workspace.models import Municipality

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
Licence = Template.Licence

ROLES = ("anonymous", "outsider", "adopter", "editor", "coordinator", "office")
CC_BY, INTERNAL = Licence.CC_BY, Licence.INTERNAL
LICENCES = (CC_BY, INTERNAL)
METHODS = ("GET", "POST")


Table = dict[str, dict[str, Expect]]


def table(*, cc_by: tuple, internal: tuple) -> Table:
    """One cell per licence (rows) × role (columns, in the order of ``ROLES``)."""
    return by_rows(ROLES, {CC_BY: cc_by, INTERNAL: internal})


@dataclass(frozen=True)
class Row:
    get: Table
    post: Table
    # The German message a 403 must show.
    refusal: str | None = None
    # Only for the catalogue: whether the template of that licence is listed for that role.
    listed: dict[str, dict[str, bool]] | None = None


ADOPT_REFUSAL = (
    "Nachnutzen können Mitarbeitende einer Mitgliedskommune, die diese Vorlage noch nicht nutzt."
)
DECIDE_REFUSAL = "Über Angebote entscheidet das Team der Vorlage."
COPY_REFUSAL = "Die Nachnutzung bearbeiten nur Mitarbeitende der Kommune, die sie nachnutzt."
PUBLISH_REFUSAL = (
    "Als Vorlage veröffentlichen die Koordination des Leitprojekts und die Geschäftsstelle."
)

ALL_NOPE = table(
    cc_by=(NOPE, NOPE, NOPE, NOPE, NOPE, NOPE),
    internal=(NOPE, NOPE, NOPE, NOPE, NOPE, NOPE),
)

# fmt: off
MATRIX: dict[str, Row] = {
    # --- templates: the catalogue, a template's page, adopting, offers -----------------------
    "templates:list": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (OK,       OK,      OK,     OK,    OK,         OK),
            internal=  (OK,       OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
        listed={
            CC_BY:    dict(zip(ROLES, (True,  True, True, True, True, True), strict=True)),
            INTERNAL: dict(zip(ROLES, (False, True, True, True, True, True), strict=True)),
        },
    ),
    "templates:detail": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (OK,       OK,      OK,     OK,    OK,         OK),
            internal=  (LOGIN,    OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
    ),
    # POST: adopt for the role's own municipality (Brilon, Iserlohn, Menden). Warstein has
    # adopted already; the office works for no municipality. The source team's municipalities
    # are members like any other: nothing stops them from adopting.
    "templates:adopt": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DONE,    DENY,   DONE,  DONE,       DENY),
            internal=  (LOGIN,    DONE,    DENY,   DONE,  DONE,       DENY),
        ),
        refusal=ADOPT_REFUSAL,
    ),
    # Lippstadt's open offer: readable by whoever is logged in and sees the template.
    "templates:offer": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    OK,      OK,     OK,    OK,         OK),
            internal=  (LOGIN,    OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
    ),
    # POST: accept, based on the source's current version 2.
    "templates:offer-accept": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DENY,   DONE,  DONE,       DENY),
            internal=  (LOGIN,    DENY,    DENY,   DONE,  DONE,       DENY),
        ),
        refusal=DECIDE_REFUSAL,
    ),
    # POST: decline with a note.
    "templates:offer-decline": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DENY,   DONE,  DONE,       DENY),
            internal=  (LOGIN,    DENY,    DENY,   DONE,  DONE,       DENY),
        ),
        refusal=DECIDE_REFUSAL,
    ),
    # --- Warstein's copy: read by all, written by Warstein ------------------------------------
    "copies:result": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    OK,      OK,     OK,    OK,         OK),
            internal=  (LOGIN,    OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
    ),
    # POST: a new version of the copy (its text changed).
    "copies:edit": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    OK,     DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    OK,     DENY,  DENY,       DENY),
        ),
        post=table(
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    "copies:versions": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    OK,      OK,     OK,    OK,         OK),
            internal=  (LOGIN,    OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
    ),
    # GET ?von=1&zu=2: what Warstein changed in its copy.
    "copies:compare": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    OK,      OK,     OK,    OK,         OK),
            internal=  (LOGIN,    OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
    ),
    # POST: version 1 of the copy written again as version 3.
    "copies:restore": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    # POST: a second attachment.
    "copies:attachment-upload": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    # GET: the download of the copy's attachment.
    "copies:attachment": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    OK,      OK,     OK,    OK,         OK),
            internal=  (LOGIN,    OK,      OK,     OK,    OK,         OK),
        ),
        post=ALL_NOPE,
    ),
    # GET: the source's change 1 → 2 and the merge proposal; POST: take it over.
    "copies:take-over": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    OK,     DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    OK,     DENY,  DENY,       DENY),
        ),
        post=table(
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    # POST: leave the copy as it is; the change is not shown again.
    "copies:dismiss": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    # POST: the adoption's status and experience report.
    "copies:status": Row(
        get=ALL_NOPE,
        post=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    # GET: the copy against the source; POST: offer it back to the source team.
    "copies:offer": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    OK,     DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    OK,     DENY,  DENY,       DENY),
        ),
        post=table(
            cc_by=     (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
            internal=  (LOGIN,    DENY,    DONE,   DENY,  DENY,       DENY),
        ),
        refusal=COPY_REFUSAL,
    ),
    # --- publishing a project's result as a template (with the row's licence) ---------------
    "projects:result-publish": Row(
        get=table(  # anonymous outsider adopter editor coordinator office
            cc_by=     (LOGIN,    DENY,    DENY,   DENY,  OK,         OK),
            internal=  (LOGIN,    DENY,    DENY,   DENY,  OK,         OK),
        ),
        post=table(
            cc_by=     (LOGIN,    DENY,    DENY,   DENY,  DONE,       DONE),
            internal=  (LOGIN,    DENY,    DENY,   DENY,  DONE,       DONE),
        ),
        refusal=PUBLISH_REFUSAL,
    ),
}
# fmt: on

SOURCE_TITLES = {
    CC_BY: "Ausschreibungsvorlage Straßenbeleuchtung",
    INTERNAL: "Wartungsvertrag Straßenbeleuchtung",
}
PLAIN_TITLES = {CC_BY: "Bürgerinformation Lichtplanung", INTERNAL: "Leitfaden Leuchtenwahl"}
SOURCE_1 = "# Ausschreibung\nLeistung: LED-Leuchten.\nLaufzeit: fünf Jahre."
SOURCE_2 = "# Ausschreibung\nLeistung: LED-Leuchten.\nLaufzeit: sieben Jahre."
COPY_2 = "# Ausschreibung Warstein\nLeistung: LED-Leuchten.\nLaufzeit: fünf Jahre."
OFFERED = f"{SOURCE_1}\nDatenschutz: keine Bewegungsdaten speichern."
ATTACHMENT = ("lageplan.txt", b"Lageplan der Leuchten in Warstein\n")
UPLOAD = ("angebote.csv", b"Anbieter;Preis\nLicht GmbH;12000\n")


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]  # role → user (None: anonymous)
    homes: dict[str, Municipality | None]  # role → the municipality the role works for
    media: Path
    project: LeadProject | None = None
    offerer: object = None  # Lippstadt staff, who offered Lippstadt's copy back
    sources: dict[str, Result] = field(default_factory=dict)  # licence → …
    templates: dict[str, Template] = field(default_factory=dict)
    adoptions: dict[str, Adoption] = field(default_factory=dict)  # Warstein's
    offers: dict[str, Offer] = field(default_factory=dict)  # Lippstadt's, open
    attachments: dict[str, ResultAttachment] = field(default_factory=dict)  # on Warstein's copy
    plain: dict[str, Result] = field(default_factory=dict)  # not yet a template


def _build(media: Path) -> World:
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True, cohort=None)
    iserlohn = MunicipalityFactory(name="Iserlohn", slug="iserlohn")
    brilon = MunicipalityFactory(name="Brilon", slug="brilon", district__slug="hochsauerlandkreis")
    warstein = MunicipalityFactory(name="Warstein", slug="warstein", district__slug="kreis-soest")
    lippstadt = MunicipalityFactory(
        name="Lippstadt", slug="lippstadt", district__slug="kreis-soest"
    )
    office = UserFactory(username="buero", display_name="Geschäftsstelle")
    workspace_services.network_office_add(user=office)
    world = World(
        users={
            "anonymous": None,
            "outsider": MembershipFactory(
                user__username="kommune-brilon", municipality=brilon
            ).user,
            "adopter": MembershipFactory(
                user__username="kommune-warstein", municipality=warstein
            ).user,
            "editor": MembershipFactory(user__username="team-iserlohn", municipality=iserlohn).user,
            "coordinator": MembershipFactory(
                user__username="koordination-menden", municipality=menden, role="contact"
            ).user,
            "office": office,
        },
        homes={
            "anonymous": None,
            "outsider": brilon,
            "adopter": warstein,
            "editor": iserlohn,
            "coordinator": menden,
            "office": None,
        },
        media=media,
    )
    world.offerer = MembershipFactory(
        user__username="kommune-lippstadt", user__display_name="Lena Licht", municipality=lippstadt
    ).user
    coordinator, editor, adopter = (world.users[r] for r in ("coordinator", "editor", "adopter"))
    world.project = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Smarte Straßenbeleuchtung",
        participants=[iserlohn],
        team=[(editor, Role.EDITOR)],
    )
    for licence in LICENCES:
        source = services.result_create(
            project=world.project,
            by=coordinator,
            title=SOURCE_TITLES[licence],
            body=SOURCE_1,
            kind=Result.Kind.TENDER,
            maturity=Result.Maturity.TESTED,
            note="Erste Fassung",
        )
        template = services.template_publish(
            result=source, by=coordinator, licence=licence, recommended_revision=1
        )
        adoption = services.adoption_create(template=template, municipality=warstein, by=adopter)
        services.result_update(
            result=adoption.copy, by=adopter, base_revision=1, body=COPY_2, note="Warstein"
        )
        name, content = ATTACHMENT
        world.attachments[licence] = services.attachment_add(
            result=adoption.copy,
            by=adopter,
            upload=SimpleUploadedFile(name, content, content_type="text/plain"),
        )
        other = services.adoption_create(
            template=template, municipality=lippstadt, by=world.offerer
        )
        services.result_update(result=other.copy, by=world.offerer, base_revision=1, body=OFFERED)
        world.offers[licence] = services.offer_create(
            adoption=other, by=world.offerer, message="Ein Absatz zum Datenschutz."
        )
        services.result_update(
            result=source, by=editor, base_revision=1, body=SOURCE_2, note="Laufzeit"
        )
        world.plain[licence] = services.result_create(
            project=world.project,
            by=coordinator,
            title=PLAIN_TITLES[licence],
            body="Wie Bürgerinnen und Bürger mitreden.",
            maturity=Result.Maturity.TESTED,
        )
        world.sources[licence], world.templates[licence] = source, template
        world.adoptions[licence] = adoption
        assert (source.revision, adoption.copy.revision) == (2, 2)
        assert services.upstream_change(adoption) is not None
    return world


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module inside a transaction rolled back at its end; each
    test runs in a savepoint inside it (pytest-django's ``db``), rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield _build(media)
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db):
    return _world


def _rows(model) -> list[dict]:
    return [
        {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
        for row in model.objects.order_by("pk")
    ]


def snapshot(world: World) -> dict:
    """Everything a reuse request could change."""
    return {
        "templates": _rows(Template),
        "adoptions": _rows(Adoption),
        "offers": _rows(Offer),
        "results": _rows(Result),
        "history": list(Result.history.order_by("history_id").values_list("history_id", "id")),
        "attachments": _rows(ResultAttachment),
        "files": sorted(str(p.relative_to(world.media)) for p in world.media.rglob("*")),
    }


# --- What each URL is asked, and what a carried-out POST must have done ----------------------


def _copy_kwargs(world: World, licence: str) -> dict:
    return {"municipality": "warstein", "result_id": world.adoptions[licence].copy_id}


def _offer_kwargs(world: World, licence: str) -> dict:
    return {"template_id": world.templates[licence].pk, "offer_id": world.offers[licence].pk}


def _fresh_copy(world: World, licence: str) -> Result:
    return Result.objects.select_related("upstream").get(pk=world.adoptions[licence].copy_id)


def _newest(result: Result):
    return result.history.order_by("-revision").first()


def _adopted(world, licence, role, response):
    home = world.homes[role]
    adoption = Adoption.objects.select_related("copy__upstream").get(
        template=world.templates[licence], municipality=home
    )
    copy = adoption.copy
    assert response["Location"] == copy.get_absolute_url()
    assert (copy.municipality, copy.project, copy.revision, copy.body) == (home, None, 1, SOURCE_1)
    assert copy.upstream == adoption.adopted_row == world.templates[licence].recommended
    assert adoption.adopted_by == world.users[role]


def _accepted(world, licence, role, response):
    source = Result.objects.get(pk=world.sources[licence].pk)
    assert response["Location"] == source.get_absolute_url()
    assert (source.revision, source.body) == (3, OFFERED)
    newest = _newest(source)
    assert newest.history_user == world.users[role]
    assert newest.history_change_reason == (
        "Verbesserung aus Lippstadt übernommen, angeboten von Lena Licht"
    )
    offer = Offer.objects.get(pk=world.offers[licence].pk)
    assert (offer.status, offer.decided_by, offer.source_row) == (
        Offer.Status.ACCEPTED,
        world.users[role],
        newest,
    )


def _declined(world, licence, role, response):
    assert response["Location"] == world.templates[licence].get_absolute_url()
    offer = Offer.objects.get(pk=world.offers[licence].pk)
    assert (offer.status, offer.decided_by, offer.decision_note) == (
        Offer.Status.DECLINED,
        world.users[role],
        "Das regelt bei uns die Satzung.",
    )
    assert Result.objects.get(pk=world.sources[licence].pk).revision == 2


def _copy_done(check: Callable) -> Callable:
    """A carried-out copy action leads back to the copy's page; then ``check`` its effect."""

    def effect(world, licence, role, response):
        copy = _fresh_copy(world, licence)
        assert response["Location"] == copy.get_absolute_url()
        check(world, licence, copy)

    return effect


def _edited(world, licence, copy):
    assert (copy.revision, copy.body) == (3, EDITED)
    assert copy.upstream.revision == 1  # editing does not follow the source
    assert _newest(copy).history_change_reason == "Einleitung ergänzt"


def _restored(world, licence, copy):
    assert (copy.revision, copy.body) == (3, SOURCE_1)
    assert list(copy.history.order_by("revision").values_list("body", flat=True)) == [
        SOURCE_1,
        COPY_2,
        SOURCE_1,
    ]


def _uploaded(world, licence, copy):
    names = list(copy.attachments.order_by("pk").values_list("name", flat=True))
    assert names == [ATTACHMENT[0], UPLOAD[0]]
    assert copy.revision == 2


def _taken_over(world, licence, copy):
    assert (copy.revision, copy.body) == (3, MERGED)
    assert (copy.upstream.id, copy.upstream.revision) == (world.sources[licence].pk, 2)
    newest = _newest(copy)
    assert newest.upstream_id == copy.upstream_id
    assert newest.history_change_reason == "Änderung der Vorlage übernommen (Version 2)"


def _dismissed(world, licence, copy):
    adoption = Adoption.objects.get(pk=world.adoptions[licence].pk)
    assert adoption.dismissed_row.revision == 2
    assert (copy.revision, copy.body, copy.upstream.revision) == (2, COPY_2, 1)
    assert services.upstream_change(adoption) is None


def _status_set(world, licence, copy):
    adoption = Adoption.objects.get(pk=world.adoptions[licence].pk)
    assert (adoption.status, adoption.experience) == (Adoption.Status.PILOT, "Zwei Schulen.")
    assert copy.revision == 2


def _offered(world, licence, copy):
    offer = Offer.objects.get(adoption=world.adoptions[licence])
    assert (offer.status, offer.offered_by, offer.message) == (
        Offer.Status.OPEN,
        world.users["adopter"],
        "Unsere Einleitung.",
    )
    assert (offer.base_row.revision, offer.copy_row.body) == (1, COPY_2)


def _published(world, licence, role, response):
    template = Template.objects.get(result=world.plain[licence])
    assert response["Location"] == template.get_absolute_url()
    assert (template.licence, template.recommended.revision, template.published_by) == (
        licence,
        1,
        world.users[role],
    )


EDITED = f"Einleitung.\n{COPY_2}"
# The merge of source 1 → 2 (the term) into Warstein's copy (the heading): both kept.
MERGED = "# Ausschreibung Warstein\nLeistung: LED-Leuchten.\nLaufzeit: sieben Jahre."


@dataclass(frozen=True)
class Call:
    url: Callable[[World, str], str]
    data: Callable[[World, str, str], dict] = lambda world, licence, role: {}
    effect: Callable | None = None  # checks a carried-out POST
    title: Callable[[World, str], str] = lambda world, licence: SOURCE_TITLES[licence]


def _copy_url(name: str, query: str = "") -> Callable[[World, str], str]:
    return lambda world, licence: reverse(name, kwargs=_copy_kwargs(world, licence)) + query


def _offer_url(name: str) -> Callable[[World, str], str]:
    return lambda world, licence: reverse(name, kwargs=_offer_kwargs(world, licence))


def _adopt_data(world, licence, role):
    # Whoever asks, asks for their own municipality; who works for none asks for Brilon.
    home = world.homes[role] or world.homes["outsider"]
    return {"municipality": home.pk}


CALLS: dict[str, Call] = {
    "templates:list": Call(lambda world, licence: reverse("templates:list")),
    "templates:detail": Call(lambda world, licence: world.templates[licence].get_absolute_url()),
    "templates:adopt": Call(
        lambda world, licence: reverse(
            "templates:adopt", kwargs={"template_id": world.templates[licence].pk}
        ),
        data=_adopt_data,
        effect=_adopted,
    ),
    "templates:offer": Call(_offer_url("templates:offer")),
    "templates:offer-accept": Call(
        _offer_url("templates:offer-accept"),
        data=lambda world, licence, role: {"base_revision": 2},
        effect=_accepted,
    ),
    "templates:offer-decline": Call(
        _offer_url("templates:offer-decline"),
        data=lambda world, licence, role: {"note": "Das regelt bei uns die Satzung."},
        effect=_declined,
    ),
    "copies:result": Call(_copy_url("copies:result")),
    "copies:edit": Call(
        _copy_url("copies:edit"),
        data=lambda world, licence, role: {
            "title": SOURCE_TITLES[licence],
            "summary": "",
            "kind": Result.Kind.TENDER,
            "maturity": Result.Maturity.DRAFT,
            "body": EDITED,
            "note": "Einleitung ergänzt",
            "base_revision": 2,
        },
        effect=_copy_done(_edited),
    ),
    "copies:versions": Call(_copy_url("copies:versions")),
    "copies:compare": Call(_copy_url("copies:compare", "?von=1&zu=2")),
    "copies:restore": Call(
        _copy_url("copies:restore"),
        data=lambda world, licence, role: {"revision": 1, "base_revision": 2},
        effect=_copy_done(_restored),
    ),
    "copies:attachment-upload": Call(
        _copy_url("copies:attachment-upload"),
        data=lambda world, licence, role: {
            "file": SimpleUploadedFile(UPLOAD[0], UPLOAD[1], content_type="text/csv")
        },
        effect=_copy_done(_uploaded),
    ),
    "copies:attachment": Call(
        lambda world, licence: reverse(
            "copies:attachment",
            kwargs={
                **_copy_kwargs(world, licence),
                "attachment_id": world.attachments[licence].pk,
            },
        )
    ),
    "copies:take-over": Call(
        _copy_url("copies:take-over"),
        data=lambda world, licence, role: {"body": MERGED, "base_revision": 2},
        effect=_copy_done(_taken_over),
    ),
    "copies:dismiss": Call(_copy_url("copies:dismiss"), effect=_copy_done(_dismissed)),
    "copies:status": Call(
        _copy_url("copies:status"),
        data=lambda world, licence, role: {"status": "pilot", "experience": "Zwei Schulen."},
        effect=_copy_done(_status_set),
    ),
    "copies:offer": Call(
        _copy_url("copies:offer"),
        data=lambda world, licence, role: {"message": "Unsere Einleitung."},
        effect=_copy_done(_offered),
    ),
    "projects:result-publish": Call(
        lambda world, licence: reverse(
            "projects:result-publish",
            kwargs={"slug": world.project.slug, "result_id": world.plain[licence].pk},
        ),
        data=lambda world, licence, role: {
            "licence": licence,
            "recommended_revision": 1,
            "prerequisites": "Ein Gemeinderatsbeschluss.",
            "effort": "Zwei Tage.",
            "contact": "Stadt Menden",
        },
        effect=_published,
        title=lambda world, licence: PLAIN_TITLES[licence],
    ),
}


def _body(response) -> str:
    return response.content.decode()


def _cells():
    for url_name in sorted(MATRIX):
        for role in ROLES:
            for licence in LICENCES:
                for method in METHODS:
                    yield pytest.param(
                        url_name,
                        role,
                        licence,
                        method,
                        id=f"{url_name}-{role}-{licence}-{method}",
                    )


# --- The matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(("url_name", "role", "licence", "method"), list(_cells()))
def test_matrix(world, url_name, role, licence, method):
    row, call = MATRIX[url_name], CALLS[url_name]
    expected = (row.get if method == "GET" else row.post)[licence][role]
    url = call.url(world, licence)
    client = client_for(world.users[role])
    before = snapshot(world)

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, call.data(world, licence, role))

    where = f"{method} {url} als {role} ({licence})"
    check_answer(response, expected, url=url, where=where, message=row.refusal)
    carried_out = method == "POST" and expected.then == "done"
    if not carried_out:
        assert snapshot(world) == before, f"{where} hat etwas verändert"

    if carried_out:
        call.effect(world, licence, role, response)
    elif expected.status == 200 and url_name == "copies:attachment":
        name, content = ATTACHMENT
        assert b"".join(response.streaming_content) == content
        assert name in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
    elif expected.status == 200:
        body = _body(response)
        title = call.title(world, licence)
        if row.listed is not None:
            assert (title in body) == row.listed[licence][role], f"{where}: gelistet?"
        else:
            assert title in body, where
        if url_name.startswith("copies:"):
            assert "Warstein" in body
        if url_name == "copies:take-over":
            assert "Version 1 → 2" in body and "sieben" in body
        if url_name == "templates:offer":
            assert "Verbesserungsangebot aus Lippstadt" in body
            # Only the source team is offered the decision.
            assert ("Annehmen" in body) == (role in ("editor", "coordinator")), where


def test_matrix_has_a_cell_for_every_role_licence_and_method():
    assert set(MATRIX) == set(CALLS)
    for url_name, row in MATRIX.items():
        for tables in (row.get, row.post):
            assert set(tables) == set(LICENCES)
            for by_role in tables.values():
                assert tuple(by_role) == ROLES
        refuses = any(
            e.status == 403
            for tables in (row.get, row.post)
            for by_role in tables.values()
            for e in by_role.values()
        )
        assert bool(row.refusal) == refuses, f"{url_name}: 403 ohne deutsche Begründung"
        assert (row.listed is not None) == (url_name == "templates:list")


def test_the_tables_keep_the_rules_of_reuse():
    """The rules behind the tables, checked against them: copies are changed only by the
    adopting municipality; offers are decided only by the source team (not the office);
    anonymous visitors never get past the login on a copy or an offer."""
    for url_name, row in MATRIX.items():
        for method, tables in (("GET", row.get), ("POST", row.post)):
            for licence, by_role in tables.items():
                cell = f"{url_name} {method} {licence}"
                if url_name.startswith("copies:") or url_name.startswith("templates:offer"):
                    assert by_role["anonymous"] in (LOGIN, NOPE), cell
                if url_name.startswith("copies:") and method == "POST":
                    doers = {r for r, e in by_role.items() if e == DONE}
                    assert doers <= {"adopter"}, cell
                if url_name in ("templates:offer-accept", "templates:offer-decline"):
                    doers = {r for r, e in by_role.items() if e == DONE}
                    assert doers <= {"editor", "coordinator"}, cell
                    assert by_role["office"] != DONE, cell


# --- Beyond the tables -----------------------------------------------------------------------


def test_a_copy_is_found_only_under_its_own_municipality(world):
    """The municipality in the URL must own the copy; a project's result is no copy, and a
    copy is no project's result."""
    copy_id = world.adoptions[CC_BY].copy_id
    adopter = client_for(world.users["adopter"])
    before = snapshot(world)
    for url in (
        reverse("copies:result", kwargs={"municipality": "brilon", "result_id": copy_id}),
        reverse("copies:result", kwargs={"municipality": "gibtsnicht", "result_id": copy_id}),
        reverse(
            "copies:result",
            kwargs={"municipality": "menden", "result_id": world.sources[CC_BY].pk},
        ),
        reverse("projects:result", kwargs={"slug": world.project.slug, "result_id": copy_id}),
    ):
        assert adopter.get(url).status_code == 404, url
    edit = reverse("copies:edit", kwargs={"municipality": "brilon", "result_id": copy_id})
    assert client_for(world.users["outsider"]).post(edit, {"body": "x"}).status_code == 404
    assert snapshot(world) == before


def test_a_person_working_for_no_member_municipality_does_not_see_copies(world):
    stranger = UserFactory(username="fremd")
    client = client_for(stranger)
    before = snapshot(world)
    for name in ("copies:result", "copies:versions", "copies:take-over", "copies:dismiss"):
        url = reverse(name, kwargs=_copy_kwargs(world, CC_BY))
        response = client.get(url) if name != "copies:dismiss" else client.post(url)
        assert response.status_code == 404, name
    assert snapshot(world) == before


def test_an_offer_is_found_only_under_its_own_template(world):
    url = reverse(
        "templates:offer-accept",
        kwargs={"template_id": world.templates[CC_BY].pk, "offer_id": world.offers[INTERNAL].pk},
    )
    before = snapshot(world)
    assert client_for(world.users["editor"]).post(url, {"base_revision": 2}).status_code == 404
    assert snapshot(world) == before


def test_the_office_is_no_source_team_even_where_it_may_edit_the_source(world):
    """The office edits every project's results (global rights), yet offers are the team's."""
    office = client_for(world.users["office"])
    page = office.get(reverse("templates:offer", kwargs=_offer_kwargs(world, CC_BY)))
    assert page.status_code == 200 and page.context["decides"] is False
    template_page = office.get(world.templates[CC_BY].get_absolute_url())
    assert template_page.context["offers"] == []
    source_edit = office.get(world.sources[CC_BY].edit_url)
    assert source_edit.status_code == 200
