"""The newsletter's part of the one world: news of Brilon (the outsider), issues of the office."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from network.newsletter import services
from network.newsletter.models import Issue, NewsItem, Subscriber

# A real 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def png(name: str = "bild.png", data: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class World:
    own: NewsItem  # submitted by the outsider, waiting for review
    pictured: NewsItem  # with picture, in the published issue
    published: Issue
    draft: Issue


def submit(user, *, title="Neues aus Brilon", image=None, **extra) -> NewsItem:
    return services.news_item_submit(
        by=user,
        municipality=user.memberships.get().municipality,
        title=title,
        body=extra.pop("body", "Ein **wichtiger** Text."),
        image=image,
        image_alt="Der Marktplatz" if image else "",
        **extra,
    )


@pytest.fixture
def world(office, outsider, editor) -> World:
    own = submit(outsider)
    pictured = services.news_item_accept(
        item=submit(editor, title="Iserlohn mit Bild", image=png()), by=office
    )
    published = services.issue_create(
        by=office, title="Erste Ausgabe", editorial="Hallo!", items=[pictured]
    )
    services.issue_send(issue=published, by=office)
    draft = services.issue_create(by=office, title="Zweite Ausgabe", editorial="Entwurf")
    published.refresh_from_db()
    return World(own=own, pictured=pictured, published=published, draft=draft)


def confirmed(n: int, *, prefix: str = "leser") -> list[Subscriber]:
    return Subscriber.objects.bulk_create(
        Subscriber(
            email=f"{prefix}{i}@example.org",
            state=Subscriber.State.CONFIRMED,
            consent_version="2025-1",
            unsubscribe_key=f"key{i:06d}",
        )
        for i in range(n)
    )
