"""Small registries through which higher apps contribute to the core's pages.

The core imports none of the apps; an app that wants to show something on a core page (what a
municipality leads, the next dates on the start page) registers a section here in its
``AppConfig.ready()``. So the dependency arrow keeps pointing down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SectionContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class PageSection:
    template: str
    context: SectionContext
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    template: str
    context: dict[str, Any]


_sections: dict[str, list[PageSection]] = defaultdict(list)


def register_section(page: str, *, template: str, context: SectionContext, order: int = 100):
    """Add a section to ``page`` (e.g. ``"home"``, ``"municipality_detail"``).

    ``context(request, obj)`` returns the section's context, or ``None`` to leave it out.
    """
    section = PageSection(template=template, context=context, order=order)
    if section not in _sections[page]:
        _sections[page].append(section)
        _sections[page].sort(key=lambda s: s.order)


def sections_for(page: str, request: HttpRequest, obj: Any = None) -> list[RenderedSection]:
    rendered = []
    for section in _sections[page]:
        context = section.context(request, obj)
        if context is not None:
            rendered.append(RenderedSection(template=section.template, context=context))
    return rendered


# --- Off-boarding -------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """One thing a person leaving hands over (shown before, done in the same transaction)."""

    what: str
    needs_successor: bool = False  # e.g. coordinating a project: never left empty


@dataclass(frozen=True)
class OffboardingStep:
    preview: Callable[[Any], list[Handover]]  # (person) -> what will be handed over
    apply: Callable[..., None]  # (*, person, successor, by, today) -> None
    order: int = 100


_offboarding: list[OffboardingStep] = []


def register_offboarding(*, preview, apply, order: int = 100) -> None:
    """Apps hand over what a leaving person holds (team roles, seats) in ``ready()``."""
    step = OffboardingStep(preview=preview, apply=apply, order=order)
    if step not in _offboarding:
        _offboarding.append(step)
        _offboarding.sort(key=lambda s: s.order)


def offboarding_steps() -> list[OffboardingStep]:
    return list(_offboarding)


# --- Who may see what a notification is about --------------------------------------------

Visible = Callable[[Any], Any]  # (user) -> QuerySet of the model's objects the user may see
Audience = Callable[[Any], Any]  # (obj) -> Q on people: everyone who may see obj

_visibility: dict[type, Visible] = {}
_audience: dict[type, Audience] = {}


def register_visibility(model: type, visible: Visible, *, audience: Audience) -> None:
    """``visible(user)`` returns the queryset of ``model``'s objects ``user`` may see;
    ``audience(obj)`` the same rule turned around: a condition on ``User`` that keeps
    everyone who may see ``obj`` (both written beside each other in the app's permissions).

    The app that owns ``model`` registers it in ``ready()``; the bell and the notifications
    page hide what a person can no longer see through ``visible`` (one subquery per
    registered model, however many rows), and the background worker keeps the followers who
    may see what happened through ``audience`` (one query per batch of people).
    """
    _visibility[model] = visible
    _audience[model] = audience


def visibility_rules() -> dict[type, Visible]:
    return dict(_visibility)


def audience_rules() -> dict[type, Audience]:
    return dict(_audience)


# --- Search providers --------------------------------------------------------------------  # SEARCH

_search_providers: dict[str, Any] = {}  # SEARCH


def register_search_provider(kind: str, provider: Any) -> None:  # SEARCH
    # An app adds one kind of hit (a ``workspace.search.SearchProvider``) in ``ready()``;  # SEARCH
    # the provider alone decides, with its app's own rules, what a user may find.  # SEARCH
    _search_providers[kind] = provider  # SEARCH


def search_providers() -> dict[str, Any]:  # SEARCH
    return dict(sorted(_search_providers.items(), key=lambda item: item[1].order))  # SEARCH


# --- The person of a request ----------------------------------------------------------------

UserAnnotations = Callable[[], dict[str, Any]]
_user_annotations: list[UserAnnotations] = []


def register_user_annotations(annotations: UserAnnotations) -> None:
    """Add what the pages ask of every logged-in person (``{"_name": expression}``) to the one
    query that loads them for a request (workspace/backends.py), instead of a query each per
    request. The attribute names are the apps' own per-request caches."""
    if annotations not in _user_annotations:
        _user_annotations.append(annotations)


def user_annotations() -> dict[str, Any]:
    combined: dict[str, Any] = {}
    for annotate in _user_annotations:
        combined |= annotate()
    return combined
