"""Reads of guides and the glossary that are more than one line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from network.guides.models import Guide, Term, index_letter
from network.guides.permissions import linked_projects_for, linked_results_for
from workspace.models import Topic, User


def guide_list(*, topic: Topic | None = None) -> QuerySet[Guide]:
    """Every guide, newest first, planned ones last (their month lies ahead or is open)."""
    guides = Guide.objects.for_list()
    if topic is not None:
        guides = guides.filter(topics=topic)
    return guides


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def new_this_month(*, month: datetime.date | None = None) -> QuerySet[Guide]:
    """Guides published in ``month`` (default: the current one)."""
    return Guide.objects.for_list().published().filter(published_in=month or this_month())


def newest(*, limit: int = 4) -> list[Guide]:
    """The newest published guides, for the start page (one query)."""
    return list(
        Guide.objects.published()
        .only("title", "slug", "summary", "published_in", "status")
        .order_by("-published_in", "-pk")[:limit]
    )


def topics_with_guides() -> QuerySet[Topic]:
    """The shared topics, each with its number of guides (one query)."""
    return Topic.objects.annotate(guide_count=Count("guides")).filter(guide_count__gt=0)


def links_of(guide: Guide, user: User | AnonymousUser) -> dict[str, list]:
    """The lead projects and results the guide came from, as far as ``user`` may see them."""
    guide = (
        Guide.objects.filter(pk=guide.pk)
        .prefetch_related(
            Prefetch(
                "lead_projects", queryset=linked_projects_for(user), to_attr="visible_projects"
            ),
            Prefetch("results", queryset=linked_results_for(user), to_attr="visible_results"),
        )
        .get()
    )
    return {"projects": guide.visible_projects, "results": guide.visible_results}


@dataclass(frozen=True)
class Letter:
    letter: str
    terms: list[Term]


ALPHABET = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["#"]


def glossary_by_letter() -> list[Letter]:
    """The A–Z of the glossary: every letter, with its terms (two queries in all)."""
    terms = Term.objects.prefetch_related(
        Prefetch("related", queryset=Term.objects.only("name", "slug"))
    )
    groups: dict[str, list[Term]] = {letter: [] for letter in ALPHABET}
    for term in terms:
        groups[index_letter(term.name)].append(term)
    return [Letter(letter=letter, terms=groups[letter]) for letter in ALPHABET]


def guides_mentioning(term: Term, *, limit: int = 10) -> list[Guide]:
    """Published guides whose text names the term or a synonym (one query)."""
    condition = Q()
    for word in [term.name, *term.synonym_list]:
        condition |= Q(body__icontains=word)
    return list(
        Guide.objects.published()
        .filter(condition)
        .only("title", "slug", "summary", "status")
        .order_by("title")[:limit]
    )
