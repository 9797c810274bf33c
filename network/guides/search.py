"""What the search finds of guides and the glossary.

Titles and summaries of guides are public; a planned guide's body is its editors' only
(``network.guides.permissions``), so for everyone else a planned guide is matched by its
title and summary alone — its body is never searched for them, not even to rank.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from network.guides.models import Authorship, Guide, GuideAttachment, Term
from network.guides.permissions import guides_with_readable_body, readable_body
from workspace.search import Document, Filters, SearchProvider, Source, register_providers

# PostgreSQL stores the vectors of exactly these fields (migration 0006).
GUIDE_DOCUMENT = Document("leitfaden", Guide, "title", ("summary", "body"))
# What whoever may not read a planned guide's body searches of it.
GUIDE_COVER = Document("leitfaden-deckblatt", Guide, "title", ("summary",), column="search_cover")
TERM_DOCUMENT = Document("begriff", Term, "name", ("synonyms", "definition"))
# The words of attached PDF, ODF and text files.
ATTACHMENT_DOCUMENT = Document("anhang-leitfaden", GuideAttachment, "name", ("text",))


def guide_sources(user, filters: Filters) -> list[Source]:
    guides = Guide.objects.all()
    if filters.topic:
        guides = guides.filter(topics=filters.topic)
    if filters.municipality:
        written_for = Authorship.objects.filter(municipality=filters.municipality)
        guides = guides.filter(pk__in=written_for.values("guide_id"))
    readable = readable_body(user)
    sources = [Source(guides.filter(readable), GUIDE_DOCUMENT, link=("slug",))]
    if readable:  # the office reads every body: no guide is searched by its cover alone
        sources.append(Source(guides.exclude(readable), GUIDE_COVER, link=("slug",)))
    return sources


def attachment_sources(user, filters: Filters) -> list[Source]:
    """Attachments of the guides whose body ``user`` reads, as the current version shows them."""
    guides = guides_with_readable_body(user)
    if filters.topic:
        guides = guides.filter(topics=filters.topic)
    if filters.municipality:
        written_for = Authorship.objects.filter(municipality=filters.municipality)
        guides = guides.filter(pk__in=written_for.values("guide_id"))
    attachments = GuideAttachment.objects.filter(guide__in=guides.values("pk")).current().clean()
    return [
        Source(
            attachments,
            ATTACHMENT_DOCUMENT,
            link=("guide__slug",),
            meta="guide__title",
            when="uploaded_at",
        )
    ]


def term_sources(user, filters: Filters) -> list[Source]:
    if filters.topic or filters.municipality:
        return []  # the glossary belongs to no topic and no municipality
    return [Source(Term.objects.all(), TERM_DOCUMENT, link=("slug",))]


PROVIDERS = [
    SearchProvider(
        kind="anhang-leitfaden",
        label=_("Anhänge von Leitfäden"),
        singular=_("Anhang eines Leitfadens"),
        sources=attachment_sources,
        documents=[ATTACHMENT_DOCUMENT],
        url=lambda pk, slug, _b: reverse(
            "guides:attachment", kwargs={"slug": slug, "attachment_id": pk}
        ),
        order=45,
    ),
    SearchProvider(
        kind="leitfaden",
        label=_("Leitfäden"),
        singular=_("Leitfaden"),
        sources=guide_sources,
        documents=[GUIDE_DOCUMENT, GUIDE_COVER],
        url=lambda pk, slug, _b: reverse("guides:detail", kwargs={"slug": slug}),
        order=40,
    ),
    SearchProvider(
        kind="begriff",
        label=_("Vokabelheft"),
        singular=_("Begriff im Vokabelheft"),
        sources=term_sources,
        documents=[TERM_DOCUMENT],
        url=lambda pk, slug, _b: reverse("guides:term", kwargs={"slug": slug}),
        order=50,
    ),
]


def register() -> None:
    register_providers(*PROVIDERS)
