"""What the search finds of the Schülerzeitung: published issues and the news printed in them.

News is public only with its published issue (``Issue.objects.published()``, the rule of
``network.newsletter.permissions``); submitted, declined or not yet printed news is never
found, not even by its author or the editorial team — they have their own lists for that.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from network.newsletter.models import Issue, NewsItem
from workspace.models import Municipality
from workspace.search import Document, Filters, SearchProvider, Source, register_providers

# PostgreSQL stores the vectors of exactly these fields (migration 0003).
ITEM_DOCUMENT = Document("nachricht", NewsItem, "title", ("body",))
ISSUE_DOCUMENT = Document("ausgabe", Issue, "title", ("editorial",))


def item_sources(user, filters: Filters) -> list[Source]:
    if filters.topic:
        return []
    items = NewsItem.objects.filter(
        state=NewsItem.State.ACCEPTED, issue__in=Issue.objects.published().values("pk")
    )
    if filters.municipality:
        items = items.filter(municipality=filters.municipality)
    return [
        Source(
            items,
            ITEM_DOCUMENT,
            link=("issue_id",),
            # By its key, hit by hit: a join would read every municipality of the country.
            meta=Subquery(
                Municipality.objects.filter(pk=OuterRef("municipality_id")).values("name")[:1]
            ),
            when="issue__published_at",
        )
    ]


def issue_sources(user, filters: Filters) -> list[Source]:
    if filters.topic or filters.municipality:
        return []
    return [Source(Issue.objects.published(), ISSUE_DOCUMENT, when="published_at")]


PROVIDERS = [
    SearchProvider(
        kind="nachricht",
        label=_("Nachrichten"),
        singular=_("Nachricht in der Schülerzeitung"),
        sources=item_sources,
        documents=[ITEM_DOCUMENT],
        url=lambda pk, issue_id, _b: (
            reverse("newsletter:issue", kwargs={"issue_id": int(issue_id)}) + f"#beitrag-{pk}"
        ),
        order=60,
    ),
    SearchProvider(
        kind="ausgabe",
        label=_("Ausgaben der Schülerzeitung"),
        singular=_("Ausgabe der Schülerzeitung"),
        sources=issue_sources,
        documents=[ISSUE_DOCUMENT],
        url=lambda pk, _a, _b: reverse("newsletter:issue", kwargs={"issue_id": pk}),
        order=70,
    ),
]


def register() -> None:
    register_providers(*PROVIDERS)
