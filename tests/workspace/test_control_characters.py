"""Control characters and foreign encodings never reach the database (issue 20, finding 7).

Text fields refuse Unicode's control characters (C0, DEL and C1) other than tab, carriage
return and line feed, with „Der Text enthält unzulässige Steuerzeichen.“; a request whose body
declares another charset than UTF-8, or whose form data or query string is not valid UTF-8 or
holds NUL, is answered with 400 before any view runs, and nothing changes.
"""

from __future__ import annotations

import importlib
import io
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client

from projects import portable
from projects import services as project_services
from projects.coedit import services as coedit
from projects.models import Result, ResultCoeditState, TeamMembership
from tests.archives import exported, with_manifest
from tests.factories import UserFactory
from tests.projects.factories import lead_project
from workspace.forms import TextGuardMixin
from workspace.models import BarrierReport, Topic

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
MESSAGE = "Der Text enthält unzulässige Steuerzeichen."
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

# SOH and STX (the finding's title), DEL, NEL (C1, which str.strip() would take for a space),
# APC (the last C1), ESC (terminal escapes), a vertical tab.
REFUSED = {
    "SOH STX": "\x01\x02",
    "DEL": "\x7f",
    "NEL": "\x85",
    "APC": "\x9f",
    "ESC": "\x1b[31m",
    "VT": "\x0b",
}


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
        project=project, by=coordinator, title="Datenportal", body="Erste Fassung."
    )


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def new_result_url(project) -> str:
    return f"/leitprojekte/{project.slug}/ergebnisse/neu/"


def result_data(**fields) -> dict:
    return {
        "title": "Neues Ergebnis",
        "summary": "",
        "kind": "concept",
        "maturity": "draft",
        "body": "Text",
        **fields,
    }


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
    }


# --- forms -----------------------------------------------------------------------------------


@pytest.mark.parametrize("control", list(REFUSED.values()), ids=list(REFUSED))
@pytest.mark.parametrize("field", ["title", "summary", "body"])
def test_a_result_with_control_characters_is_refused_and_not_saved(project, editor, field, control):
    response = client_for(editor).post(
        new_result_url(project), result_data(**{field: f"Ampel{control}schaltung"})
    )

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Result.objects.filter(project=project).exists()


def test_tab_carriage_return_and_line_feed_are_text_a_form_feed_is_not(project, editor):
    client = client_for(editor)
    body = "Spalte\tWert\r\nZeile zwei\nZeile drei"

    refused = client.post(new_result_url(project), result_data(body=body + "\x0cSeite 2"))
    saved = client.post(new_result_url(project), result_data(body=body))

    assert MESSAGE in refused.content.decode()
    assert saved.status_code == 302
    assert Result.objects.get(project=project).body == body


def test_an_anonymous_barrier_report_with_control_characters_is_refused(db):
    response = Client().post(
        "/barrierefreiheit/", {"message": "Der Knopf\x1b[2J ist unsichtbar", "name": "Eva\x07"}
    )

    assert response.status_code in (200, 400)
    assert response.content.decode().count(MESSAGE) == 2
    assert not BarrierReport.objects.exists()


def test_a_search_with_control_characters_is_answered_with_the_message(db):
    response = Client().get("/suche/", {"q": "Daten\x01portal"})

    assert MESSAGE in response.content.decode()


def _project_forms() -> list[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if config.label in OUR_APPS:
            for module in ("forms", "views", "portable_views", "notification_views", "search"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError:
                    pass
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"workspace", "projects", "steering", "network"}:
            found.append(cls)
    return found


def test_every_form_of_the_project_guards_its_text_fields():
    """A form written tomorrow gets the guard from KernFormMixin, or fails here."""
    unguarded = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _project_forms()
        if any(isinstance(f, forms.CharField) for f in cls.base_fields.values())
        and not issubclass(cls, TextGuardMixin)
    ]
    assert len(_project_forms()) > 30
    assert unguarded == []


# --- the services, for whatever does not come through a form -----------------------------------


@pytest.mark.parametrize("control", list(REFUSED.values()), ids=list(REFUSED))
def test_a_service_refuses_control_characters_before_writing(result, editor, control):
    before = (result.history.count(), counts())

    with pytest.raises(ValidationError) as refused:
        project_services.result_update(
            result=result, by=editor, base_revision=1, body=f"Zweite{control}Fassung"
        )

    assert MESSAGE in refused.value.messages
    assert (result.history.count(), counts()) == before


# --- the request itself: charset, broken UTF-8, NUL --------------------------------------------


def _post_raw(client, url, body: bytes, content_type: str):
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize(
    "charset", ["latin-1", "iso-8859-15", "windows-1252", "utf-16", "x-unbekannt"]
)
def test_a_body_declared_in_another_charset_is_refused_with_400(project, editor, charset):
    body = urlencode(result_data(title="Straße"), encoding="latin-1").encode()
    before = counts()

    response = _post_raw(
        client_for(editor),
        new_result_url(project),
        body,
        f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    "broken",
    [b"Stra%DFe", "Straße".encode("latin-1"), b"%C3%28", b"%ED%A0%80"],
    ids=["escaped latin-1", "raw latin-1", "bad sequence", "surrogate"],
)
def test_invalid_utf8_in_a_form_body_is_refused_with_400(project, editor, broken):
    body = b"title=" + broken + b"&kind=concept&maturity=draft&body=Text"
    before = counts()

    response = _post_raw(
        client_for(editor), new_result_url(project), body, "application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert counts() == before


def multipart(title: bytes) -> bytes:
    """A new result's form as multipart/form-data (boundary ``grenze``), the title as given."""
    parts = [(b"title", title), (b"kind", b"concept"), (b"maturity", b"draft"), (b"body", b"Text")]
    return (
        b"".join(
            b'--grenze\r\nContent-Disposition: form-data; name="'
            + name
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
            for name, value in parts
        )
        + b"--grenze--\r\n"
    )


def test_invalid_utf8_in_a_multipart_field_is_refused_with_400(project, editor):
    before = counts()

    response = _post_raw(
        client_for(editor),
        new_result_url(project),
        multipart("Straße".encode("latin-1")),
        "multipart/form-data; boundary=grenze",
    )

    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
    assert counts() == before


def test_the_same_text_in_utf8_is_saved_declared_latin_1_it_is_not(project, editor):
    client = client_for(editor)

    refused = _post_raw(
        client,
        new_result_url(project),
        multipart("Straße".encode("latin-1")),
        "multipart/form-data; boundary=grenze; charset=latin-1",
    )
    saved = _post_raw(
        client,
        new_result_url(project),
        multipart("Straße".encode()),
        "multipart/form-data; boundary=grenze",
    )

    assert refused.status_code == 400
    assert saved.status_code == 302
    assert [r.title for r in Result.objects.filter(project=project)] == ["Straße"]


def test_nul_in_a_form_field_is_refused_with_400(project, editor):
    before = counts()

    response = client_for(editor).post(new_result_url(project), result_data(title="Ampel\x00"))

    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("query", ["q=Daten%00portal", "q=Stra%DFe", "q=%FF"])
def test_nul_or_broken_utf8_in_a_query_string_is_refused_with_400(db, query):
    response = Client().get(f"/suche/?{query}")

    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/leitprojekte/?topic=%00", "/einladung/ab%00cd/", "/steuerkreis/vereinbarungen/%00/"]
)
def test_nul_in_a_parameter_or_path_does_not_reach_the_database(db, url):
    response = Client().get(url)

    assert response.status_code == 400


# --- the import of a lead-project archive ------------------------------------------------------


def _spoiled(project, office, change) -> bytes:
    return with_manifest(exported(project, office), change)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("control", ["\x00", "\x01\x02", "\x9f"], ids=["NUL", "SOH STX", "APC"])
def test_the_import_refuses_control_characters(result, office, media, control):
    def spoil(manifest):
        manifest["results"][0]["versions"][0]["title"] = f"Daten{control}portal"

    data = _spoiled(result.project, office, spoil)
    before = counts()

    with pytest.raises(ValidationError) as refused:
        portable.project_import(archive=io.BytesIO(data), by=office)

    assert "unzulässige Steuerzeichen" in " ".join(refused.value.messages)
    assert "manifest.results[0].versions[0].title" in " ".join(refused.value.messages)
    assert counts() == before


def test_the_admin_refuses_control_characters_like_every_form(db):
    admin = UserFactory(username="verwaltung", is_staff=True, is_superuser=True)
    client = client_for(admin)

    refused = client.post(
        "/verwaltung/workspace/topic/add/",
        {"name": "Daten", "slug": "daten", "description": "Offene\x01Daten"},
    )
    saved = client.post(
        "/verwaltung/workspace/topic/add/",
        {"name": "Daten", "slug": "daten", "description": "Offene Daten"},
    )

    assert refused.status_code == 200
    assert MESSAGE in refused.content.decode()
    assert saved.status_code == 302
    assert [t.description for t in Topic.objects.filter(slug="daten")] == ["Offene Daten"]


def test_a_co_edited_text_is_saved_without_its_control_characters(result, editor):
    """A CRDT update cannot be refused; the version written from the room leaves them out,
    and the room's state follows the saved text."""
    state = coedit.coedit_state_open(kind="result", pk=result.pk)
    doc, text = coedit.doc_from(state)
    text.insert(len(str(text)), "\nZweite\x01 Fassung\x9f\tmit Tab")
    coedit.coedit_state_save(
        kind="result",
        pk=result.pk,
        state=doc.get_update(),
        authors=[editor.pk],
        last_editor_id=editor.pk,
    )

    revision = coedit.coedit_version_write(kind="result", pk=result.pk, rule=coedit.Rule.REQUESTED)

    result.refresh_from_db()
    assert revision == 2
    assert result.body == "Erste Fassung.\nZweite Fassung\tmit Tab"
    stored = coedit.text_of(bytes(ResultCoeditState.objects.get(pk=result.pk).state))
    assert stored == result.body
