"""The search's part of the world: one thing of every kind, each where only some may see it.

Every object carries the word "Schulweg" (so one query finds all a person may see) and a
word of its own (so a test can ask for exactly one thing). The people are the shared world's:
``outsider`` (Brilon) stands for a member, ``editor`` (Iserlohn) for a team and a guide's
author, ``office`` for the network office.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from network.dates import services as dates
from network.dates.models import Appointment
from network.guides import services as guides
from network.guides.glossary import CACHE_KEY
from network.guides.models import Guide
from network.newsletter import services as newsletter
from projects import services as projects
from projects.models import Result, TeamMembership, Template, Visibility
from tests.factories import TopicFactory
from tests.projects.factories import lead_project

Role = TeamMembership.Role
TESTED = Result.Maturity.TESTED


@pytest.fixture(autouse=True)
def _fresh_glossary_cache():
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)


@dataclass
class World:
    titles: dict[str, str]  # key -> title of the thing


def result(project, by, title, body, maturity=TESTED):
    return projects.result_create(project=project, by=by, title=title, body=body, maturity=maturity)


@pytest.fixture
def world(office, coordinator, editor, outsider, menden, iserlohn, brilon) -> World:
    topic = TopicFactory(name="Mobilität", slug="mobilitaet")
    public = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Öffentlicher Schulweg Alpha",
        team=[(editor, Role.EDITOR)],
        topics=[topic],
        participants=[iserlohn],
    )
    network = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Netzwerk-Schulweg Beta",
        visibility=Visibility.NETWORK,
    )
    secret = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Team-Schulweg Gamma",
        visibility=Visibility.TEAM,
        team=[(editor, Role.OBSERVER)],
    )
    published = result(public, coordinator, "Schulweg-Konzept Delta", "Sicherer Schulweg.")
    draft = result(
        public, coordinator, "Schulweg-Entwurf Epsilon", "Noch roh.", Result.Maturity.DRAFT
    )
    hidden_result = result(secret, coordinator, "Schulweg-Ergebnis Zeta", "Nur im Team.")
    internal = result(public, coordinator, "Schulweg-Vorlage Eta", "Für das Netzwerk.")
    projects.template_publish(
        result=internal, by=coordinator, licence=Template.Licence.INTERNAL, recommended_revision=1
    )
    open_ = result(public, coordinator, "Schulweg-Vorlage Theta", "Für alle.")
    template = projects.template_publish(
        result=open_, by=coordinator, licence=Template.Licence.CC_BY, recommended_revision=1
    )
    adoption = projects.adoption_create(template=template, municipality=brilon, by=outsider)
    guides.guide_create(
        by=office,
        title="Schulweg-Leitfaden Iota",
        summary="Wie Kommunen Schulwege planen.",
        body="Das Kapitel über Lotsen.",
        status=Guide.Status.PUBLISHED,
        published_in=datetime.date(2025, 3, 1),
        topics=[topic],
    )
    guides.guide_create(
        by=office,
        title="Bald: Schulweg-Leitfaden Kappa",
        summary="Erscheint bald.",
        body="Geheimwort Lambda steht nur im Entwurf.",
        status=Guide.Status.PLANNED,
        authors=[editor],
    )
    guides.term_create(by=office, name="Schulweg-Begriff My", definition="Ein Wort im Heft.")
    unaccepted = newsletter.news_item_submit(
        by=outsider, municipality=brilon, title="Schulweg-Nachricht Ny", body="Eingereicht."
    )
    accepted = newsletter.news_item_accept(
        item=newsletter.news_item_submit(
            by=editor, municipality=iserlohn, title="Schulweg-Nachricht Xi", body="Gedruckt."
        ),
        by=office,
    )
    waiting = newsletter.news_item_accept(
        item=newsletter.news_item_submit(
            by=editor, municipality=iserlohn, title="Schulweg-Nachricht Omikron", body="Wartet."
        ),
        by=office,
    )
    issue = newsletter.issue_create(
        by=office, title="Schulweg-Ausgabe Pi", editorial="Hallo.", items=[accepted]
    )
    newsletter.issue_send(issue=issue, by=office)
    newsletter.issue_create(by=office, title="Schulweg-Ausgabe Rho", editorial="Entwurf.")
    start = timezone.now() + datetime.timedelta(days=10)
    dates.appointment_create(
        by=office,
        kind=Appointment.Kind.PAUSENHOF,
        title="Pausenhof Schulweg Sigma",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        video_url="https://video.example.org/pausenhof",
        speaker_municipality=menden,
        topics=[topic],
    )
    del network, draft, hidden_result, unaccepted, waiting, published, adoption
    return World(titles={})
