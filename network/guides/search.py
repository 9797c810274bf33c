"""What the search finds of guides and the glossary.

Titles and summaries of guides are public; a planned guide's body is its editors' only
(``network.guides.permissions``), so for everyone else a planned guide is matched by its
title and summary alone — its body is never searched for them, not even to rank.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from network.guides.models import Authorship, Guide, Term
from network.guides.permissions import guides_with_readable_body
from workspace.search import Filters, SearchProvider, Source

# The GIN expression indexes of migration 0002 are built over exactly these fields.
GUIDE_DOCUMENT = ("title", ("summary", "body"))
TERM_DOCUMENT = ("name", ("synonyms", "definition"))


def guide_sources(user, filters: Filters) -> list[Source]:
    guides = Guide.objects.all()
    if filters.topic:
        guides = guides.filter(topics=filters.topic)
    if filters.municipality:
        written_for = Authorship.objects.filter(municipality=filters.municipality)
        guides = guides.filter(pk__in=written_for.values("guide_id"))
    readable = guides_with_readable_body(user).values("pk")
    title, body = GUIDE_DOCUMENT
    return [
        Source(guides.filter(pk__in=readable), title=title, body=body, link=("slug",)),
        Source(guides.exclude(pk__in=readable), title=title, body=("summary",), link=("slug",)),
    ]


def term_sources(user, filters: Filters) -> list[Source]:
    if filters.topic or filters.municipality:
        return []  # the glossary belongs to no topic and no municipality
    title, body = TERM_DOCUMENT
    return [Source(Term.objects.all(), title=title, body=body, link=("slug",))]


PROVIDERS = [
    SearchProvider(
        kind="leitfaden",
        label=_("Leitfäden"),
        singular=_("Leitfaden"),
        sources=guide_sources,
        url=lambda pk, slug, _b: reverse("guides:detail", kwargs={"slug": slug}),
        order=40,
    ),
    SearchProvider(
        kind="begriff",
        label=_("Vokabelheft"),
        singular=_("Begriff im Vokabelheft"),
        sources=term_sources,
        url=lambda pk, slug, _b: reverse("guides:term", kwargs={"slug": slug}),
        order=50,
    ),
]


def register() -> None:
    from workspace.hooks import register_search_provider

    for provider in PROVIDERS:
        register_search_provider(provider.kind, provider)
