"""Portable lead projects (issue 8): an archive with every version, author, date, note, licence
and source, and its way back in – checked as a whole first, written in one transaction.

The world: a public project led by Menden (coordinator: Menden staff; editor: Iserlohn staff;
Iserlohn takes part; two topics), moved from idea to proposed and, with a reason, to agreed.
Its results:

- „Musterausschreibung“: tested, three versions by two authors with notes, one attachment,
  published as a CC BY template (recommended version 2) and adopted by Warstein, whose copy
  has a version of its own;
- „Interne Skizze“: a draft in two versions (the team's only);
- „Checkliste“: a draft at version 1, tested from version 2 on (version 1 is the team's only);
- „Netzwerkinterne Vorlage“: tested, a template internal to the network (never for anonymous).

``outsider`` (Brilon) is a member in no project; ``stranger`` works for no member.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from guardian.models import UserObjectPermission

from projects import portable, services
from projects.models import (
    Adoption,
    HistoricalResult,
    LeadProject,
    LeadProjectUserObjectPermission,
    Offer,
    ProjectActivity,
    Result,
    ResultAttachment,
    TeamMembership,
    Template,
    Visibility,
)
from tests.factories import MembershipFactory, MunicipalityFactory, TopicFactory
from tests.projects.factories import lead_project
from workspace.models import Topic, User

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
TESTED, DRAFT = Result.Maturity.TESTED, Result.Maturity.DRAFT
LOGIN_URL = "/konto/anmelden/"
ATTACHMENT = ("kalkulation.csv", b"Posten;Betrag\nLeuchten;12000\n")

_handler = Client().handler


def client_for(user) -> Client:
    client = Client()
    client.handler = _handler
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def warstein(db):
    return MunicipalityFactory(name="Warstein", slug="warstein", district__slug="kreis-soest")


@pytest.fixture
def adopter(warstein):
    return MembershipFactory(user__username="kommune-warstein", municipality=warstein).user


@pytest.fixture
def world(office, coordinator, editor, menden, iserlohn, adopter, warstein):
    topics = [TopicFactory(name="Beleuchtung", slug="beleuchtung"), TopicFactory(name="Energie")]
    project = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Straßenbeleuchtung gemeinsam ausschreiben",
        participants=[iserlohn],
        topics=topics,
        description="## Worum es geht\n\nLED für alle.",
        team=[(editor, Role.EDITOR)],
    )
    services.project_change_status(project=project, by=coordinator, to="proposed")
    services.project_change_status(
        project=project, by=office, to="agreed", decision="Beschluss des Steuerkreises vom Mai"
    )

    tender = services.result_create(
        project=project,
        by=coordinator,
        title="Musterausschreibung",
        summary="Vorlage für LED-Leuchten.",
        body="# Ausschreibung\n\nLeistung: LED.",
        kind=Result.Kind.TENDER,
        maturity=TESTED,
        note="Erste Fassung",
    )
    services.result_update(
        result=tender,
        by=editor,
        base_revision=1,
        note="Laufzeit ergänzt",
        body="# Ausschreibung\n\nLeistung: LED.\nLaufzeit: fünf Jahre.",
    )
    services.attachment_add(
        result=tender,
        by=editor,
        upload=SimpleUploadedFile(ATTACHMENT[0], ATTACHMENT[1], content_type="text/csv"),
    )
    template = services.template_publish(
        result=tender,
        by=coordinator,
        licence=Template.Licence.CC_BY,
        recommended_revision=2,
        prerequisites="Ein Vergabeamt.",
        effort="zwei Wochen",
        contact="Vergabestelle Menden",
    )
    adoption = services.adoption_create(template=template, municipality=warstein, by=adopter)
    services.result_update(
        result=adoption.copy,
        by=adopter,
        base_revision=1,
        note="An Warstein angepasst",
        body=adoption.copy.body + "\nOrt: Warstein.",
    )
    services.adoption_set_status(
        adoption=adoption, by=adopter, status=Adoption.Status.PILOT, experience="Läuft gut."
    )
    services.result_update(
        result=tender,
        by=coordinator,
        base_revision=2,
        note="Wartung ergänzt",
        body="# Ausschreibung\n\nLeistung: LED.\nLaufzeit: fünf Jahre.\nWartung: Stadt.",
    )

    sketch = services.result_create(
        project=project, by=editor, title="Interne Skizze", body="Noch geheim.", note="Idee"
    )
    services.result_update(
        result=sketch, by=editor, base_revision=1, body="Noch geheimer.", note="Weiter"
    )

    checklist = services.result_create(
        project=project, by=editor, title="Checkliste", body="- [ ] Entwurf", note="Anfang"
    )
    services.result_update(
        result=checklist,
        by=coordinator,
        base_revision=1,
        maturity=TESTED,
        body="- [x] erprobt",
        note="In Menden erprobt",
    )

    internal = services.result_create(
        project=project,
        by=coordinator,
        title="Netzwerkinterne Vorlage",
        body="Nur für das Netzwerk.",
        maturity=TESTED,
    )
    services.template_publish(
        result=internal, by=coordinator, licence=Template.Licence.INTERNAL, recommended_revision=1
    )
    project.refresh_from_db()
    return project


# --- helpers ---------------------------------------------------------------------------------


def export_bytes(project, user) -> bytes:
    with portable.project_export(project=project, user=user) as archive:
        return archive.read()


def manifest_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read(portable.MANIFEST))


def rezip(data: bytes, *, manifest=None, replace=None, add=None, drop=()) -> bytes:
    """A copy of the archive ``data`` with entries changed: the manifest (a function of the
    parsed manifest), entries replaced or added by name, entries dropped."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = source.read(info)
            if info.filename == portable.MANIFEST and manifest is not None:
                content = json.dumps(manifest(json.loads(content))).encode()
            if replace and info.filename in replace:
                content = replace[info.filename]
            target.writestr(info.filename, content, zipfile.ZIP_DEFLATED)
        for name, content in (add or {}).items():
            target.writestr(zipfile.ZipInfo(name), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def import_bytes(data: bytes, by, **kwargs):
    return portable.project_import(archive=io.BytesIO(data), by=by, **kwargs)


def person(user) -> str | None:
    return user.get_display_name() if user else None


def versions_of(result) -> list[dict]:
    return [
        {
            "revision": row.revision,
            "title": row.title,
            "summary": row.summary,
            "body": row.body,
            "kind": row.kind,
            "maturity": row.maturity,
            "is_archived": row.is_archived,
            "date": row.history_date,
            "author": person(row.history_user),
            "note": row.history_change_reason,
            "upstream": row.upstream.revision if row.upstream_id else None,
        }
        for row in HistoricalResult.objects.filter(id=result.pk)
        .select_related("history_user", "upstream")
        .order_by("revision")
    ]


def picture(project) -> dict:
    """Everything the round trip must keep, without database ids."""
    results = {}
    for result in Result.objects.filter(project=project).order_by("title"):
        template = Template.objects.filter(result=result).first()
        results[result.title] = {
            "revision": result.revision,
            "created_by": person(result.created_by),
            "versions": versions_of(result),
            "attachments": [
                {
                    "name": a.name,
                    "size": a.size,
                    "sha256": a.sha256,
                    "content": a.file.open("rb").read(),
                    "content_type": a.content_type,
                    "uploaded_by": person(a.uploaded_by),
                    "uploaded_at": a.uploaded_at,
                }
                for a in result.attachments.order_by("name")
            ],
            "template": template
            and {
                "licence": template.licence,
                "prerequisites": template.prerequisites,
                "effort": template.effort,
                "contact": template.contact,
                "recommended": template.recommended.revision,
                "published_by": person(template.published_by),
                "published_at": template.published_at,
            },
            "adoptions": [
                {
                    "municipality": a.municipality.slug,
                    "status": a.status,
                    "experience": a.experience,
                    "adopted_row": a.adopted_row.revision,
                    "adopted_by": person(a.adopted_by),
                    "adopted_at": a.adopted_at,
                    "copy_upstream": a.copy.upstream.revision,
                    "copy_versions": versions_of(a.copy),
                }
                for a in (template.adoptions.order_by("municipality__slug") if template else [])
            ],
        }
    project = LeadProject.objects.get(pk=project.pk)
    history = list(project.history.order_by("history_date", "history_id"))
    return {
        "project": {
            name: getattr(project, name)
            for name in (
                "title",
                "summary",
                "description",
                "kind",
                "visibility",
                "status",
                "starts_on",
                "ends_on",
                "lead_municipality_id",
                "lead_exception_reason",
            )
        },
        "created_by": person(project.created_by),
        "topics": sorted(project.topics.values_list("slug", flat=True)),
        "participants": sorted(project.participants.values_list("slug", flat=True)),
        # The imported project adds one row: the import itself, with where it came from.
        "history": [
            (row.history_date, person(row.history_user), row.history_change_reason, row.status)
            for row in history
            if not (row.history_change_reason or "").startswith("Importiert aus")
        ],
        "results": results,
    }


def remove(project) -> None:
    """Take the project out of the database, as if this were another, empty installation.

    Only a test does this: the product archives, it never deletes (DESIGN.md, invariant 2).
    """
    results = list(Result.objects.filter(project=project).values_list("pk", flat=True))
    copies = list(
        Adoption.objects.filter(template__result__in=results).values_list("copy_id", flat=True)
    )
    Offer.objects.filter(adoption__copy__in=copies).delete()
    Adoption.objects.filter(copy__in=copies).delete()
    Template.objects.filter(result__in=results).delete()
    ResultAttachment.objects.filter(result__in=results).delete()
    Result.objects.filter(pk__in=copies + results).delete()
    HistoricalResult.objects.filter(id__in=copies + results).delete()
    TeamMembership.objects.filter(project=project).delete()
    LeadProjectUserObjectPermission.objects.filter(content_object=project).delete()
    ProjectActivity.objects.filter(project=project).delete()
    project.topics.clear()
    project.participants.clear()
    pk = project.pk
    project.delete()
    LeadProject.history.filter(id=pk).delete()


def counts(media: Path) -> dict:
    """Every table an import writes, and the stored files."""
    return {
        "projects": LeadProject.objects.count(),
        "project_history": LeadProject.history.count(),
        "results": Result.objects.count(),
        "result_history": HistoricalResult.objects.count(),
        "attachments": ResultAttachment.objects.count(),
        "templates": Template.objects.count(),
        "adoptions": Adoption.objects.count(),
        "activities": ProjectActivity.objects.count(),
        "team": TeamMembership.objects.count(),
        "topics": Topic.objects.count(),
        "users": User.objects.count(),
        "permissions": UserObjectPermission.objects.count()
        + LeadProjectUserObjectPermission.objects.count(),
        "files": sorted(str(p) for p in Path(media).rglob("*") if p.is_file())
        if Path(media).exists()
        else [],
    }


# --- the round trip (Done when 1) -------------------------------------------------------------


def test_round_trip_keeps_every_version_author_date_note_licence_and_source(world, office):
    before = picture(world)
    data = export_bytes(world, office)
    remove(world)
    assert not LeadProject.objects.filter(slug=world.slug).exists()

    outcome = import_bytes(data, office)

    imported = outcome.project
    assert imported.slug == world.slug and not outcome.slug_changed
    after = picture(imported)
    assert after == before
    # What was checked is really there: 4 results, 3 versions of the tender, its attachment,
    # template and Warstein's adoption with its own version.
    tender = after["results"]["Musterausschreibung"]
    assert [v["note"] for v in tender["versions"]] == [
        "Erste Fassung",
        "Laufzeit ergänzt",
        "Wartung ergänzt",
    ]
    assert tender["template"]["licence"] == Template.Licence.CC_BY
    assert tender["adoptions"][0]["municipality"] == "warstein"
    assert [v["upstream"] for v in tender["adoptions"][0]["copy_versions"]] == [2, 2]
    assert tender["attachments"][0]["content"] == ATTACHMENT[1]
    assert (outcome.results, outcome.versions, outcome.attachments) == (4, 8, 1)
    # Everyone who wrote is an account here (same usernames): nothing kept as a bare name.
    assert outcome.kept_as_names == []
    # Where it came from stays in the project's history, written by the importer.
    last = imported.history.order_by("-history_date", "-history_id").first()
    assert last.history_change_reason.startswith("Importiert aus http")
    assert last.history_user == office


def test_imported_project_reads_like_the_original_on_its_pages(world, office, coordinator):
    data = export_bytes(world, office)
    remove(world)
    project = import_bytes(data, office).project
    tender = Result.objects.get(project=project, title="Musterausschreibung")

    page = client_for(coordinator).get(tender.versions_url)

    assert page.status_code == 200
    text = page.content.decode()
    for note in ("Erste Fassung", "Laufzeit ergänzt", "Wartung ergänzt"):
        assert note in text
    assert coordinator.get_display_name() in text


def test_into_another_installation_authors_without_account_keep_their_names(world, office):
    """A second installation knows nobody of the first: usernames map to no account there."""
    data = export_bytes(world, office)
    before = picture(world)
    remove(world)
    # The people of the first installation are unknown here.
    usernames = {"koordination-menden", "team-iserlohn", "kommune-warstein"}
    User.objects.filter(username__in=usernames).update(username=Concat(Value("alt-"), F("pk")))

    outcome = import_bytes(data, office)

    after = picture(outcome.project)
    assert after == before
    assert set(outcome.kept_as_names) >= {
        u.get_display_name() for u in User.objects.filter(username__startswith="alt-")
    }
    placeholders = User.objects.filter(username__startswith=portable.PLACEHOLDER_PREFIX)
    assert placeholders.exists()
    assert not any(u.is_active or u.has_usable_password() for u in placeholders)


def test_a_second_import_gets_a_new_slug_and_says_so(world, office):
    data = export_bytes(world, office)

    outcome = import_bytes(data, office)

    assert outcome.project.slug == f"{world.slug}-2"
    assert outcome.slug_changed
    notice = outcome.notices()[0]
    assert world.slug in notice and f"{world.slug}-2" in notice
    # The original is untouched.
    assert LeadProject.objects.get(pk=world.pk).slug == world.slug


def test_import_page_names_the_new_slug(world, office):
    data = export_bytes(world, office)

    response = client_for(office).post(
        reverse("projects:import"),
        {"archive": SimpleUploadedFile("archiv.zip", data, content_type="application/zip")},
        follow=True,
    )

    assert response.status_code == 200
    new = LeadProject.objects.exclude(pk=world.pk).get(title=world.title)
    assert response.redirect_chain[-1][0] == new.get_absolute_url()
    text = response.content.decode()
    assert "ist importiert" in text
    assert f"„{new.slug}“" in text and f"„{world.slug}“" in text


def test_a_missing_lead_municipality_is_asked_for(world, office, arnsberg, media):
    data = rezip(
        export_bytes(world, office),
        manifest=lambda m: {
            **m,
            "project": {**m["project"], "lead_municipality": {"slug": "x", "name": "Nirgendwo"}},
        },
    )
    before = counts(media)

    with pytest.raises(ValidationError) as refused:
        import_bytes(data, office)

    assert "Nirgendwo" in " ".join(refused.value.messages)
    assert counts(media) == before
    project = import_bytes(data, office, lead=arnsberg).project
    assert project.lead_municipality == arnsberg


# --- refused, the database unchanged (Done when 2) --------------------------------------------


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with ``name``'s uncompressed size in both headers set to ``size``."""
    raw = bytearray(data)
    encoded = name.encode()
    offset = 0
    while (local := raw.find(b"PK\x03\x04", offset)) != -1:
        name_len = struct.unpack_from("<H", raw, local + 26)[0]
        if raw[local + 30 : local + 30 + name_len] == encoded:
            struct.pack_into("<I", raw, local + 22, size)
        offset = local + 4
    offset = 0
    while (central := raw.find(b"PK\x01\x02", offset)) != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_len] == encoded:
            struct.pack_into("<I", raw, central + 24, size)
        offset = central + 4
    return bytes(raw)


BOMB = "anhaenge/bombe.bin"


def _bomb(data: bytes, size: int) -> bytes:
    def listed(m):
        m["files"].append(
            {
                "path": BOMB,
                "size": size,
                "sha256": hashlib.sha256(bytes(size)).hexdigest(),
            }
        )
        return m

    return rezip(data, manifest=listed, add={BOMB: bytes(size)})


def _tampered_attachment(data: bytes) -> bytes:
    name = next(
        n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("anhaenge/")
    )
    return rezip(data, replace={name: b"Posten;Betrag\nLeuchten;1\n"})


CASES = {
    "truncated": (lambda d: d[: len(d) * 2 // 3], "beschädigt oder unvollständig"),
    "not a zip": (lambda d: b"kein Archiv" * 100, "beschädigt oder unvollständig"),
    "checksum": (_tampered_attachment, "Prüfsumme (SHA-256)"),
    "parent path": (
        lambda d: rezip(d, add={"../ausbruch.txt": b"x"}),
        "unzulässigen Pfad: „../ausbruch.txt“",
    ),
    "nested parent path": (
        lambda d: rezip(d, add={"anhaenge/../../ausbruch.txt": b"x"}),
        "unzulässigen Pfad",
    ),
    "absolute path": (lambda d: rezip(d, add={"/etc/ausbruch": b"x"}), "unzulässigen Pfad"),
    "windows path": (
        lambda d: rezip(d, add={"C:\\Windows\\ausbruch": b"x"}),
        "unzulässigen Pfad",
    ),
    "zip bomb": (lambda d: _bomb(d, 3 * 1024 * 1024), "entpackt sich zu mehr als 2,0 MB"),
    "zip bomb with lying headers": (
        lambda d: _lie_about_size(_bomb(d, 3 * 1024 * 1024), BOMB, 1000),
        "beschädigt oder unvollständig",
    ),
    "archive too large": (lambda d: d + bytes(1024 * 1024), "größer als 1,0 MB"),
    "too many files": (
        lambda d: rezip(d, add={f"x/{n}.txt": b"" for n in range(30)}),
        "höchstens 20 an",
    ),
    "unknown format version": (
        lambda d: rezip(d, manifest=lambda m: {**m, "format_version": 2}),
        "Formatversion „2“",
    ),
    "no manifest": (lambda d: rezip(d, drop={"manifest.json"}), "manifest.json fehlt"),
    "manifest not json": (
        lambda d: rezip(d, replace={"manifest.json": b"{kaputt"}),
        "kein lesbares JSON",
    ),
    "unlisted file": (
        lambda d: rezip(d, add={"anhaenge/extra.txt": b"x"}),
        "die sein Verzeichnis nicht nennt",
    ),
    "listed file missing": (
        lambda d: rezip(
            d, drop={n for n in zipfile.ZipFile(io.BytesIO(d)).namelist() if n.endswith(".md")}
        ),
        "fehlt die Datei",
    ),
    "invalid value": (
        lambda d: rezip(
            d,
            manifest=lambda m: {
                **m,
                "results": [
                    {
                        **m["results"][0],
                        "versions": [{**m["results"][0]["versions"][0], "maturity": "fertig"}],
                    },
                    *m["results"][1:],
                ],
            },
        ),
        "manifest.results[0].versions[0].maturity",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_refused_archives_change_nothing(case, world, office, settings, media):
    settings.PORTABLE_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    settings.PORTABLE_MAX_ARCHIVE_BYTES = 1024 * 1024
    settings.PORTABLE_MAX_FILES = 20
    spoil, message = CASES[case]
    data = spoil(export_bytes(world, office))
    before = counts(media)

    with pytest.raises(ValidationError) as refused:
        import_bytes(data, office)

    assert message in " ".join(refused.value.messages)
    assert counts(media) == before


def test_the_import_page_shows_the_refusal_and_changes_nothing(world, office, media):
    data = CASES["checksum"][0](export_bytes(world, office))
    before = counts(media)

    response = client_for(office).post(
        reverse("projects:import"),
        {"archive": SimpleUploadedFile("archiv.zip", data, content_type="application/zip")},
    )

    assert response.status_code == 200
    assert "Prüfsumme (SHA-256)" in response.content.decode()
    assert counts(media) == before


def test_a_failure_while_writing_leaves_no_row_and_no_file(world, office, media, monkeypatch):
    data = export_bytes(world, office)
    before = counts(media)

    def broken(*args, **kwargs):
        raise RuntimeError("Festplatte voll")

    monkeypatch.setattr(portable, "_adopt", broken)
    with pytest.raises(RuntimeError):
        import_bytes(data, office)

    assert counts(media) == before


# --- what the archive holds, by who asks (Done when 3) ----------------------------------------


def _titles(manifest: dict) -> set[str]:
    return {r["versions"][-1]["title"] for r in manifest["results"]}


def test_the_team_exports_everything_with_usernames(world, editor):
    manifest = manifest_of(export_bytes(world, editor))

    assert manifest["scope"] == "team"
    assert _titles(manifest) == {
        "Musterausschreibung",
        "Interne Skizze",
        "Checkliste",
        "Netzwerkinterne Vorlage",
    }
    checklist = next(r for r in manifest["results"] if r["versions"][-1]["title"] == "Checkliste")
    assert [v["revision"] for v in checklist["versions"]] == [1, 2]
    assert checklist["versions"][0]["author"] == {
        "name": editor.get_display_name(),
        "username": "team-iserlohn",
    }


@pytest.mark.parametrize("who", ["anonymous", "outsider", "stranger"])
def test_outside_the_team_only_public_content_without_drafts(who, world, outsider, stranger):
    user = {"anonymous": None, "outsider": outsider, "stranger": stranger}[who]
    response = client_for(user).get(reverse("projects:export", args=[world.slug]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    manifest = manifest_of(data)

    assert manifest["scope"] == "public"
    expected = {"Musterausschreibung", "Checkliste", "Netzwerkinterne Vorlage"}
    assert _titles(manifest) == expected
    checklist = next(r for r in manifest["results"] if r["versions"][-1]["title"] == "Checkliste")
    # Version 1 was a draft: outside the team it does not exist.
    assert [v["revision"] for v in checklist["versions"]] == [2]
    text = data.decode("latin-1")
    assert "Noch geheim" not in text and "- [ ] Entwurf" not in text
    # No usernames outside the team, only the names the pages show.
    assert "koordination-menden" not in json.dumps(manifest)
    licences = {r["template"]["licence"] for r in manifest["results"] if r["template"]}
    # A template internal to the network is never shown to anonymous visitors.
    assert licences == ({"cc-by-4.0"} if who == "anonymous" else {"cc-by-4.0", "internal"})
    tender = next(
        r for r in manifest["results"] if r["versions"][-1]["title"] == "Musterausschreibung"
    )
    # The adoption register is public; the copy's versions only for who reads copies (members).
    assert tender["adoptions"][0]["municipality"]["slug"] == "warstein"
    copy = tender["adoptions"][0]["copy"]
    if who == "outsider":
        assert [v["revision"] for v in copy["versions"]] == [1, 2]
    else:
        assert copy is None


def test_a_public_archive_imports_without_the_drafts(world, office, outsider):
    data = export_bytes(world, outsider)
    outcome = import_bytes(data, office)

    results = Result.objects.filter(project=outcome.project)
    assert set(results.values_list("title", flat=True)) == {
        "Musterausschreibung",
        "Checkliste",
        "Netzwerkinterne Vorlage",
    }
    checklist = results.get(title="Checkliste")
    # Revision numbers stay the source's; the draft version left no row.
    assert checklist.revision == 2
    assert list(checklist.history.values_list("revision", flat=True)) == [2]


@pytest.mark.parametrize("visibility", [Visibility.NETWORK, Visibility.TEAM])
def test_hidden_projects_are_not_exported(visibility, world, coordinator, outsider, stranger):
    services.project_update(project=world, by=coordinator, visibility=visibility)
    url = reverse("projects:export", args=[world.slug])

    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN_URL)
    assert client_for(stranger).get(url).status_code == 404
    member = client_for(outsider).get(url)
    assert member.status_code == (200 if visibility == Visibility.NETWORK else 404)
    assert client_for(coordinator).get(url).status_code == 200


def test_the_service_refuses_a_user_who_may_not_see_the_project(world, coordinator, stranger):
    services.project_update(project=world, by=coordinator, visibility=Visibility.TEAM)
    with pytest.raises(Exception, match="nicht exportieren"):
        portable.project_export(project=world, user=stranger)


def test_import_only_for_the_network_office(world, office, coordinator, editor, media):
    data = export_bytes(world, office)
    url = reverse("projects:import")
    before = counts(media)

    anonymous = client_for(None).post(url, {"archive": SimpleUploadedFile("a.zip", data)})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN_URL)
    for user in (coordinator, editor):
        refused = client_for(user).post(url, {"archive": SimpleUploadedFile("a.zip", data)})
        assert refused.status_code == 403
        assert "nur die Geschäftsstelle" in refused.content.decode()
    with pytest.raises(Exception, match="nur die Geschäftsstelle"):
        import_bytes(data, coordinator)
    assert counts(media) == before
    assert client_for(office).get(url).status_code == 200


# --- pages, commands and query counts -----------------------------------------------------------


def test_links_to_export_and_import(world, office, outsider):
    detail = client_for(outsider).get(world.get_absolute_url()).content.decode()
    assert reverse("projects:export", args=[world.slug]) in detail
    listing = client_for(outsider).get(reverse("projects:list")).content.decode()
    assert reverse("projects:import") not in listing
    listing = client_for(office).get(reverse("projects:list")).content.decode()
    assert reverse("projects:import") in listing


def test_the_archive_holds_markdown_per_result_and_checksums_of_every_file(world, office):
    data = export_bytes(world, office)
    manifest = manifest_of(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist()) - {portable.MANIFEST}
        assert names == {f["path"] for f in manifest["files"]}
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        tender = next(
            r for r in manifest["results"] if r["versions"][-1]["title"] == "Musterausschreibung"
        )
        text = archive.read(tender["file"]).decode()
    assert text.startswith("# Musterausschreibung")
    assert "Wartung: Stadt." in text and "Version 3 vom" in text and "CC BY 4.0" in text
    assert manifest["format_version"] == portable.FORMAT_VERSION
    assert [t["slug"] for t in manifest["project"]["topics"]] == ["beleuchtung", "energie"]
    assert manifest["project"]["history"][-1]["note"] == "Beschluss des Steuerkreises vom Mai"


def test_commands_export_and_import(world, office, tmp_path, media):
    target = tmp_path / "archiv.zip"
    out = io.StringIO()
    call_command("export_project", world.slug, "--als", "buero", "-o", str(target), stdout=out)
    assert "Archiv geschrieben" in out.getvalue()

    out = io.StringIO()
    call_command("import_project", str(target), "--als", "buero", stdout=out)
    assert f"({world.slug}-2)" in out.getvalue()
    assert "gibt es hier schon" in out.getvalue()

    before = counts(media)
    target.write_bytes(target.read_bytes()[:500])
    with pytest.raises(CommandError, match="beschädigt"):
        call_command("import_project", str(target), "--als", "buero", stdout=io.StringIO())
    with pytest.raises(CommandError, match="nur die Geschäftsstelle"):
        call_command("import_project", str(target), "--als", "koordination-menden")
    assert counts(media) == before


def _grow(project, by, n: int) -> None:
    for i in range(n):
        result = services.result_create(
            project=project, by=by, title=f"Ergebnis {i}", body="eins", maturity=TESTED
        )
        services.result_update(result=result, by=by, base_revision=1, body="zwei")
        services.attachment_add(
            result=result, by=by, upload=SimpleUploadedFile(f"a{i}.txt", b"Inhalt")
        )


def test_export_costs_the_same_queries_as_the_project_grows(
    world, coordinator, django_assert_num_queries
):
    client = client_for(coordinator)
    url = reverse("projects:export", args=[world.slug])
    client.get(url)  # warm up: sessions, content types

    def measure() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            b"".join(response.streaming_content)
        return len(queries)

    small = measure()
    _grow(world, coordinator, 10)
    with django_assert_num_queries(small):
        response = client.get(url)
        b"".join(response.streaming_content)
    assert len(manifest_of(b"".join(client.get(url).streaming_content))["results"]) == 14
