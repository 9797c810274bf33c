"""Who may open which URL of guides and the glossary, for GET and POST, by role and stage.

The expectations are written out as data (``MATRIX``), one row per URL: for GET and POST a
cell per role, for the guide's stage where the URL points at a guide (``PUBLISHED`` or
``PLANNED``; ``ANY`` where it does not). They are not derived from the permissions module, so
this test can disagree with the app; ``tests/test_url_coverage.py`` fails for any URL that
stands in no matrix.

The roles: ``anonymous``; ``member`` (staff of Brilon, in the network, no author);
``author`` (staff of Iserlohn, a named author of both guides); ``office`` (the network office).
The answers: guides and the glossary are public; a planned guide's title and summary too, its
versions and comparison only its editors' (404, login for the anonymous). Editors are the
named authors and the office (403 with a German message for everyone else); new guides and the
glossary's terms are the office's. Every request that is not carried out changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from network.guides import services
from network.guides.models import Guide, Term
from tests.factories import TopicFactory
from tests.matrix import (
    DENY,
    DONE,
    HIDE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    cells_for,
    check_answer,
    client_for,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "author", "office")
PUBLISHED, PLANNED, ANY = "published", "planned", "any"


cells = cells_for(ROLES)


@dataclass(frozen=True)
class Row:
    get: dict[str, dict[str, Expect]]  # by stage
    post: dict[str, dict[str, Expect]]
    refusal: str | None = None


NOT_EDITOR = "Leitfäden bearbeiten nur ihre Autorinnen und Autoren und die Geschäftsstelle."
NOT_OFFICE_GUIDE = "Neue Leitfäden legt die Geschäftsstelle an."
NOT_OFFICE_TERM = "Das Vokabelheft pflegt die Geschäftsstelle."
NOPE4 = cells(NOPE, NOPE, NOPE, NOPE)
READ4 = cells(OK, OK, OK, OK)

# fmt: off
MATRIX: dict[str, Row] = {
    "guides:list": Row(get={ANY: READ4}, post={ANY: NOPE4}),
    "guides:month": Row(get={ANY: READ4}, post={ANY: NOPE4}),
    "guides:topic": Row(get={ANY: READ4}, post={ANY: NOPE4}),
    "guides:create": Row(
        get={ANY: cells(LOGIN, DENY, DENY, OK)},   # anonymous member author office
        post={ANY: cells(LOGIN, DENY, DENY, DONE)},
        refusal=NOT_OFFICE_GUIDE,
    ),
    # A planned guide's page is public; its body is on it for editors only (test_guides).
    "guides:detail": Row(
        get={PUBLISHED: READ4, PLANNED: READ4},
        post={PUBLISHED: NOPE4, PLANNED: NOPE4},
    ),
    "guides:edit": Row(
        get={PUBLISHED: cells(LOGIN, DENY, OK, OK), PLANNED: cells(LOGIN, DENY, OK, OK)},
        post={PUBLISHED: cells(LOGIN, DENY, DONE, DONE), PLANNED: cells(LOGIN, DENY, DONE, DONE)},
        refusal=NOT_EDITOR,
    ),
    "guides:versions": Row(
        get={PUBLISHED: READ4, PLANNED: cells(LOGIN, HIDE, OK, OK)},
        post={PUBLISHED: NOPE4, PLANNED: NOPE4},
    ),
    "guides:compare": Row(
        get={PUBLISHED: READ4, PLANNED: cells(LOGIN, HIDE, OK, OK)},
        post={PUBLISHED: NOPE4, PLANNED: NOPE4},
    ),
    "guides:restore": Row(
        get={PUBLISHED: NOPE4, PLANNED: NOPE4},
        post={PUBLISHED: cells(LOGIN, DENY, DONE, DONE), PLANNED: cells(LOGIN, DENY, DONE, DONE)},
        refusal=NOT_EDITOR,
    ),
    "guides:glossary": Row(get={ANY: READ4}, post={ANY: NOPE4}),
    "guides:term": Row(get={ANY: READ4}, post={ANY: NOPE4}),
    "guides:term-create": Row(
        get={ANY: cells(LOGIN, DENY, DENY, OK)},
        post={ANY: cells(LOGIN, DENY, DENY, DONE)},
        refusal=NOT_OFFICE_TERM,
    ),
    "guides:term-edit": Row(
        get={ANY: cells(LOGIN, DENY, DENY, OK)},
        post={ANY: cells(LOGIN, DENY, DENY, DONE)},
        refusal=NOT_OFFICE_TERM,
    ),
}
# fmt: on


@dataclass
class World:
    users: dict
    topic: object
    guides: dict[str, Guide]
    term: Term


@pytest.fixture
def world(office, outsider, editor) -> World:
    topic = TopicFactory(name="Bürgerbeteiligung", slug="buergerbeteiligung")
    guides = {}
    for stage in (PUBLISHED, PLANNED):
        guide = services.guide_create(
            by=office,
            title=f"Leitfaden {stage}",
            summary="Kurz gesagt.",
            body="Erste Fassung.",
            status=stage,
            published_in=datetime.date(2025, 3, 1),
            topics=[topic],
            authors=[editor],
        )
        services.guide_update(
            guide=guide, by=editor, base_revision=1, body="Zweite Fassung.", note="zwei"
        )
        guides[stage] = guide
    term = services.term_create(by=office, name="Reallabor", definition="Ein Versuch.")
    users = {"anonymous": None, "member": outsider, "author": editor, "office": office}
    return World(users=users, topic=topic, guides=guides, term=term)


def _guide_form(guide: Guide, **changes) -> dict:
    return {
        "title": f"{guide.title} (neu)",
        "summary": guide.summary,
        "topics": [t.pk for t in guide.topics.all()],
        "status": guide.status,
        "published_in": guide.published_in.strftime("%Y-%m"),
        "body": guide.body,
        "authors": "team-iserlohn",
        "base_revision": guide.revision,
        **changes,
    }


@dataclass(frozen=True)
class Call:
    """The URL's kwargs, the POST data and the check that a POST was carried out."""

    kwargs: Callable = lambda world, guide: {}
    data: Callable = lambda world, guide: {}
    done: Callable = lambda world, guide: None  # → where a carried-out POST leads


CALLS: dict[str, Call] = {
    "guides:list": Call(),
    "guides:month": Call(),
    "guides:topic": Call(kwargs=lambda world, guide: {"topic_slug": world.topic.slug}),
    "guides:create": Call(
        data=lambda world, guide: {
            "title": "Reallabore planen",
            "summary": "Wie ein Versuch im Alltag gelingt.",
            "status": "planned",
            "authors": "",
        },
        done=lambda world, guide: Guide.objects.get(title="Reallabore planen").get_absolute_url(),
    ),
    "guides:detail": Call(kwargs=lambda world, guide: {"slug": guide.slug}),
    "guides:edit": Call(
        kwargs=lambda world, guide: {"slug": guide.slug},
        data=lambda world, guide: _guide_form(guide),
        done=lambda world, guide: (
            Guide.objects.get(pk=guide.pk).revision == 3 and guide.get_absolute_url()
        ),
    ),
    "guides:versions": Call(kwargs=lambda world, guide: {"slug": guide.slug}),
    "guides:compare": Call(kwargs=lambda world, guide: {"slug": guide.slug}),
    "guides:restore": Call(
        kwargs=lambda world, guide: {"slug": guide.slug},
        data=lambda world, guide: {"revision": 1, "base_revision": 2},
        done=lambda world, guide: (
            Guide.objects.get(pk=guide.pk).body == "Erste Fassung." and guide.get_absolute_url()
        ),
    ),
    "guides:glossary": Call(),
    "guides:term": Call(kwargs=lambda world, guide: {"slug": world.term.slug}),
    "guides:term-create": Call(
        data=lambda world, guide: {"name": "Sensorik", "definition": "Messfühler.", "synonyms": ""},
        done=lambda world, guide: Term.objects.get(name="Sensorik").get_absolute_url(),
    ),
    "guides:term-edit": Call(
        kwargs=lambda world, guide: {"slug": world.term.slug},
        data=lambda world, guide: {"name": "Reallabor", "definition": "Neu.", "synonyms": ""},
        done=lambda world, guide: (
            Term.objects.get(pk=world.term.pk).definition == "Neu."
            and world.term.get_absolute_url()
        ),
    ),
}


def snapshot() -> tuple:
    return (
        sorted(Guide.objects.values_list("pk", "title", "body", "revision", "status")),
        Guide.history.count(),
        sorted(Term.objects.values_list("pk", "name", "definition", "synonyms")),
    )


def _cases():
    for url_name, row in sorted(MATRIX.items()):
        for method, table in (("GET", row.get), ("POST", row.post)):
            for stage in table:
                for role in ROLES:
                    yield pytest.param(
                        url_name, method, stage, role, id=f"{url_name}-{method}-{stage}-{role}"
                    )


@pytest.mark.parametrize(("url_name", "method", "stage", "role"), list(_cases()))
def test_matrix(world, url_name, method, stage, role):
    row, call = MATRIX[url_name], CALLS[url_name]
    expected = (row.get if method == "GET" else row.post)[stage][role]
    guide = world.guides.get(stage)
    url = reverse(url_name, kwargs=call.kwargs(world, guide))
    client = client_for(world.users[role])
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, call.data(world, guide))

    where = f"{method} {url} als {role}"
    check_answer(response, expected, url=url, where=where, message=row.refusal)
    if expected.then == "done":
        target = call.done(world, guide)
        assert target, f"{where}: nicht ausgeführt"
        assert response["Location"] == target
        return
    assert snapshot() == before, f"{where} hat die Datenbank verändert"
    if expected.status == 404:
        assert "Seite nicht gefunden" in response.content.decode()


def test_matrix_has_a_cell_for_every_role_and_a_reason_for_every_refusal():
    for url_name, row in MATRIX.items():
        assert url_name in CALLS
        for table in (row.get, row.post):
            assert all(tuple(stage_cells) == ROLES for stage_cells in table.values())
        refuses = any(
            e.status == 403
            for table in (row.get, row.post)
            for stage_cells in table.values()
            for e in stage_cells.values()
        )
        assert bool(row.refusal) == refuses, f"{url_name}: 403 ohne deutsche Begründung"


def test_a_planned_guide_says_nothing_of_its_text_on_any_page(world):
    guide = world.guides[PLANNED]
    for role in ("anonymous", "member"):
        client = client_for(world.users[role])
        for name in ("guides:list", "guides:detail", "guides:topic", "guides:month"):
            kwargs = {"slug": guide.slug} if name == "guides:detail" else {}
            if name == "guides:topic":
                kwargs = {"topic_slug": world.topic.slug}
            page = client.get(reverse(name, kwargs=kwargs)).content.decode()
            assert "Zweite Fassung." not in page and "Erste Fassung." not in page
