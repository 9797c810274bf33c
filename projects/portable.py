"""Portable lead projects: one archive with every version, author, licence and source, and
the way back into another installation (issue 8).

The archive (format version 1) is a zip:

- ``manifest.json`` – what the archive holds: the project, its topics and history, every
  result with its full version history (text, author, date, note), its template (licence)
  and who adopted it (provenance), and the size and SHA-256 of every other file;
- ``ergebnisse/<nn>-<name>.md`` – each result at its current version, for people to read;
- ``anhaenge/<nn>/<id>-<name>`` – the results' attachments.

Export writes only what the exporting user may see (``projects.permissions`` decides, as
for the pages): drafts and draft versions only for the team; a template internal to the
network never for anonymous visitors; adopted copies only for who may read them. Usernames
go into the archive only for the team and the network office; everyone else's archive
names people by their display names.

Import checks the whole archive before it writes anything (size, number of entries, what the
entries unpack to – counted while reading, headers are not trusted –, paths, checksums,
format version, every field), then writes in one transaction. Past versions are written
the one explicit way there is: each version is replayed through ``Result.save()`` with
simple-history's documented ``_history_date``, ``_history_user`` and ``_change_reason``, so
every history row is one the model itself wrote (DESIGN.md, invariant 2); revisions the
archive leaves out (draft versions hidden from its exporter) are saved with
``skip_history_when_saving`` so that revision numbers stay those of the source.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import (
    Adoption,
    HistoricalResult,
    LeadProject,
    ProjectActivity,
    Result,
    ResultAttachment,
    Template,
    Visibility,
)
from projects.permissions import (
    CopyAccess,
    ProjectAccess,
    reads_drafts,
    results_visible_in,
    visible_templates,
    without_drafts,
)
from projects.selectors import adoption_register
from workspace import services as workspace_services
from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log
from workspace.limits import LINE_MAX, LONG_TEXT_MAX, PROSE_MAX
from workspace.models import Municipality, Topic, User
from workspace.permissions import is_network_office
from workspace.text import german_slugify
from workspace.validators import CONTROL_CHARACTERS, characters

FORMAT = "klassenraum-leitprojekt"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 64 * 1024
# Far above what a project with thousands of versions needs (4,000 versions of 10 kB: 40 MB).
MAX_MANIFEST_BYTES = 128 * 1024 * 1024

# People an archive names but this installation has no account for keep their name on an
# inactive account without password: every page that names authors shows it, nobody can
# log in with it, and it holds no membership and no right.
PLACEHOLDER_PREFIX = "importiert-"


class ArchiveRefused(ValidationError):  # noqa: N818 – reads as the answer it is
    """The archive is not imported; the message says why, in German. Nothing was written."""


def limits() -> dict[str, int]:
    return {
        "archive": settings.PORTABLE_MAX_ARCHIVE_BYTES,
        "files": settings.PORTABLE_MAX_FILES,
        "unpacked": settings.PORTABLE_MAX_UNPACKED_BYTES,
    }


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",")


# --- export ------------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _safe_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", name).strip("._")
    return cleaned[:80] or fallback


def _markdown(version: dict, template: dict | None) -> str:
    lines = [f"# {version['title']}", ""]
    if version["summary"]:
        lines += [version["summary"], ""]
    lines += [version["body"].rstrip(), "", "---", ""]
    lines.append(
        _("Version %(n)s vom %(date)s · %(kind)s · %(maturity)s")
        % {
            "n": version["revision"],
            "date": datetime.datetime.fromisoformat(version["date"]).strftime("%d.%m.%Y"),
            "kind": Result.Kind(version["kind"]).label,
            "maturity": Result.Maturity(version["maturity"]).label,
        }
    )
    if template:
        lines += [
            "",
            _("Lizenz: %(licence)s") % {"licence": Template.Licence(template["licence"]).label},
        ]
    return "\n".join(lines) + "\n"


class _Exporter:
    def __init__(self, project: LeadProject, user) -> None:
        self.project = project
        self.user = user
        self.access = ProjectAccess(user, project)
        # The team (and the office) see drafts and the people behind the names.
        self.full = reads_drafts(self.access)

    def person(self, user: User | None) -> dict | None:
        if user is None:
            return None
        person = {"name": user.get_display_name()}
        if self.full:
            person["username"] = user.username
        return person

    def version(self, row, *, upstream_revision: int | None = None) -> dict:
        version = {
            "revision": row.revision,
            "date": _iso(row.history_date),
            "author": self.person(row.history_user),
            "note": row.history_change_reason,
            "title": row.title,
            "summary": row.summary,
            "body": row.body,
            "kind": row.kind,
            "maturity": row.maturity,
            "is_archived": row.is_archived,
        }
        if upstream_revision is not None:
            version["upstream_revision"] = upstream_revision
        return version

    def manifest_and_files(self, archive: zipfile.ZipFile) -> dict:
        project = self.project
        results = list(
            results_visible_in(project, self.access).select_related("created_by").order_by("pk")
        )
        ids = [r.pk for r in results]
        rows = HistoricalResult.objects.filter(id__in=ids).select_related("history_user")
        if not self.full:
            rows = without_drafts(rows)
        versions: dict[int, list] = {pk: [] for pk in ids}
        for row in rows.order_by("id", "revision"):
            versions[row.id].append(self.version(row))
        attachments: dict[int, list[ResultAttachment]] = {pk: [] for pk in ids}
        for attachment in (
            ResultAttachment.objects.filter(result_id__in=ids)
            .select_related("uploaded_by")
            .order_by("pk")
        ):
            attachments[attachment.result_id].append(attachment)
        templates = {
            t.result_id: t
            for t in visible_templates(self.user)
            .filter(result_id__in=ids)
            .select_related("recommended", "published_by")
        }
        adoptions: dict[int, list[Adoption]] = {}
        for adoption in adoption_register(user=self.user, project=project).select_related(
            "adopted_by", "dismissed_row"
        ):
            adoptions.setdefault(adoption.template.result_id, []).append(adoption)
        copies = self.copies([a for group in adoptions.values() for a in group])

        files: list[dict] = []
        entries = []
        for n, result in enumerate(results, start=1):
            history = versions[result.pk]
            if not history:
                continue
            template = templates.get(result.pk)
            template_data = (
                {
                    "licence": template.licence,
                    "prerequisites": template.prerequisites,
                    "effort": template.effort,
                    "contact": template.contact,
                    "recommended_revision": template.recommended.revision,
                    "published_by": self.person(template.published_by),
                    "published_at": _iso(template.published_at),
                }
                if template
                else None
            )
            path = f"ergebnisse/{n:02d}-{_safe_name(german_slugify(result.title), 'ergebnis')}.md"
            text = _markdown(history[-1], template_data).encode()
            archive.writestr(path, text)
            files.append(
                {"path": path, "size": len(text), "sha256": hashlib.sha256(text).hexdigest()}
            )
            attachment_data = []
            for attachment in attachments[result.pk]:
                apath = f"anhaenge/{n:02d}/{attachment.pk}-{_safe_name(attachment.name, 'anhang')}"
                digest, size = hashlib.sha256(), 0
                with attachment.file.open("rb") as source, archive.open(apath, "w") as target:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        target.write(chunk)
                files.append({"path": apath, "size": size, "sha256": digest.hexdigest()})
                attachment_data.append(
                    {
                        "path": apath,
                        "name": attachment.name,
                        "size": size,
                        "sha256": digest.hexdigest(),
                        "content_type": attachment.content_type,
                        "uploaded_by": self.person(attachment.uploaded_by),
                        "uploaded_at": _iso(attachment.uploaded_at),
                    }
                )
            entries.append(
                {
                    "key": n,
                    "file": path,
                    "created_by": self.person(result.created_by),
                    "versions": history,
                    "attachments": attachment_data,
                    "template": template_data,
                    "adoptions": [self.adoption(a, copies) for a in adoptions.get(result.pk, [])],
                }
            )

        project_rows = (
            LeadProject.history.filter(id=project.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "source": settings.SITE_URL,
            "exported_at": _iso(timezone.now()),
            "exported_by": self.person(self.user)
            if self.user.is_authenticated
            else {"name": _("anonym")},
            "scope": "team" if self.full else "public",
            "project": {
                "slug": project.slug,
                "title": project.title,
                "summary": project.summary,
                "description": project.description,
                "criterion_concerns_all": project.criterion_concerns_all,
                "criterion_saves_resources": project.criterion_saves_resources,
                "criterion_joint_impact": project.criterion_joint_impact,
                "kind": project.kind,
                "visibility": project.visibility,
                "status": project.status,
                "starts_on": project.starts_on.isoformat() if project.starts_on else None,
                "ends_on": project.ends_on.isoformat() if project.ends_on else None,
                "created_at": _iso(project.created_at),
                "created_by": self.person(project.created_by),
                "lead_municipality": {
                    "slug": project.lead_municipality.slug,
                    "name": project.lead_municipality.name,
                },
                "lead_exception_reason": project.lead_exception_reason,
                "participants": [
                    {"slug": m.slug, "name": m.name} for m in project.participants.order_by("name")
                ],
                "topics": [
                    {"slug": t.slug, "name": t.name} for t in project.topics.order_by("name")
                ],
                # The provenance of the project itself: its states, who moved it and why.
                "history": [
                    {
                        "date": _iso(row.history_date),
                        "author": self.person(row.history_user),
                        "note": row.history_change_reason,
                        "title": row.title,
                        "status": row.status,
                    }
                    for row in project_rows
                ],
            },
            "results": entries,
            "files": files,
        }

    def copies(self, adoptions: list[Adoption]) -> dict[int, list[dict]]:
        """The versions of the adopted copies ``user`` may read, by copy, in one query."""
        readable = [a.copy_id for a in adoptions if CopyAccess(self.user, a.municipality).can_view]
        copies: dict[int, list[dict]] = {pk: [] for pk in readable}
        rows = (
            HistoricalResult.objects.filter(id__in=readable)
            .select_related("history_user", "upstream")
            .order_by("id", "revision")
        )
        for row in rows:
            upstream = row.upstream.revision if row.upstream_id else None
            copies[row.id].append(self.version(row, upstream_revision=upstream))
        return copies

    def adoption(self, adoption: Adoption, copies: dict[int, list[dict]]) -> dict:
        return {
            "municipality": {
                "slug": adoption.municipality.slug,
                "name": adoption.municipality.name,
            },
            "status": adoption.status,
            "experience": adoption.experience,
            "adopted_by": self.person(adoption.adopted_by),
            "adopted_at": _iso(adoption.adopted_at),
            "adopted_revision": adoption.adopted_row.revision,
            "dismissed_revision": adoption.dismissed_row.revision
            if adoption.dismissed_row_id
            else None,
            "copy": {"versions": copies[adoption.copy_id]} if adoption.copy_id in copies else None,
        }


def project_export(*, project: LeadProject, user) -> IO[bytes]:
    """The archive of ``project`` as ``user`` may see it: an open temporary file at its start.

    The caller has checked that ``user`` may see the project (``get_project_for``); this
    refuses anyway, so no other caller can export what its user may not see.
    """
    if not ProjectAccess(user, project).can_view:
        raise PermissionDenied(_("Dieses Leitprojekt dürfen Sie nicht exportieren."))
    target = tempfile.TemporaryFile()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        manifest = _Exporter(project, user).manifest_and_files(archive)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    target.seek(0)
    security_log(
        kind=SecurityEvent.Kind.ARCHIVE_EXPORTED, by=user, detail={"project": project.slug}
    )
    return target


def export_filename(project: LeadProject) -> str:
    return f"leitprojekt-{project.slug}.zip"


# --- reading and checking an archive -----------------------------------------------------


def _refuse(message: str) -> ArchiveRefused:
    return ArchiveRefused(message, code="archive")


def _corrupt() -> ArchiveRefused:
    return _refuse(
        _(
            "Das Archiv ist beschädigt oder unvollständig (zum Beispiel abgebrochen "
            "heruntergeladen). Bitte exportieren Sie das Leitprojekt noch einmal."
        )
    )


def _bad_field(where: str) -> ArchiveRefused:
    return _refuse(
        _("Das Verzeichnis des Archivs (manifest.json) ist fehlerhaft: „%(where)s“.")
        % {"where": where}
    )


class _Fields:
    """Typed reads from the manifest; every wrong type or value names where it is."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise _bad_field(where)
        self.data = data
        self.where = where

    def _get(self, key: str, kinds, *, optional: bool = False):
        value = self.data.get(key)
        if value is None and optional:
            return None
        # JSON's true and false are ints to Python; a number must be a number.
        if not isinstance(value, kinds) or (isinstance(value, bool) and kinds is not bool):
            raise _bad_field(f"{self.where}.{key}")
        return value

    def text(self, key: str, *, max_length: int = LINE_MAX, optional: bool = False) -> str:
        """A text within its documented limit (``workspace.limits``), without control
        characters: an archive cannot bring in what a form would refuse."""
        value = self._get(key, str, optional=optional)
        if value is None:
            return ""
        return self._checked(key, value, max_length)

    def note(self, key: str) -> str | None:
        """A change note: text, or none at all (kept apart from an empty one)."""
        value = self._get(key, str, optional=True)
        return None if value is None else self._checked(key, value, PROSE_MAX)

    def _checked(self, key: str, value: str, limit: int) -> str:
        where = f"{self.where}.{key}"
        if len(value) > limit:
            raise _refuse(
                _(
                    "Das Archiv enthält einen zu langen Text: „%(where)s“ hat %(length)s "
                    "Zeichen, erlaubt sind höchstens %(limit)s. Es wurde nichts importiert."
                )
                % {"where": where, "length": characters(len(value)), "limit": characters(limit)}
            )
        if CONTROL_CHARACTERS.search(value):
            raise _refuse(
                _(
                    "Das Archiv enthält in „%(where)s“ unzulässige Steuerzeichen. Es wurde "
                    "nichts importiert."
                )
                % {"where": where}
            )
        return value

    def choice(self, key: str, choices) -> str:
        value = self.text(key)
        if value not in choices.values:
            raise _bad_field(f"{self.where}.{key}")
        return value

    def number(self, key: str, *, optional: bool = False, minimum: int = 0) -> int | None:
        value = self._get(key, int, optional=optional)
        if value is not None and value < minimum:
            raise _bad_field(f"{self.where}.{key}")
        return value

    def flag(self, key: str) -> bool:
        return self._get(key, bool)

    def moment(self, key: str, *, optional: bool = False) -> datetime.datetime | None:
        value = self._get(key, str, optional=optional)
        if value is None:
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise _bad_field(f"{self.where}.{key}") from None
        if moment.tzinfo is None:
            raise _bad_field(f"{self.where}.{key}")
        return moment

    def day(self, key: str) -> datetime.date | None:
        value = self._get(key, str, optional=True)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise _bad_field(f"{self.where}.{key}") from None

    def items(self, key: str) -> list[_Fields]:
        value = self._get(key, list)
        return [_Fields(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def part(self, key: str, *, optional: bool = False) -> _Fields | None:
        value = self.data.get(key)
        if value is None and optional:
            return None
        return _Fields(value, f"{self.where}.{key}")


@dataclass(frozen=True)
class Person:
    name: str
    username: str = ""


def _person(fields: _Fields, key: str, *, optional: bool = False) -> Person | None:
    part = fields.part(key, optional=optional)
    if part is None:
        return None
    name = part.text("name", max_length=150)
    if not name.strip():
        raise _bad_field(f"{part.where}.name")
    return Person(name=name, username=part.text("username", max_length=150, optional=True))


@dataclass
class Version:
    revision: int
    date: datetime.datetime
    author: Person | None
    note: str | None
    title: str
    summary: str
    body: str
    kind: str
    maturity: str
    is_archived: bool
    upstream_revision: int | None = None


def _versions(fields: _Fields, *, copy: bool = False) -> list[Version]:
    versions = []
    for item in fields.items("versions"):
        versions.append(
            Version(
                revision=item.number("revision", minimum=1),
                date=item.moment("date"),
                author=_person(item, "author", optional=True),
                note=item.note("note"),
                title=item.text("title", max_length=200),
                summary=item.text("summary", max_length=400),
                body=item.text("body", max_length=LONG_TEXT_MAX),
                kind=item.choice("kind", Result.Kind),
                maturity=item.choice("maturity", Result.Maturity),
                is_archived=item.flag("is_archived"),
                upstream_revision=item.number("upstream_revision", optional=True, minimum=1)
                if copy
                else None,
            )
        )
        if not versions[-1].title.strip():
            raise _bad_field(f"{item.where}.title")
    revisions = [v.revision for v in versions]
    if not versions or revisions != sorted(set(revisions)):
        raise _bad_field(f"{fields.where}.versions")
    return versions


@dataclass
class AttachmentSpec:
    path: str
    name: str
    size: int
    sha256: str
    content_type: str
    uploaded_by: Person
    uploaded_at: datetime.datetime


@dataclass
class TemplateSpec:
    licence: str
    prerequisites: str
    effort: str
    contact: str
    recommended_revision: int
    published_by: Person
    published_at: datetime.datetime


@dataclass
class AdoptionSpec:
    municipality_slug: str
    municipality_name: str
    status: str
    experience: str
    adopted_by: Person
    adopted_at: datetime.datetime
    adopted_revision: int
    dismissed_revision: int | None
    copy_versions: list[Version] | None


@dataclass
class ResultSpec:
    file: str
    created_by: Person
    versions: list[Version]
    attachments: list[AttachmentSpec]
    template: TemplateSpec | None
    adoptions: list[AdoptionSpec]


@dataclass
class ProjectSpec:
    slug: str
    title: str
    fields: dict[str, Any]
    created_at: datetime.datetime | None
    created_by: Person
    lead_slug: str
    lead_name: str
    lead_exception_reason: str
    participants: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    history: list[dict]


@dataclass
class Manifest:
    source: str
    exported_at: datetime.datetime
    exported_by: Person
    project: ProjectSpec
    results: list[ResultSpec]
    files: dict[str, tuple[int, str]]


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _parse_project(fields: _Fields) -> ProjectSpec:
    lead = fields.part("lead_municipality")
    project = ProjectSpec(
        slug=fields.text("slug", max_length=80),
        title=fields.text("title", max_length=200),
        fields={
            "summary": fields.text("summary", max_length=400),
            "description": fields.text("description", max_length=PROSE_MAX),
            "criterion_concerns_all": fields.text("criterion_concerns_all", max_length=PROSE_MAX),
            "criterion_saves_resources": fields.text(
                "criterion_saves_resources", max_length=PROSE_MAX
            ),
            "criterion_joint_impact": fields.text("criterion_joint_impact", max_length=PROSE_MAX),
            "kind": fields.choice("kind", LeadProject.Kind),
            "visibility": fields.choice("visibility", Visibility),
            "status": fields.choice("status", LeadProject.Status),
            "starts_on": fields.day("starts_on"),
            "ends_on": fields.day("ends_on"),
        },
        created_at=fields.moment("created_at", optional=True),
        created_by=_person(fields, "created_by"),
        lead_slug=lead.text("slug", max_length=100),
        lead_name=lead.text("name", max_length=100),
        lead_exception_reason=fields.text("lead_exception_reason", max_length=PROSE_MAX),
        participants=[
            (m.text("slug", max_length=100), m.text("name", max_length=100))
            for m in fields.items("participants")
        ],
        topics=[
            (t.text("slug", max_length=100), t.text("name", max_length=100))
            for t in fields.items("topics")
        ],
        history=[
            {
                "date": row.moment("date"),
                "author": _person(row, "author", optional=True),
                "note": row.note("note"),
                "title": row.text("title", max_length=200),
                "status": row.choice("status", LeadProject.Status),
            }
            for row in fields.items("history")
        ],
    )
    if not project.title.strip():
        raise _bad_field(f"{fields.where}.title")
    starts, ends = project.fields["starts_on"], project.fields["ends_on"]
    if starts and ends and ends < starts:
        raise _bad_field(f"{fields.where}.ends_on")
    return project


def _parse_result(fields: _Fields) -> ResultSpec:
    versions = _versions(fields)
    revisions = {v.revision for v in versions}
    template = None
    if (part := fields.part("template", optional=True)) is not None:
        template = TemplateSpec(
            licence=part.choice("licence", Template.Licence),
            prerequisites=part.text("prerequisites", max_length=PROSE_MAX),
            effort=part.text("effort", max_length=200),
            contact=part.text("contact", max_length=200),
            recommended_revision=part.number("recommended_revision", minimum=1),
            published_by=_person(part, "published_by"),
            published_at=part.moment("published_at"),
        )
        if template.recommended_revision not in revisions:
            raise _bad_field(f"{part.where}.recommended_revision")
    adoptions = []
    for part in fields.items("adoptions"):
        municipality = part.part("municipality")
        copy = part.part("copy", optional=True)
        adoptions.append(
            AdoptionSpec(
                municipality_slug=municipality.text("slug", max_length=100),
                municipality_name=municipality.text("name", max_length=100),
                status=part.choice("status", Adoption.Status),
                experience=part.text("experience", max_length=PROSE_MAX),
                adopted_by=_person(part, "adopted_by"),
                adopted_at=part.moment("adopted_at"),
                adopted_revision=part.number("adopted_revision", minimum=1),
                dismissed_revision=part.number("dismissed_revision", optional=True, minimum=1),
                copy_versions=_versions(copy, copy=True) if copy is not None else None,
            )
        )
    if adoptions and template is None:
        raise _bad_field(f"{fields.where}.template")
    attachments = []
    for part in fields.items("attachments"):
        attachment = AttachmentSpec(
            path=part.text("path"),
            name=part.text("name", max_length=200),
            size=part.number("size"),
            sha256=part.text("sha256"),
            content_type=part.text("content_type", max_length=100),
            uploaded_by=_person(part, "uploaded_by"),
            uploaded_at=part.moment("uploaded_at"),
        )
        if not _SHA256.match(attachment.sha256) or not attachment.name.strip():
            raise _bad_field(part.where)
        attachments.append(attachment)
    return ResultSpec(
        file=fields.text("file"),
        created_by=_person(fields, "created_by"),
        versions=versions,
        attachments=attachments,
        template=template,
        adoptions=adoptions,
    )


def _parse(data: Any) -> Manifest:
    root = _Fields(data, "manifest")
    if root.data.get("format") != FORMAT:
        raise _refuse(
            _("Das ist kein Archiv eines Leitprojekts: Das Verzeichnis nennt ein anderes Format.")
        )
    version = root.data.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise _refuse(
            _(
                "Das Archiv hat die Formatversion „%(found)s“. Diese Installation liest nur "
                "Version %(supported)s; bitte exportieren Sie das Leitprojekt mit einer "
                "passenden Version."
            )
            % {"found": version, "supported": FORMAT_VERSION}
        )
    files: dict[str, tuple[int, str]] = {}
    for item in root.items("files"):
        path, sha = item.text("path"), item.text("sha256")
        if path in files or path == MANIFEST or not _SHA256.match(sha):
            raise _bad_field(item.where)
        files[path] = (item.number("size"), sha)
    manifest = Manifest(
        source=root.text("source", max_length=300),
        exported_at=root.moment("exported_at"),
        exported_by=_person(root, "exported_by"),
        project=_parse_project(root.part("project")),
        results=[_parse_result(item) for item in root.items("results")],
        files=files,
    )
    for n, result in enumerate(manifest.results):
        named = [result.file] + [a.path for a in result.attachments]
        for path in named:
            if path not in files:
                raise _bad_field(f"manifest.results[{n}]: {path}")
        for attachment in result.attachments:
            if files[attachment.path] != (attachment.size, attachment.sha256):
                raise _bad_field(f"manifest.results[{n}]: {attachment.path}")
    return manifest


_DRIVE = re.compile(r"^[A-Za-z]:")


def _check_path(name: str) -> None:
    parts = name.rstrip("/").split("/")
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or _DRIVE.match(name)
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise _refuse(
            _(
                "Das Archiv enthält einen unzulässigen Pfad: „%(path)s“. Pfade dürfen nicht "
                "absolut sein und nicht aus dem Archiv hinausführen."
            )
            % {"path": name[:200]}
        )


class _Budget:
    """What the entries unpack to, counted byte by byte while reading."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, n: int) -> None:
        self.spent += n
        if self.spent > self.limit:
            raise _too_big_unpacked(self.limit)


def _too_big_unpacked(limit: int) -> ArchiveRefused:
    return _refuse(
        _(
            "Das Archiv entpackt sich zu mehr als %(limit)s MB. So große Archive nimmt diese "
            "Installation nicht an."
        )
        % {"limit": megabytes(limit)}
    )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, *, keep: bool):
    """(size, sha256, content if ``keep``) of one entry, as it really unpacks."""
    digest, size, parts = hashlib.sha256(), 0, []
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK):
                budget.spend(len(chunk))
                size += len(chunk)
                digest.update(chunk)
                if keep:
                    parts.append(chunk)
    except ArchiveRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        raise _corrupt() from None
    return size, digest.hexdigest(), b"".join(parts) if keep else None


def _archive_size(archive) -> int:
    size = getattr(archive, "size", None)
    if size is None:
        position = archive.tell()
        archive.seek(0, 2)
        size = archive.tell()
        archive.seek(position)
    return size


def read_archive(archive) -> tuple[zipfile.ZipFile, Manifest]:
    """Open and check the whole archive; nothing is written. Refused: :class:`ArchiveRefused`."""
    limit = limits()
    if _archive_size(archive) > limit["archive"]:
        raise _refuse(
            _(
                "Das Archiv ist größer als %(limit)s MB. So große Archive nimmt diese Installation nicht an."
            )
            % {"limit": megabytes(limit["archive"])}
        )
    archive.seek(0)
    try:
        opened = zipfile.ZipFile(archive)
        infos = opened.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _corrupt() from None
    try:
        return opened, _check(opened, infos, limit)
    except BaseException:
        opened.close()
        raise


def _check(opened: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limit: dict) -> Manifest:
    if len(infos) > limit["files"]:
        raise _refuse(
            _("Das Archiv enthält %(n)s Dateien; diese Installation nimmt höchstens %(limit)s an.")
            % {"n": len(infos), "limit": limit["files"]}
        )
    seen: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_path(info.filename)
        if info.filename in seen:
            raise _corrupt()
        seen[info.filename] = info
    # The headers' word is a first, cheap refusal; the real count is taken while reading.
    if sum(info.file_size for info in infos) > limit["unpacked"]:
        raise _too_big_unpacked(limit["unpacked"])
    if MANIFEST not in seen:
        raise _refuse(
            _("Das ist kein Archiv eines Leitprojekts: Das Verzeichnis manifest.json fehlt.")
        )
    budget = _Budget(limit["unpacked"])
    # The manifest is read into memory: it gets a budget of its own within the whole.
    manifest_budget = _Budget(min(limit["unpacked"], MAX_MANIFEST_BYTES))
    _size, _sha, raw = _read(opened, seen[MANIFEST], manifest_budget, keep=True)
    budget.spend(len(raw))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse(
            _("Das Verzeichnis des Archivs (manifest.json) ist kein lesbares JSON.")
        ) from None
    manifest = _parse(data)
    entries = {name: info for name, info in seen.items() if not name.endswith("/")}
    entries.pop(MANIFEST)
    unlisted = sorted(set(entries) - set(manifest.files))
    if unlisted:
        raise _refuse(
            _("Das Archiv enthält eine Datei, die sein Verzeichnis nicht nennt: „%(path)s“.")
            % {"path": unlisted[0][:200]}
        )
    missing = sorted(set(manifest.files) - set(entries))
    if missing:
        raise _refuse(
            _("Im Archiv fehlt die Datei „%(path)s“, die sein Verzeichnis nennt.")
            % {"path": missing[0][:200]}
        )
    for name, info in entries.items():
        size, sha, _content = _read(opened, info, budget, keep=False)
        if (size, sha) != manifest.files[name]:
            raise _refuse(
                _(
                    "Die Datei „%(path)s“ stimmt nicht mit ihrer Prüfsumme (SHA-256) im "
                    "Verzeichnis überein. Das Archiv wurde verändert oder ist beschädigt."
                )
                % {"path": name[:200]}
            )
    return manifest


# --- import ------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import did, for the message to the person who started it."""

    project: LeadProject
    original_slug: str
    results: int = 0
    versions: int = 0
    attachments: int = 0
    mapped: list[str] = field(default_factory=list)  # names found as accounts here
    kept_as_names: list[str] = field(default_factory=list)
    missing_participants: list[str] = field(default_factory=list)
    created_topics: list[str] = field(default_factory=list)
    adoptions: list[str] = field(default_factory=list)
    skipped_adoptions: list[str] = field(default_factory=list)

    @property
    def slug_changed(self) -> bool:
        return self.project.slug != self.original_slug

    def notices(self) -> list[str]:
        """Everything the importer should know, in German sentences."""
        notices = []
        if self.slug_changed:
            notices.append(
                _(
                    "Den Kurznamen „%(old)s“ gibt es hier schon. Das importierte Leitprojekt "
                    "hat den Kurznamen „%(new)s“."
                )
                % {"old": self.original_slug, "new": self.project.slug}
            )
        if self.kept_as_names:
            notices.append(
                _("Ohne Konto in dieser Installation, als Namen übernommen: %(names)s.")
                % {"names": ", ".join(self.kept_as_names)}
            )
        if self.missing_participants:
            notices.append(
                _("Diese beteiligten Kommunen gibt es hier nicht; sie fehlen: %(names)s.")
                % {"names": ", ".join(self.missing_participants)}
            )
        if self.created_topics:
            notices.append(
                _("Neu angelegte Themen: %(names)s.") % {"names": ", ".join(self.created_topics)}
            )
        if self.skipped_adoptions:
            notices.append(
                _(
                    "Nicht übernommene Nachnutzungen (Kommune fehlt hier oder das Archiv "
                    "enthält die Nachnutzung nicht): %(names)s."
                )
                % {"names": ", ".join(self.skipped_adoptions)}
            )
        return notices


class _People:
    """Authors from the archive: an account here by username, or their name kept."""

    def __init__(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.cache: dict[Person, User] = {}

    def __call__(self, person: Person | None) -> User | None:
        if person is None:
            return None
        if person not in self.cache:
            user = (
                User.objects.filter(username=person.username).first() if person.username else None
            )
            if user is not None:
                self.outcome.mapped.append(person.name)
            else:
                user = self._placeholder(person.name)
                self.outcome.kept_as_names.append(person.name)
            self.cache[person] = user
        return self.cache[person]

    @staticmethod
    def _placeholder(name: str) -> User:
        username = PLACEHOLDER_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:16]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = workspace_services.user_create(
                username=username, password=None, display_name=name
            )
            user.is_active = False
            user.save(update_fields=["is_active"])
        return user


_RESERVED_SLUGS = {"neu", "importieren"}


def _free_slug(wanted: str, title: str) -> str:
    base = wanted if re.fullmatch(r"[-a-zA-Z0-9_]+", wanted or "") else german_slugify(title)
    base = base[:70] or "leitprojekt"
    slug, n = base, 2
    # "neu" and "importieren" are pages of the project list, not projects.
    while slug in _RESERVED_SLUGS or LeadProject.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


_VERSION_FIELDS = ("title", "summary", "body", "kind", "maturity", "is_archived")


def _replay(result: Result, versions: list[Version], people: _People, upstream=None) -> dict:
    """Write ``versions`` as ``result``'s history through its own ``save()``; returns its
    history rows by revision. ``upstream`` maps a source revision to its row (for copies)."""
    adding = True
    for version in versions:
        for name in _VERSION_FIELDS:
            setattr(result, name, getattr(version, name))
        if upstream is not None:
            result.upstream = upstream.get(version.upstream_revision)
        result.full_clean(exclude=["revision", "created_by", "upstream"])
        # Revisions the archive does not hold still count, so the numbers stay the source's.
        while (1 if adding else result.revision + 1) < version.revision:
            result.skip_history_when_saving = True
            try:
                result.save()
            finally:
                del result.skip_history_when_saving
            adding = False
        result._history_date = version.date
        result._history_user = people(version.author)
        result._change_reason = version.note
        result.save()
        adding = False
    for name in ("_history_date", "_history_user", "_change_reason"):
        delattr(result, name)
    return {row.revision: row for row in HistoricalResult.objects.filter(id=result.pk)}


def _resolve_lead(manifest: Manifest, lead: Municipality | None) -> Municipality:
    if lead is not None:
        return lead
    found = Municipality.objects.filter(slug=manifest.project.lead_slug).first()
    if found is None:
        raise ArchiveRefused(
            {
                "lead": _(
                    "Die federführende Kommune „%(name)s“ gibt es in dieser Installation "
                    "nicht. Bitte wählen Sie eine Federführung."
                )
                % {"name": manifest.project.lead_name}
            },
            code="lead",
        )
    return found


def project_import(*, archive, by: User, lead: Municipality | None = None) -> ImportOutcome:
    """Import a lead project from ``archive`` (a file object of a zip), for the network office.

    The whole archive is checked first; then project, results, their histories,
    attachments, templates and adoptions are written in one transaction. ``lead`` stands in
    for a lead municipality this installation does not have. Refused: :class:`ArchiveRefused`
    with a German message, and nothing written (files stored before a failure are removed).
    """
    if not is_network_office(by):
        raise PermissionDenied(_("Leitprojekte importiert nur die Geschäftsstelle."))
    opened, manifest = read_archive(archive)
    stored: list[tuple[Any, str]] = []
    try:
        with opened, transaction.atomic():
            outcome = _write(opened, manifest, by, _resolve_lead(manifest, lead), stored)
            security_log(
                kind=SecurityEvent.Kind.ARCHIVE_IMPORTED,
                by=by,
                detail={"project": outcome.project.slug, "source": manifest.source},
            )
            return outcome
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise


def _write(
    opened: zipfile.ZipFile,
    manifest: Manifest,
    by: User,
    lead: Municipality,
    stored: list,
) -> ImportOutcome:
    spec = manifest.project
    project = LeadProject(
        title=spec.title,
        slug=_free_slug(spec.slug, spec.title),
        lead_municipality=lead,
        lead_exception_reason=spec.lead_exception_reason,
        **spec.fields,
    )
    outcome = ImportOutcome(project=project, original_slug=spec.slug)
    people = _People(outcome)
    project.created_by = people(spec.created_by)
    if spec.lead_exception_reason:
        project.lead_exception_recorded_by = by
    project.full_clean(exclude=["slug"])

    # The project's own past: its states, who moved it and why, at their dates.
    current = (project.title, project.status)
    for row in spec.history:
        project.title, project.status = row["title"], row["status"]
        project._history_date = row["date"]
        project._history_user = people(row["author"])
        project._change_reason = row["note"]
        project.save()
    project.title, project.status = current
    if spec.created_at is not None and project.pk is not None:
        project.created_at = spec.created_at  # kept: the save below is no longer the insert
    if hasattr(project, "_history_date"):
        del project._history_date  # the import itself happens now
    note = _("Importiert aus %(source)s (Archiv vom %(date)s, exportiert von %(name)s)") % {
        "source": manifest.source or _("unbekannter Herkunft"),
        "date": timezone.localtime(manifest.exported_at).strftime("%d.%m.%Y %H:%M"),
        "name": manifest.exported_by.name,
    }
    if outcome.slug_changed:
        note += "; " + _("Kurzname dort: %(slug)s") % {"slug": spec.slug}
    project._history_user = by
    project._change_reason = note
    project.save()

    topics = []
    for slug, name in spec.topics:
        topic = Topic.objects.filter(slug=slug).first() or Topic.objects.filter(name=name).first()
        if topic is None:
            topic = Topic(name=name, slug=slug or german_slugify(name)[:100])
            topic.full_clean()
            topic.save()
            outcome.created_topics.append(name)
        topics.append(topic)
    project.topics.set(topics)
    participants = {
        m.slug: m for m in Municipality.objects.filter(slug__in=[s for s, _n in spec.participants])
    }
    project.participants.set(participants.values())
    outcome.missing_participants = [n for s, n in spec.participants if s not in participants]
    ProjectActivity.objects.create(
        project=project, actor=by, kind=ProjectActivity.Kind.CREATED, reason=note
    )

    municipalities = {
        m.slug: m
        for m in Municipality.objects.filter(
            slug__in=[a.municipality_slug for r in manifest.results for a in r.adoptions]
        )
    }
    for spec_result in manifest.results:
        result = Result(project=project, created_by=people(spec_result.created_by))
        rows = _replay(result, spec_result.versions, people)
        outcome.results += 1
        outcome.versions += len(spec_result.versions)
        for attachment in spec_result.attachments:
            _attach(opened, result, attachment, people, stored)
            outcome.attachments += 1
        template = None
        if spec_result.template is not None:
            t = spec_result.template
            template = Template(
                result=result,
                licence=t.licence,
                prerequisites=t.prerequisites,
                effort=t.effort,
                contact=t.contact,
                recommended=rows[t.recommended_revision],
                published_by=people(t.published_by),
            )
            template.full_clean()
            template.save()
            # Templates keep no history: their publication date is set as the source had it.
            Template.objects.filter(pk=template.pk).update(published_at=t.published_at)
        for adoption in spec_result.adoptions:
            _adopt(adoption, template, rows, municipalities, people, outcome)
    return outcome


def _check_attachment(attachment: ResultAttachment, data: bytes) -> None:
    """An imported file is held to the rules of an upload (``workspace.attachments``): its type
    by content, clamd's word; while clamd cannot be reached it waits "in Prüfung"."""
    from workspace import attachments

    try:
        attachment.content_type = attachments.check_type(data, attachment.name)
    except ValidationError as error:
        raise _refuse(
            _("Der Anhang „%(name)s“ im Archiv wird nicht übernommen: %(reason)s")
            % {"name": attachment.name, "reason": " ".join(error.messages)}
        ) from None
    attachment.status = attachments.Attachment.Status.CLEAN
    if attachments.scanner_configured():
        try:
            verdict = attachments.scan(data)
        except attachments.ScannerUnavailable:
            attachment.status = attachments.Attachment.Status.PENDING
            attachments.schedule_recheck()
        else:
            if not verdict.clean:
                raise _refuse(
                    _("Die Virenprüfung hat im Anhang „%(name)s“ %(signature)s gefunden.")
                    % {"name": attachment.name, "signature": verdict.signature}
                )
    if attachment.status == attachments.Attachment.Status.CLEAN:
        attachment.text = attachments.extract_text(data, attachment.content_type)


def _attach(opened, result: Result, spec: AttachmentSpec, people: _People, stored: list) -> None:
    attachment = ResultAttachment(
        result=result,
        name=spec.name,
        size=spec.size,
        sha256=spec.sha256,
        content_type=spec.content_type,
        uploaded_by=people(spec.uploaded_by),
    )
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as buffer:
        with opened.open(spec.path) as entry:
            while chunk := entry.read(CHUNK):
                buffer.write(chunk)
        buffer.seek(0)
        _check_attachment(attachment, buffer.read())
        buffer.seek(0)
        attachment.file.save(f"{spec.sha256[:12]}-{spec.name}", File(buffer), save=False)
    stored.append((attachment.file.storage, attachment.file.name))
    attachment.save()
    ResultAttachment.objects.filter(pk=attachment.pk).update(uploaded_at=spec.uploaded_at)


def _adopt(
    spec: AdoptionSpec,
    template: Template,
    rows: dict,
    municipalities: dict[str, Municipality],
    people: _People,
    outcome: ImportOutcome,
) -> None:
    municipality = municipalities.get(spec.municipality_slug)
    needed = {spec.adopted_revision, spec.dismissed_revision} - {None}
    if spec.copy_versions:
        needed |= {v.upstream_revision for v in spec.copy_versions} - {None}
    if municipality is None or not spec.copy_versions or not needed <= set(rows):
        outcome.skipped_adoptions.append(spec.municipality_name)
        return
    copy = Result(
        municipality=municipality,
        created_by=people(spec.copy_versions[0].author) or people(spec.adopted_by),
    )
    _replay(copy, spec.copy_versions, people, upstream=rows)
    adoption = Adoption(
        template=template,
        municipality=municipality,
        copy=copy,
        adopted_row=rows[spec.adopted_revision],
        dismissed_row=rows.get(spec.dismissed_revision) if spec.dismissed_revision else None,
        status=spec.status,
        experience=spec.experience,
        adopted_by=people(spec.adopted_by),
    )
    adoption.full_clean()
    adoption.save()
    Adoption.objects.filter(pk=adoption.pk).update(adopted_at=spec.adopted_at)
    outcome.adoptions.append(municipality.name)
