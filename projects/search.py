"""What the search finds of lead projects, results (adopted copies included) and templates.

Every source starts from this app's own rules (``projects.permissions``): a team-only
project only for its team and the office, drafts only for the team, templates "internal to
the network" never for anonymous visitors, adopted copies for the network.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.models import Adoption, LeadProject, Result, ResultAttachment, Template
from projects.permissions import (
    readable_result,
    visible_projects,
    visible_results,
    visible_templates,
)
from workspace.search import Document, Filters, SearchProvider, Source, register_providers

# PostgreSQL stores the vectors of exactly these fields (migration 0009; a template's through
# triggers, as its title and summary are its result's).
PROJECT_DOCUMENT = Document("leitprojekt", LeadProject, "title", ("summary", "description"))
RESULT_DOCUMENT = Document("ergebnis", Result, "title", ("summary", "body"))
# A template is found by its result's title and summary and its own notes on reuse.
TEMPLATE_DOCUMENT = Document(
    "vorlage", Template, "result__title", ("result__summary", "prerequisites", "effort")
)


def _projects_with(municipality) -> Q:
    participating = LeadProject.participants.through.objects.filter(
        municipality=municipality
    ).values("leadproject_id")
    return Q(lead_municipality=municipality) | Q(pk__in=participating)


def project_sources(user, filters: Filters) -> list[Source]:
    projects = visible_projects(user)
    if filters.topic:
        projects = projects.filter(topics=filters.topic)
    if filters.municipality:
        projects = projects.filter(_projects_with(filters.municipality))
    return [Source(projects, PROJECT_DOCUMENT, link=("slug",), meta="lead_municipality__name")]


def _result_filters(filters: Filters, through: str = "") -> Q:
    """The topic and municipality filters on results (``through``: on the result a row
    points at)."""
    condition = Q()
    if filters.topic:
        condition &= Q(**{f"{through}project__topics": filters.topic})
    if filters.municipality:
        in_projects = LeadProject.objects.filter(_projects_with(filters.municipality))
        condition &= Q(**{f"{through}municipality": filters.municipality}) | Q(
            **{f"{through}project__in": in_projects.values("pk")}
        )
    return condition


def result_sources(user, filters: Filters) -> list[Source]:
    results = visible_results(user).filter(_result_filters(filters))
    if not user.is_authenticated:
        # Already true (a visitor never sees an adopted copy), but said on the result itself
        # the database drops copies before it reads a text's stored vector.
        results = results.filter(project__isnull=False)
    return [
        Source(
            results,
            RESULT_DOCUMENT,
            link=("project__slug", "municipality__slug"),
            meta=Coalesce(F("project__title"), F("municipality__name")),
        )
    ]


def template_sources(user, filters: Filters) -> list[Source]:
    templates = visible_templates(user)
    if filters.topic:
        templates = templates.filter(result__project__topics=filters.topic)
    if filters.municipality:
        # Who leads or takes part in its project, or who reuses it.
        in_projects = LeadProject.objects.filter(_projects_with(filters.municipality))
        reusing = Adoption.objects.filter(municipality=filters.municipality)
        templates = templates.filter(
            Q(result__project__in=in_projects.values("pk"))
            | Q(pk__in=reusing.values("template_id"))
        )
    return [Source(templates, TEMPLATE_DOCUMENT, meta="result__project__title")]


def _result_url(pk: int, project_slug: str, municipality_slug: str) -> str:
    if project_slug:
        return reverse("projects:result", kwargs={"slug": project_slug, "result_id": pk})
    return reverse("copies:result", kwargs={"municipality": municipality_slug, "result_id": pk})


# --- attachments: the words of attached PDF, ODF and text files ------------------------------

RESULT_ATTACHMENT_DOCUMENT = Document("anhang-ergebnis", ResultAttachment, "name", ("text",))


def attachment_sources(user, filters: Filters) -> list[Source]:
    """Attachments of the results ``user`` may read, as the current version shows them (clean,
    not removed); the result's rules decide (``visible_results``, checked on each
    attachment's result)."""
    attachments = (
        ResultAttachment.objects.filter(readable_result(user, through="result__"))
        .filter(_result_filters(filters, through="result__"))
        .current()
        .clean()
    )
    return [
        Source(
            attachments,
            RESULT_ATTACHMENT_DOCUMENT,
            link=("result_id", "result__project__slug"),
            meta="result__title",
            when="uploaded_at",
        )
    ]


def _attachment_url(pk: int, result_id, project_slug: str) -> str:
    if project_slug:
        base = reverse("projects:result", kwargs={"slug": project_slug, "result_id": result_id})
    else:
        base = Result.objects.select_related("municipality").get(pk=result_id).get_absolute_url()
    return f"{base}anhaenge/{pk}/"


PROVIDERS = [
    SearchProvider(
        kind="leitprojekt",
        label=_("Leitprojekte"),
        singular=_("Leitprojekt"),
        sources=project_sources,
        documents=[PROJECT_DOCUMENT],
        url=lambda pk, slug, _b: reverse("projects:detail", kwargs={"slug": slug}),
        order=10,
    ),
    SearchProvider(
        kind="ergebnis",
        label=_("Ergebnisse"),
        singular=_("Ergebnis"),
        sources=result_sources,
        documents=[RESULT_DOCUMENT],
        url=_result_url,
        order=20,
    ),
    SearchProvider(
        kind="vorlage",
        label=_("Vorlagen"),
        singular=_("Vorlage"),
        sources=template_sources,
        documents=[TEMPLATE_DOCUMENT],
        url=lambda pk, _a, _b: reverse("templates:detail", kwargs={"template_id": pk}),
        order=30,
    ),
    SearchProvider(
        kind="anhang",
        label=_("Anhänge"),
        singular=_("Anhang eines Ergebnisses"),
        sources=attachment_sources,
        documents=[RESULT_ATTACHMENT_DOCUMENT],
        url=_attachment_url,
        order=35,
    ),
]


def register() -> None:
    register_providers(*PROVIDERS)
