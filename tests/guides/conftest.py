"""The guides' part of the world: a topic, guides written through the services, and a clean
glossary cache for every test (the cache outlives a test's rolled-back database)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from network.guides import services
from network.guides.glossary import CACHE_KEY
from network.guides.models import Guide
from projects import services as project_services
from projects.models import Visibility
from tests.factories import TopicFactory
from tests.projects.factories import lead_project


@pytest.fixture(autouse=True)
def _fresh_glossary_cache():
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)


@pytest.fixture
def topic(db):
    return TopicFactory(name="Bürgerbeteiligung", slug="buergerbeteiligung")


def write_guide(*, by, title="Beteiligung planen", status=Guide.Status.PUBLISHED, **fields):
    fields.setdefault("summary", f"Worum es in „{title}“ geht.")
    fields.setdefault("body", "## Spielraum\n\nSchreiben Sie auf, was offen ist.")
    if status == Guide.Status.PUBLISHED:
        fields.setdefault("published_in", datetime.date(2025, 3, 1))
    return services.guide_create(by=by, title=title, status=status, **fields)


@pytest.fixture
def guide(office, editor, topic):
    """Published, written by Iserlohn's editor, in one version."""
    return write_guide(by=office, authors=[editor], topics=[topic], note="Erste Fassung")


@pytest.fixture
def planned(office, editor, topic):
    return write_guide(
        by=office,
        title="Fördermittel finden",
        status=Guide.Status.PLANNED,
        body="Geheimer Entwurf über Förderprogramme.",
        authors=[editor],
        topics=[topic],
    )


@pytest.fixture
def projects(coordinator, menden):
    """A public and a team-only project, a result of each and a draft of the public one."""
    public = lead_project(coordinator=coordinator, lead=menden, title="Offene Datenplattform")
    secret = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Vertrauliche Personalplanung",
        visibility=Visibility.TEAM,
    )
    shown = project_services.result_create(
        project=public, by=coordinator, title="Datenmodell Haushalt", maturity="tested"
    )
    hidden = project_services.result_create(
        project=secret, by=coordinator, title="Geheime Stellenliste", maturity="tested"
    )
    draft = project_services.result_create(
        project=public, by=coordinator, title="Unfertiger Entwurf", maturity="draft"
    )
    return {"public": public, "secret": secret, "shown": shown, "hidden": hidden, "draft": draft}
