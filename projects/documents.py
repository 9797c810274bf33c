"""Documents of lead projects: a result (or an adopted copy) at any version, and a project's
dossier. Built here, rendered and kept by the core (``workspace.documents``); a version of a
result is a document as a guide's is (``workspace.documents.versions``: its own images, the
attachments that belonged to it).

The views decide who may have which document before anything is built; a builder only reads
what the audience it is told may read (names by the public-name rule, drafts for the team).
"""

from __future__ import annotations

import zlib

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.models import LeadProject, Result, TeamMembership, Template
from projects.permissions import without_drafts
from workspace.documents import Document, absolute, name_for, parts_for
from workspace.documents.versions import image_resolver, images_of, version_document
from workspace.markdown import render_markdown

TEAM = "team"  # the dossier as the team reads it: drafts included, every name


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
    owner = (
        _("Leitprojekt: %(title)s") % {"title": result.project.title}
        if result.project_id
        else _("Nachnutzung der Kommune %(name)s") % {"name": result.municipality.name}
    )
    return version_document(
        result, version, audience, owner=owner, licence=_licence(result), fallback_name="ergebnis"
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
            for url, image in images_of(result, result.attachments.current().clean()).items()
        },
    )


def project_now():
    from django.utils import timezone

    return timezone.now()
