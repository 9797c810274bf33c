"""What the API does beyond who may: stale saves, ETags, tokens that stop, names, languages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from projects import services
from projects.models import Result, TeamMembership, Visibility
from tests.projects.factories import lead_project
from workspace import services as workspace_services
from workspace.api import services as token_services
from workspace.api.models import AccessToken
from workspace.models import Membership
from workspace.personal_data import person_erase

pytestmark = pytest.mark.django_db


def _token(user, scope=AccessToken.Scope.WRITE) -> str:
    _row, token = token_services.access_token_create(
        user=user,
        name="Test",
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    return token


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def project(coordinator, editor, menden):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        visibility=Visibility.PUBLIC,
        team=[(editor, TeamMembership.Role.EDITOR)],
    )


@pytest.fixture
def result(project, editor):
    result = services.result_create(
        project=project,
        by=editor,
        title="Datenmodell",
        body="Erste Fassung.",
        maturity=Result.Maturity.TESTED,
    )
    services.result_update(result=result, by=editor, base_revision=1, body="Zweite Fassung.")
    return result


def _patch(client, result, token, **data):
    return client.patch(
        f"/api/v1/ergebnisse/{result.pk}/",
        json.dumps(data),
        content_type="application/json",
        **_auth(token),
    )


def test_a_stale_update_gets_409_with_both_texts_and_writes_nothing(client, result, editor):
    token = _token(editor)
    history = result.history.count()
    response = _patch(client, result, token, base_revision=1, body="Meine Fassung.", note="x")
    assert response.status_code == 409
    data = response.json()
    assert data["current_revision"] == 2
    assert data["current"]["body"] == "Zweite Fassung."
    assert data["yours"]["body"] == "Meine Fassung."
    assert "-Zweite Fassung." in data["diff"] and "+Meine Fassung." in data["diff"]
    result.refresh_from_db()
    assert (result.revision, result.body) == (2, "Zweite Fassung.")
    assert result.history.count() == history


def test_an_update_is_a_version_by_the_token_s_person_with_its_note(client, result, editor):
    response = _patch(
        client, result, _token(editor), base_revision=2, body="Dritte.", note="per API"
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 3
    newest = result.history.order_by("-revision").first()
    assert (newest.revision, newest.body, newest.history_user, newest.history_change_reason) == (
        3,
        "Dritte.",
        editor,
        "per API",
    )
    # The same save again changes nothing and writes no version.
    again = _patch(client, result, _token(editor), base_revision=3, body="Dritte.")
    assert again.status_code == 200 and again.json()["revision"] == 3


def test_a_bad_update_is_refused_with_the_reason_and_writes_nothing(client, result, editor):
    response = _patch(client, result, _token(editor), base_revision=2, title="")
    assert response.status_code == 400
    assert "title" in response.json()
    result.refresh_from_db()
    assert result.revision == 2


def test_the_session_writes_only_with_its_csrf_token(result, editor):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    url = f"/api/v1/ergebnisse/{result.pk}/"
    body = json.dumps({"base_revision": 2, "body": "Aus dem Browser."})
    refused = browser.patch(url, body, content_type="application/json")
    assert refused.status_code == 403
    from django.conf import settings

    browser.get("/konto/")
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
    allowed = browser.patch(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert allowed.status_code == 200 and allowed.json()["revision"] == 3


def test_single_objects_carry_an_etag_and_answer_304_while_unchanged(client, result, editor):
    url = f"/api/v1/ergebnisse/{result.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.result_update(result=result, by=editor, base_revision=2, body="Neu.")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_names_follow_the_public_name_rule(client, result, editor, outsider):
    editor.public_name = False
    editor.save()
    url = f"/api/v1/ergebnisse/{result.pk}/versionen/"
    anonymous = client.get(url).json()["results"][0]["author"]
    assert anonymous == "Mitarbeiter*in der Stadt Iserlohn"
    member = client.get(url, **_auth(_token(outsider))).json()["results"][0]["author"]
    assert member == editor.get_display_name()
    team = client.get(f"/api/v1/leitprojekte/{result.project.slug}/").json()["team"]
    assert editor.get_display_name() not in json.dumps(team)


@pytest.mark.parametrize(
    "end",
    ["offboarded", "erased", "revoked", "expired"],
)
def test_a_token_stops_at_once(client, result, editor, office, end):
    token = _token(editor)
    url = f"/api/v1/ergebnisse/{result.pk}/"
    assert client.get(url, **_auth(token)).status_code == 200
    row = AccessToken.objects.get(user=editor)
    if end == "offboarded":
        membership = Membership.objects.get(user=editor)
        workspace_services.membership_end(membership=membership, by=office)
        row.refresh_from_db()
        assert row.revoked_at is not None
    elif end == "erased":
        person_erase(editor)
        assert not AccessToken.objects.filter(pk=row.pk).exists()
    elif end == "revoked":
        token_services.access_token_revoke(token=row, by=editor)
    else:
        AccessToken.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    refused = client.get(url, **_auth(token))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_read_only_token_reads_but_never_writes(client, result, editor):
    token = _token(editor, AccessToken.Scope.READ)
    assert client.get(f"/api/v1/ergebnisse/{result.pk}/", **_auth(token)).status_code == 200
    response = _patch(client, result, token, base_revision=2, body="Nein.")
    assert response.status_code == 403
    assert response.json()["detail"] == "Dieser Zugang darf nur lesen."
    result.refresh_from_db()
    assert result.revision == 2


def test_tokens_record_their_last_use_and_are_stored_only_as_a_hash(client, editor):
    token = _token(editor)
    row = AccessToken.objects.get(user=editor)
    assert row.last_used_at is None
    assert token not in json.dumps(list(AccessToken.objects.values()), default=str)
    client.get("/api/v1/kommunen/", **_auth(token))
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_forged_token_with_a_known_prefix_is_refused(client, editor):
    token = _token(editor)
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    assert client.get("/api/v1/kommunen/", **_auth(forged)).status_code == 401


def test_the_schema_speaks_german_and_english(client):
    german = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="de").json()
    english = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    field = ("components", "schemas", "Result", "properties", "title", "description")

    def pick(schema):
        for key in field:
            schema = schema[key]
        return schema

    assert pick(german) == "Titel"
    assert pick(english) == "Title"


def test_list_filters_are_the_page_s(client, project, coordinator, menden, brilon):
    from tests.factories import TopicFactory

    topic = TopicFactory(name="Daten", slug="daten")
    project.topics.add(topic)
    other = lead_project(
        coordinator=coordinator, lead=menden, title="Beteiligung", visibility=Visibility.PUBLIC
    )

    def slugs(query: str) -> set[str]:
        return {p["slug"] for p in client.get(f"/api/v1/leitprojekte/{query}").json()["results"]}

    assert slugs("") == {project.slug, other.slug}
    assert slugs("?topic=daten") == {project.slug}
    assert slugs("?status=idea&municipality=menden") == {project.slug, other.slug}
    assert slugs("?status=running") == set()
    assert slugs("?municipality=brilon") == set()
    assert client.get("/api/v1/leitprojekte/?status=quatsch").status_code == 400


def test_each_token_is_throttled_on_its_own(client, editor, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "3/min"}
    first, second = _token(editor), _token(editor)
    answers = [client.get("/api/v1/kommunen/", **_auth(first)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/kommunen/", **_auth(second)).status_code == 200


def test_register_and_cancel_for_a_date(client, outsider, office):
    from network.dates import services as dates
    from network.dates.models import Appointment

    start = timezone.now() + datetime.timedelta(days=10)
    meeting = dates.appointment_create(
        by=office,
        kind=Appointment.Kind.KLASSENTREFFEN,
        title="Klassentreffen",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        place="Rathaus Brilon",
        capacity=10,
    )
    url = f"/api/v1/termine/{meeting.pk}/anmeldung/"
    token = _auth(_token(outsider))
    created = client.post(url, **token)
    assert created.status_code == 201 and created.json()["status"] == "confirmed"
    assert meeting.registrations.active().filter(user=outsider).exists()
    cancelled = client.delete(url, **token)
    assert cancelled.status_code == 200
    assert not meeting.registrations.active().filter(user=outsider).exists()


def test_adoptions_name_their_source_version(client, result, coordinator, outsider, brilon):
    template = services.template_publish(
        result=result, by=coordinator, licence="cc0", recommended_revision=1
    )
    services.adoption_create(template=template, municipality=brilon, by=outsider)
    token = _auth(_token(outsider))
    adoption = client.get("/api/v1/nachnutzungen/", **token).json()["results"][0]
    assert (adoption["municipality"], adoption["source_result"], adoption["source_revision"]) == (
        "brilon",
        result.pk,
        1,
    )
    detail = client.get(f"/api/v1/vorlagen/{template.pk}/", **token).json()
    assert [a["copy"] for a in detail["adoptions"]] == [adoption["copy"]]
    # The copy is a result of its own, read through the copy's own access rule.
    copy = client.get(f"/api/v1/ergebnisse/{adoption['copy']}/", **token).json()
    assert copy["municipality"] == "brilon" and copy["body"] == "Erste Fassung."
