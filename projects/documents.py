"""Documents of lead projects: a result (or an adopted copy) at any version, and a project's
dossier. Built here, rendered and kept by the core (``workspace.documents``).

The views decide who may have which document before anything is built; a builder only reads
what the audience it is told may read (names by the public-name rule, drafts for the team).
"""

from __future__ import annotations

import zlib
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects.models import LeadProject, Result, ResultAttachment, TeamMembership, Template
from projects.permissions import without_drafts
from workspace.attachments import IMAGE_TYPES
from workspace.documents import Document, Image, absolute, name_for, parts_for
from workspace.markdown import ATTACHMENT_SCHEME, render_markdown

TEAM = "team"  # the dossier as the team reads it: drafts included, every name


# --- images: a text shows its own attachments ------------------------------------------------


def attachment_url(attachment: ResultAttachment, result: Result) -> str:
    return result.url(f"anhaenge/{attachment.pk}")


def image_resolver(result: Result, attachments=None):
    """Resolve ``anhang:<name>`` or an attachment's own address to that attachment, if it is
    a clean PNG or JPEG of ``result`` (the current ones unless ``attachments`` are given)."""
    if attachments is None:
        attachments = list(result.attachments.current().clean())
    images = [a for a in attachments if a.content_type in IMAGE_TYPES and not a.is_pending]
    by_name = {a.name: a for a in images}
    by_path = {attachment_url(a, result): a for a in images}
    site = urlsplit(settings.SITE_URL)

    def resolve(source: str) -> str | None:
        if source.startswith(ATTACHMENT_SCHEME):
            found = by_name.get(unquote(source[len(ATTACHMENT_SCHEME) :]).strip())
        else:
            parts = urlsplit(source)
            local = not parts.scheme and not parts.netloc
            own_site = (parts.scheme, parts.netloc) == (site.scheme, site.netloc)
            found = by_path.get(parts.path) if (local or own_site) else None
        return attachment_url(found, result) if found else None

    return resolve


def _images(result: Result, attachments) -> dict[str, Image]:
    def reader(attachment):
        def read() -> bytes:
            with attachment.file.open("rb") as handle:
                return handle.read()

        return read

    return {
        attachment_url(a, result): Image(reader(a), a.content_type)
        for a in attachments
        if a.content_type in IMAGE_TYPES and not a.is_pending
    }


# --- a result at one version ------------------------------------------------------------------


def _licence(result: Result) -> str:
    template = Template.objects.filter(result=result).first()
    if template is None:
        return _("Lizenz: nicht zur Nachnutzung freigegeben (keine Vorlage)")
    return _("Lizenz: %(licence)s") % {"licence": template.get_licence_display()}


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def build_result(pk: int, version: int, audience: str) -> Document:
    """``Result`` ``pk`` as it was at ``version``, for ``audience``."""
    result = Result.objects.select_related("project", "municipality").get(pk=pk)
    row = result.history.select_related("history_user").get(revision=version)
    following = result.history.filter(revision=version + 1).only("history_date").first()
    attachments = list(
        result.attachments.clean().present_between(
            row.history_date, following.history_date if following else None
        )
    )
    body = render_markdown(row.body, images=image_resolver(result, attachments))
    listing = render_to_string("projects/documents/_attachments.html", {"attachments": attachments})
    owner = (
        _("Leitprojekt: %(title)s") % {"title": result.project.title}
        if result.project_id
        else _("Nachnutzung der Kommune %(name)s") % {"name": result.municipality.name}
    )
    author = name_for(row.history_user, audience) or _("unbekannt")
    return Document(
        title=row.title,
        subtitle=row.summary,
        body=mark_safe(body + listing),  # noqa: S308 – both are rendered safe above
        filename=f"{slugify(row.title) or 'ergebnis'}-version-{version}",
        footer=[
            owner,
            _("Version %(n)s vom %(date)s, von %(author)s")
            % {"n": version, "date": _date(row.history_date), "author": author},
            _licence(result),
            absolute(result.get_absolute_url()),
        ],
        images=_images(result, attachments),
    )


# --- a project's dossier ----------------------------------------------------------------------


def dossier_state(project: LeadProject) -> int:
    """A number that changes whenever what the dossier shows changes (one query each)."""
    results = list(Result.objects.filter(project=project).values_list("pk", "revision", "maturity"))
    team = list(project.team.values_list("user_id", "role"))
    state = (project.title, project.summary, project.description, project.status, results, team)
    return zlib.crc32(repr(state).encode())


def build_dossier(pk: int, version: int, audience: str) -> Document:
    """Overview, team (names as ``audience`` may see them), results at their current
    versions (drafts for the team only) and what other apps add (the agreements)."""
    project = (
        LeadProject.objects.select_related("lead_municipality")
        .prefetch_related("participants")
        .get(pk=pk)
    )
    results = Result.objects.filter(project=project, is_archived=False).order_by("title")
    if audience != TEAM:
        results = without_drafts(results)
    team = list(
        TeamMembership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    sections: list[SafeString] = [
        render_to_string(
            "projects/documents/_dossier.html",
            {
                "project": project,
                "description": render_markdown(project.description, top_heading=3),
                "team": [(name_for(m.user, audience), m) for m in team],
                "results": [
                    (
                        result,
                        render_markdown(
                            result.body,
                            top_heading=4,
                            images=image_resolver(result),
                        ),
                    )
                    for result in results
                ],
            },
        )
    ]
    for part in parts_for("dossier", project, audience):
        sections.append(part)
    return Document(
        title=_("Dossier: %(title)s") % {"title": project.title},
        subtitle=project.summary,
        body=mark_safe("".join(sections)),  # noqa: S308 – every part is rendered safe
        filename=f"dossier-{project.slug}",
        footer=[
            _("Leitprojekt: %(title)s") % {"title": project.title},
            _("Stand vom %(date)s") % {"date": _date(project_now())},
            absolute(project.get_absolute_url()),
        ],
        images={
            url: image
            for result in results
            for url, image in _images(result, result.attachments.current().clean()).items()
        },
    )


def project_now():
    from django.utils import timezone

    return timezone.now()
