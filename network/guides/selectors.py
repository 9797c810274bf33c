"""Reads of guides and the glossary that are more than one line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from network.guides.glossary import letter_index
from network.guides.models import Guide, Term, index_letter
from network.guides.permissions import linked_projects_for, linked_results_for
from workspace.models import Topic, User
from workspace.pagination import PAGE_PARAM


def guide_list(*, topic: Topic | None = None) -> QuerySet[Guide]:
    """Every guide (of ``topic``), unordered and without what a list row reads besides: the
    list pages order and page it (``models.list_lookups`` reads the rest for a page)."""
    guides = Guide.objects.all()
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
    count: int


@dataclass(frozen=True)
class GlossaryPage:
    """One page of one letter of the glossary: the A–Z (every letter, with its number of
    terms), the letter shown, the page of its ids and its terms in German order, and the
    number of all terms."""

    letters: list[Letter]
    letter: str
    page: Page
    terms: list[Term]
    count: int

    @property
    def anchor(self) -> str:
        """The id of the letter's heading, which the page links jump to."""
        return f"buchstabe-{self.letter.lower() if self.letter.isalpha() else 'ziffern'}"


ALPHABET = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["#"]
TERMS_PER_PAGE = 50


def glossary_letter(
    letter: str | None = None, *, page: str | int | None = None, per_page: int = TERMS_PER_PAGE
) -> GlossaryPage:
    """The glossary's ``page`` of ``letter`` (default: the first letter with terms, its first
    page), with the terms' related ones: the A–Z and the letter's ids from the cache
    (glossary.letter_index), then two queries by primary key, however large the glossary."""
    index = letter_index()
    if letter is None:
        letter = next((each for each in ALPHABET if index.get(each)), ALPHABET[0])
    ids = Paginator(index.get(letter, ()), per_page).get_page(page)
    terms = {}
    if ids.object_list:
        terms = (
            Term.objects.filter(pk__in=ids.object_list)
            .order_by()
            .prefetch_related(Prefetch("related", queryset=Term.objects.only("name", "slug")))
            .in_bulk()
        )
    return GlossaryPage(
        letters=[Letter(letter=each, count=len(index.get(each, ()))) for each in ALPHABET],
        letter=letter,
        page=ids,
        # A term deleted since the index was cached is left out; the order is the index's.
        terms=[terms[pk] for pk in ids.object_list if pk in terms],
        count=sum(map(len, index.values())),
    )


def glossary_place(term: Term) -> str:
    """The address of ``term`` on the glossary's pages: its letter, its page, its entry."""
    ids = letter_index().get(term.letter, ())
    query = {"buchstabe": term.letter}
    if term.pk in ids and (number := ids.index(term.pk) // TERMS_PER_PAGE + 1) > 1:
        query[PAGE_PARAM] = number
    return f"{reverse('guides:glossary')}?{urlencode(query)}#{term.slug}"


def glossary_letter_of(value: str) -> str | None:
    """The A–Z letter a ``?buchstabe=`` value asks for ("ä" → "A"), None if it is no letter."""
    value = value.strip()
    return index_letter(value) if len(value) == 1 else None


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
