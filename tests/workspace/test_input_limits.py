"""Every long text has a documented limit (workspace/limits.py), told in German and enforced
by the forms, the services and the import of lead-project archives (issue 20, finding 6).

Each form is posted the way a browser would: the page is fetched as the person who may use
it, the form that holds the text field is filled from what the page shows, and only the text
is replaced. An over-long text brings the form back with „Der Text ist zu lang: höchstens …
Zeichen, eingegeben …“ and writes nothing (no row anywhere changes in number, and the text is
nowhere in the database); the same form with a short text is saved, so the refusal is the
limit's and not some other field's.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.utils import timezone

from network.discussion import services as discussion_services
from network.guides import services as guide_services
from network.joining import services as joining_services
from network.newsletter import services as newsletter_services
from projects import portable
from projects import services as project_services
from projects.models import LeadProject, Result, TeamMembership, Template
from steering import services as steering_services
from tests.archives import exported, with_manifest
from tests.projects.factories import lead_project
from tests.steering.conftest import committee  # noqa: F401 – a fixture
from workspace.limits import (
    COMMENT_MAX,
    LONG_TEXT_MAX,
    PROSE_MAX,
    SYSTEM_TEXTS,
    TEXT_LIMITS,
)

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
OUR_APPS = {
    "workspace",
    "projects",
    "steering",
    "joining",
    "guides",
    "dates",
    "newsletter",
    "discussion",
}
MARK = "ÜBERLANG"


def german(n: int) -> str:
    """A count as the German pages write it: 500.000."""
    return f"{n:_}".replace("_", ".")


def too_long_message(limit: int, length: int) -> str:
    return f"Der Text ist zu lang: höchstens {german(limit)} Zeichen, eingegeben {german(length)}."


def long_text(length: int) -> str:
    """``length`` characters, marked so the database can be searched for it."""
    return (MARK + " " + "Wort " * (length // 5 + 1))[:length]


# --- posting a page's form like a browser ----------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page as a browser would send them (first option of a select without a
    selected one, checked boxes only)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: tuple[str, list, list] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": a.get("method", "get"),
                "fields": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "file"):
                return
            self._form["fields"].append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            chosen = selected or [next((o for o in options if o), "")]
            self._form["fields"] += [(name, value) for value in chosen]
            self._select = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if any(name == field for name, _ in form["fields"]):
            return form
    raise AssertionError(f"no form with a field {field!r} on the page")


def post_form(
    client: Client, page: str, field: str, text: str, action: str = "", **overrides
) -> object:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    return submit(client, response.content.decode(), page, field, text, action, **overrides)


def submit(client, html, page, field, text, action="", **overrides):
    form = form_with(html, field)
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    for name, value in overrides.items():
        data[name] = value if isinstance(value, list) else [value]
    data[field] = [text]
    return client.post(action or form["action"] or page, data, follow=True)


def snapshot() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
    }


def stored_anywhere(marker: str) -> list[str]:
    """Where in the database ``marker`` is stored (model.field), across every text column."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField) and (
                model._default_manager.filter(**{f"{f.name}__contains": marker}).exists()
            ):
                found.append(f"{model._meta.label}.{f.name}")
    return found


# --- who may post which long text where --------------------------------------------------------


@dataclass
class Entry:
    """A form that takes a long text: who may post it, where, which field, its limit."""

    who: str
    page: Callable[[pytest.FixtureRequest], str]
    field: str
    limit: int
    overrides: Callable[[pytest.FixtureRequest], dict] = lambda request: {}
    #: where the browser sends it, when a button's formaction says so
    action: Callable[[pytest.FixtureRequest], str] | None = None
    #: a second step that saves (a preview first): the button's name
    confirm: str = ""


def _fx(request, name):
    return request.getfixturevalue(name)


@pytest.fixture
def project(coordinator, menden, editor, iserlohn):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        participants=[iserlohn],
        team=[(editor, Role.EDITOR)],
    )


@pytest.fixture
def result(project, coordinator):
    return project_services.result_create(
        project=project,
        by=coordinator,
        title="Leitfaden Datenportal",
        body="# Datenportal\n\nErste Fassung.",
        maturity=Result.Maturity.TESTED,
    )


@pytest.fixture
def template(result, coordinator):
    return project_services.template_publish(
        result=result, by=coordinator, licence=Template.Licence.CC_BY, recommended_revision=1
    )


@pytest.fixture
def adoption(template, brilon, outsider):
    return project_services.adoption_create(template=template, municipality=brilon, by=outsider)


@pytest.fixture
def changed_copy(adoption, outsider):
    """Brilon changed its copy, so it has something to offer."""
    copy = adoption.copy
    project_services.result_update(
        result=copy, by=outsider, base_revision=copy.revision, body=copy.body + "\n\nBrilon."
    )
    return adoption


@pytest.fixture
def offer(changed_copy, outsider):
    return project_services.offer_create(adoption=changed_copy, by=outsider, message="Bitte.")


@pytest.fixture
def changed_source(adoption, result, coordinator):
    """The template's source went on, so Brilon can take the change over."""
    project_services.result_update(
        result=result, by=coordinator, base_revision=1, body=result.body + "\n\nZweite Fassung."
    )
    return adoption


@pytest.fixture
def guide(office, editor):
    return guide_services.guide_create(
        by=office,
        title="Beteiligung planen",
        summary="Wie es geht.",
        body="Text.",
        authors=[editor],
    )


@pytest.fixture
def meeting(committee):  # noqa: F811 – the fixture imported above
    """A meeting under way, with one point for discussion on its agenda."""
    chair = committee.chair
    meeting = steering_services.meeting_create(
        by=chair, title="Sitzung", starts_at=timezone.now(), place="Olpe"
    )
    steering_services.agenda_item_add(by=chair, meeting=meeting, title="Bericht")
    steering_services.meeting_invite(by=chair, meeting=meeting, notify=False)
    steering_services.meeting_open(
        by=chair, meeting=meeting, present=committee.present("arnsberg", "olpe", "soest")
    )
    return meeting


@pytest.fixture
def news_item(outsider, brilon):
    return newsletter_services.news_item_submit(
        by=outsider,
        municipality=brilon,
        title="Neues aus Brilon",
        body="Text.",
        image=None,
        image_alt="",
    )


@pytest.fixture
def join_request(db):
    return joining_services.join_request_submit(
        municipality_name="Brilon",
        contact_name="Eva Muster",
        function="Hauptamt",
        email="eva@brilon.example",
        message="Hallo",
    )


@pytest.fixture
def comment(project, editor):
    return discussion_services.comment_create(by=editor, project=project, body="Ein Kommentar.")


def _slug(request) -> str:
    return _fx(request, "project").slug


def _result_url(request, suffix: str) -> str:
    result = _fx(request, "result")
    return f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/{suffix}"


def _copy_url(request, fixture: str, suffix: str) -> str:
    adoption = _fx(request, fixture)
    return f"/kommunen/{adoption.municipality.slug}/nachnutzungen/{adoption.copy_id}/{suffix}"


ENTRIES = {
    "project description (new)": Entry(
        "coordinator",
        lambda r: (_fx(r, "menden"), "/leitprojekte/neu/")[1],
        "description",
        PROSE_MAX,
        lambda r: {
            "title": "Neues Leitprojekt",
            "summary": "Kurz.",
            "lead_municipality": _fx(r, "menden").slug,
        },
    ),
    "project description (edit)": Entry(
        "coordinator", lambda r: f"/leitprojekte/{_slug(r)}/bearbeiten/", "description", PROSE_MAX
    ),
    "project criterion": Entry(
        "coordinator",
        lambda r: f"/leitprojekte/{_slug(r)}/bearbeiten/",
        "criterion_joint_impact",
        PROSE_MAX,
    ),
    "status change reason": Entry(
        "coordinator", lambda r: f"/leitprojekte/{_slug(r)}/", "reason", PROSE_MAX
    ),
    "result body (new)": Entry(
        "editor",
        lambda r: f"/leitprojekte/{_slug(r)}/ergebnisse/neu/",
        "body",
        LONG_TEXT_MAX,
        lambda r: {"title": "Neues Ergebnis"},
    ),
    "result body (edit)": Entry(
        "editor", lambda r: _result_url(r, "bearbeiten/"), "body", LONG_TEXT_MAX
    ),
    "template prerequisites": Entry(
        "coordinator", lambda r: _result_url(r, "vorlage/"), "prerequisites", PROSE_MAX
    ),
    "adoption experience": Entry(
        "outsider", lambda r: _copy_url(r, "adoption", ""), "experience", PROSE_MAX
    ),
    "offer message": Entry(
        "outsider", lambda r: _copy_url(r, "changed_copy", "angebot/"), "message", PROSE_MAX
    ),
    "offer decline note": Entry(
        "coordinator",
        lambda r: (
            f"/vorlagen/{_fx(r, 'offer').adoption.template_id}/angebote/{_fx(r, 'offer').pk}/"
        ),
        "note",
        PROSE_MAX,
    ),
    "take-over body": Entry(
        "outsider", lambda r: _copy_url(r, "changed_source", "uebernehmen/"), "body", LONG_TEXT_MAX
    ),
    "meeting minutes": Entry(
        "office", lambda r: f"/steuerkreis/sitzungen/{_fx(r, 'meeting').pk}/", "minutes", PROSE_MAX
    ),
    "proposal text": Entry(
        "office",
        lambda r: (_fx(r, "committee"), "/steuerkreis/vorlagen/neu/")[1],
        "text",
        PROSE_MAX,
        lambda r: {"title": "Freier Beschluss", "kind": "free", "project": ""},
    ),
    "guide body (new)": Entry(
        "office",
        lambda r: "/leitfaeden/neu/",
        "body",
        LONG_TEXT_MAX,
        lambda r: {"title": "Neuer Leitfaden", "summary": "Kurz.", "status": "planned"},
    ),
    "guide body (edit)": Entry(
        "editor", lambda r: f"/leitfaeden/{_fx(r, 'guide').slug}/bearbeiten/", "body", LONG_TEXT_MAX
    ),
    "glossary definition": Entry(
        "office",
        lambda r: "/vokabelheft/neu/",
        "definition",
        PROSE_MAX,
        lambda r: {"name": "Datenraum"},
    ),
    "appointment description": Entry(
        "office",
        lambda r: "/termine/neu/",
        "description",
        PROSE_MAX,
        lambda r: {
            "title": "Klassentreffen",
            "starts_at": (timezone.localtime() + datetime.timedelta(days=30)).strftime(
                "%Y-%m-%dT10:00"
            ),
            "ends_at": (timezone.localtime() + datetime.timedelta(days=30)).strftime(
                "%Y-%m-%dT16:00"
            ),
            "place": "Olpe",
        },
    ),
    "Pausenhof series description": Entry(
        "office",
        lambda r: "/termine/pausenhof/reihe/neu/",
        "description",
        PROSE_MAX,
        lambda r: {
            "first_day": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "video_url": "https://video.example/pausenhof",
        },
        confirm="anlegen",
    ),
    "topic suggestion": Entry(
        "stranger",
        lambda r: "/termine/pausenhof/thema-vorschlagen/",
        "description",
        4000,
        lambda r: {
            "title": "Offene Daten",
            "started": signing.dumps(
                (timezone.now() - datetime.timedelta(minutes=5)).timestamp(),
                salt="network.dates.suggestion-form",
            ),
        },
    ),
    "news item body": Entry(
        "outsider",
        lambda r: (_fx(r, "brilon"), "/schuelerzeitung/beitraege/neu/")[1],
        "body",
        PROSE_MAX,
        lambda r: {"title": "Neues aus Brilon"},
    ),
    "news item review note": Entry(
        "office",
        lambda r: f"/schuelerzeitung/beitraege/{_fx(r, 'news_item').pk}/",
        "note",
        PROSE_MAX,
        action=lambda r: f"/schuelerzeitung/beitraege/{_fx(r, 'news_item').pk}/ablehnen/",
    ),
    "newsletter editorial": Entry(
        "office",
        lambda r: "/schuelerzeitung/ausgaben/neu/",
        "editorial",
        PROSE_MAX,
        lambda r: {"title": "Ausgabe"},
    ),
    "join request message": Entry(
        None,
        lambda r: "/mitmachen/",
        "message",
        4000,
        lambda r: {
            "municipality": "",
            "other_municipality": "Musterstadt",
            "contact_name": "Eva Muster",
            "function": "Hauptamt",
            "email": "eva@musterstadt.example",
            "consent": "on",
        },
    ),
    "join request decline note": Entry(
        "office", lambda r: f"/mitmachen/anfragen/{_fx(r, 'join_request').pk}/", "note", 4000
    ),
    "comment": Entry("editor", lambda r: f"/leitprojekte/{_slug(r)}/", "body", COMMENT_MAX),
    "comment hiding reason": Entry(
        "coordinator",
        lambda r: (_fx(r, "comment"), f"/leitprojekte/{_slug(r)}/")[1],
        "reason",
        PROSE_MAX,
    ),
    "accessibility feedback": Entry(None, lambda r: "/barrierefreiheit/", "message", 5000),
    "legal page": Entry(
        "office",
        lambda r: "/datenschutz/bearbeiten/",
        "body",
        LONG_TEXT_MAX,
        lambda r: {"title": "Datenschutz"},
    ),
}


def _client(request, who: str | None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(_fx(request, who))
    return client


@pytest.mark.parametrize("name", list(ENTRIES))
def test_an_over_long_text_is_refused_in_german_and_nothing_is_written(request, name):
    entry = ENTRIES[name]
    client = _client(request, entry.who)
    page = entry.page(request)
    overrides = entry.overrides(request)
    before = snapshot()

    action = entry.action(request) if entry.action else ""
    response = post_form(client, page, entry.field, long_text(entry.limit + 1), action, **overrides)

    assert response.status_code in (200, 400), response.status_code
    assert too_long_message(entry.limit, entry.limit + 1) in response.content.decode()
    assert snapshot() == before
    assert stored_anywhere(MARK) == []

    short = f"{MARK} kurz und gut"
    response = post_form(client, page, entry.field, short, action, **overrides)
    if entry.confirm:
        html = response.content.decode()
        response = submit(client, html, page, entry.field, short, **{entry.confirm: ""})
    assert response.status_code == 200, response.status_code
    assert stored_anywhere(MARK), "the same form with a short text is saved"


def test_exactly_at_the_limit_a_result_and_a_description_are_saved_one_more_is_not(
    request, result, editor
):
    client = _client(request, "editor")
    body = long_text(LONG_TEXT_MAX)

    refused = post_form(client, _result_url(request, "bearbeiten/"), "body", body + "!")
    response = post_form(client, _result_url(request, "bearbeiten/"), "body", body)

    assert too_long_message(LONG_TEXT_MAX, LONG_TEXT_MAX + 1) in refused.content.decode()
    assert response.status_code == 200
    result.refresh_from_db()
    assert len(result.body) == LONG_TEXT_MAX
    assert result.revision == 2

    client = _client(request, "coordinator")
    description = long_text(PROSE_MAX)
    page = f"/leitprojekte/{result.project.slug}/bearbeiten/"
    refused = post_form(client, page, "description", description + "!")
    response = post_form(client, page, "description", description)
    assert too_long_message(PROSE_MAX, PROSE_MAX + 1) in refused.content.decode()
    assert response.status_code == 200
    assert LeadProject.objects.get(pk=result.project_id).description == description


def test_every_text_a_person_writes_has_a_documented_limit():
    """A new long text without a limit fails here, before it reaches a form or a service."""
    texts = {
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and not model.__name__.startswith("Historical")
        for f in model._meta.concrete_fields
        if isinstance(f, models.TextField)
        or (isinstance(f, models.CharField) and f.max_length is None)
    }
    assert texts - set(TEXT_LIMITS) - SYSTEM_TEXTS == set()
    assert set(TEXT_LIMITS) <= texts


# --- the services refuse too: nothing an API or a script sends gets past the limit -----------

SERVICES = {
    "result (new)": (
        LONG_TEXT_MAX,
        lambda r, text: project_services.result_create(
            project=_fx(r, "project"), by=_fx(r, "coordinator"), title="Neu", body=text
        ),
    ),
    "result (edit)": (
        LONG_TEXT_MAX,
        lambda r, text: project_services.result_update(
            result=_fx(r, "result"), by=_fx(r, "editor"), base_revision=1, body=text
        ),
    ),
    "project description": (
        PROSE_MAX,
        lambda r, text: project_services.project_update(
            project=_fx(r, "project"), by=_fx(r, "coordinator"), description=text
        ),
    ),
    "offer": (
        PROSE_MAX,
        lambda r, text: project_services.offer_create(
            adoption=_fx(r, "changed_copy"), by=_fx(r, "outsider"), message=text
        ),
    ),
    "guide": (
        LONG_TEXT_MAX,
        lambda r, text: guide_services.guide_create(
            by=_fx(r, "office"), title="Neu", summary="Kurz.", body=text
        ),
    ),
    "glossary term": (
        PROSE_MAX,
        lambda r, text: guide_services.term_create(
            by=_fx(r, "office"), name="Datenraum", definition=text
        ),
    ),
    "minutes": (
        PROSE_MAX,
        lambda r, text: steering_services.minutes_approve(
            by=_fx(r, "committee").chair, meeting=_fx(r, "meeting"), minutes=text
        ),
    ),
    "news item": (
        PROSE_MAX,
        lambda r, text: newsletter_services.news_item_submit(
            by=_fx(r, "outsider"), municipality=_fx(r, "brilon"), title="Neu", body=text
        ),
    ),
    "join request": (
        PROSE_MAX,
        lambda r, text: joining_services.join_request_submit(
            municipality_name="Musterstadt",
            contact_name="Eva Muster",
            function="Hauptamt",
            email="eva@musterstadt.example",
            message=text,
        ),
    ),
    "comment": (
        COMMENT_MAX,
        lambda r, text: discussion_services.comment_create(
            by=_fx(r, "editor"), project=_fx(r, "project"), body=text
        ),
    ),
}


PREPARED = {
    "offer": ("changed_copy",),
    "minutes": ("meeting",),
    "news item": ("outsider",),
    "guide": ("office",),
    "glossary term": ("office",),
}


@pytest.mark.parametrize("name", list(SERVICES))
def test_a_service_refuses_an_over_long_text_before_writing(request, name):
    limit, call = SERVICES[name]
    # The world the call needs is built before the snapshot.
    for fixture in ("project", "result", *PREPARED.get(name, ())):
        _fx(request, fixture)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        call(request, long_text(limit + 1))

    assert too_long_message(limit, limit + 1) in " ".join(refused.value.messages)
    assert snapshot() == before
    assert stored_anywhere(MARK) == []


# --- the import of a lead-project archive --------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(
    ("where", "limit"),
    [
        (("results", 0, "versions", 0, "body"), LONG_TEXT_MAX),
        (("project", "description"), PROSE_MAX),
    ],
)
def test_the_import_refuses_an_archive_with_an_over_long_text(where, limit, result, office, media):
    data = exported(result.project, office)

    def lengthen(manifest):
        *path, key = where
        part = manifest
        for step in path:
            part = part[step]
        part[key] = long_text(limit + 1)

    spoiled = with_manifest(data, lengthen)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        portable.project_import(archive=io.BytesIO(spoiled), by=office)

    message = " ".join(refused.value.messages)
    assert "Das Archiv enthält einen zu langen Text" in message
    assert f"hat {german(limit + 1)} Zeichen, erlaubt sind höchstens {german(limit)}" in message
    assert snapshot() == before
    assert stored_anywhere(MARK) == []
    # The same archive within the limit is imported.
    portable.project_import(archive=io.BytesIO(data), by=office)
    assert LeadProject.objects.count() == before["projects.LeadProject"] + 1
