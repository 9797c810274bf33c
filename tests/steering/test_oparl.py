"""The committee as OParl 1.1, read as a client reads it.

The world is ``public_world`` of tests/steering/conftest.py, as on the public pages: a held meeting
with approved minutes, an adopted resolution about the public project, a free resolution for the
network, an adopted resolution about a team-only project; a planned meeting with a draft; one
delegate (Soest) agreed to public names, the others did not. Every object is validated against
its OParl 1.1 schema (tests/steering/oparl_schema, CC BY-SA 4.0).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator

from projects import services as project_services
from projects.models import Visibility
from steering import services
from steering.models import Proposal, PublishedObject
from tests.matrix import client_for
from tests.steering.conftest import MINUTES, open_meeting
from workspace import services as workspace_services
from workspace.personal_data import person_erase

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "oparl_schema"
OPARL = "https://schema.oparl.org/1.1/"
SYSTEM = "http://testserver/oparl/v1/"
# What only the committee (or the network) may know: never in OParl.
PRIVATE = (
    "Arne Arnsberg",  # a delegate without consent
    "Geheimer Beschluss",  # a team-only project's resolution
    "Vertrauliche Planung",  # that project
    "Netzwerkinterner Beschluss",  # a free resolution for the network
    "Vertrauliche Vorlage",  # a draft
    "Geplante Sitzung",  # a planned meeting
    "video.example.org",  # its video link
)


def _validator(kind: str) -> Draft4Validator:
    return Draft4Validator(json.loads((SCHEMAS / f"{kind}.json").read_text()))


VALIDATORS = {path.stem: _validator(path.stem) for path in SCHEMAS.glob("*.json")}


def _kind(obj: dict) -> str:
    assert obj["type"].startswith(OPARL), obj["type"]
    return obj["type"].removeprefix(OPARL)


def _validate(obj: dict) -> None:
    """The object and every object embedded in it, each against its own schema."""
    kind = _kind(obj)
    errors = [e.message for e in VALIDATORS[kind].iter_errors(obj)]
    assert not errors, f"{obj['id']}: {errors}"
    if obj.get("deleted"):
        assert set(obj) == {"id", "type", "created", "modified", "deleted"}, obj
    for value in obj.values():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict) and "type" in inner:
                _validate(inner)


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Walker:
    """A client that starts at the System object and goes wherever the links lead."""

    def __init__(self, limit: int | None = 2):
        self.client = client_for(None)
        self.limit = limit
        self.objects: dict[str, dict] = {}  # id → object, as its own URL gives it
        self.listed: dict[str, dict] = {}  # id → object, as its list gives it
        self.pages = 0

    def get(self, url: str, **extra) -> dict:
        response = self.client.get(_path(url), **extra)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json"), url
        assert response["Access-Control-Allow-Origin"] == "*"
        return response.json()

    def walk_list(self, url: str) -> list[dict]:
        if self.limit:
            url += ("&" if "?" in url else "?") + f"limit={self.limit}"
        found, seen_pages = [], set()
        while url:
            assert url not in seen_pages, url
            seen_pages.add(url)
            page = self.get(url)
            self.pages += 1
            assert set(page["links"]) >= {"first", "last"}
            assert page["pagination"]["elementsPerPage"] >= len(page["data"])
            found += page["data"]
            url = page["links"].get("next")
        return found

    def walk(self) -> None:
        system = self.get(SYSTEM)
        _validate(system)
        assert system["oparlVersion"] == OPARL
        self.objects[system["id"]] = system
        for body in self.walk_list(system["body"]):
            _validate(body)
            self.listed[body["id"]] = body
            lists = ("organization", "person", "meeting", "paper", "agendaItem", "consultation",
                     "file", "locationList", "legislativeTermList", "membership")  # fmt: skip
            for name in lists:
                for obj in self.walk_list(body[name]):
                    _validate(obj)
                    assert obj["id"] not in self.listed, f"{obj['id']} zweimal gelistet"
                    self.listed[obj["id"]] = obj
        for url in self.listed:
            self.objects[url] = self.get(url)
            assert self.objects[url] == self.listed[url], url

    def every_object(self):
        """Every object, embedded ones included."""

        def inner(obj):
            yield obj
            for value in obj.values():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and "type" in item:
                        yield from inner(item)

        for obj in self.objects.values():
            yield from inner(obj)


def _references(obj: dict):
    """(property, URL, the type it must point at or None) for every URL the object holds."""
    kind = _kind(obj)
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    for name, value in obj.items():
        spec = schema["properties"].get(name, {})
        refers = spec.get("references") or spec.get("items", {}).get("references")
        urls = value if isinstance(value, list) else [value]
        is_url = spec.get("format") == "url" or spec.get("items", {}).get("format") == "url"
        if name in ("meetings", "organizations", "persons", "papers", "bodies"):
            is_url, refers = True, name[:-1].capitalize()  # Location's back references
        if is_url and name != "id":
            for url in urls:
                if isinstance(url, str):
                    yield name, url, None if refers == "externalList" else refers


def test_a_client_walks_everything_and_every_object_is_valid_and_resolves(public_world):
    walker = Walker(limit=2)
    walker.walk()
    kinds = {_kind(o) for o in walker.every_object()}
    assert kinds == {
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
        "File",
        "Location",
    }  # fmt: skip  (no LegislativeTerm: the committee defines none)
    assert walker.pages > len(kinds)  # more than one page per list: links.next was followed

    anonymous = client_for(None)
    for obj in walker.every_object():
        for name, url, refers in _references(obj):
            if url.startswith("http://testserver/oparl/"):
                if name in ("accessUrl", "downloadUrl"):
                    response = anonymous.get(_path(url))
                    assert response.status_code == 200, url
                    assert response.content.decode() == obj["text"]
                    continue
                target = walker.objects.get(url) or walker.get(url)
                if refers and "data" not in target:
                    assert _kind(target) == refers, (obj["id"], name, url)
            else:
                # A page on the web or a printed document: the public may open it.
                response = anonymous.get(_path(url))
                assert response.status_code == 200, (obj["id"], name, url)
                if name == "accessUrl":
                    assert response["Content-Type"] == obj["mimeType"], url


def test_nothing_appears_that_the_public_pages_do_not_show(public_world):
    walker = Walker(limit=None)
    walker.walk()
    everything = json.dumps(list(walker.objects.values()), ensure_ascii=False)
    for private in PRIVATE:
        assert private not in everything, private
    assert "Sabine Soest" in everything  # who agreed is named
    anonymous = client_for(None)
    committee_page = anonymous.get(reverse("steering:committee")).content.decode()
    pages: dict[str, str] = {}
    for obj in walker.every_object():
        kind = _kind(obj)
        if kind == "Person":
            assert obj["name"] in committee_page, obj["name"]
        if "web" in obj and kind in ("Meeting", "AgendaItem", "Paper"):
            path = _path(obj["web"]).split("#")[0]
            if path not in pages:
                pages[path] = anonymous.get(path).content.decode()
            shown = obj.get("name", "")
            if kind == "AgendaItem" and not obj["public"]:
                assert obj["name"] == "Nicht öffentlicher Tagesordnungspunkt"
                continue
            assert shown in pages[path], (kind, shown)
        if kind == "Meeting" and "resultsProtocol" in obj:
            assert obj["resultsProtocol"]["text"] == MINUTES
            assert MINUTES in anonymous.get(_path(obj["web"])).content.decode()
    agenda = {o["id"]: o for o in walker.every_object() if _kind(o) == "AgendaItem"}.values()
    assert [o["public"] for o in sorted(agenda, key=lambda o: o["order"])] == [True, False, False]


def _since(walker: Walker, segment: str, moment: datetime.datetime) -> list[dict]:
    url = f"http://testserver/oparl/v1/{segment}/?modified_since={moment.isoformat()}"
    return walker.walk_list(url.replace("+", "%2B"))


def test_an_agreement_whose_project_becomes_team_only_returns_as_a_deleted_stub(
    public_world, coordinator
):
    walker = Walker(limit=None)
    papers = walker.walk_list("http://testserver/oparl/v1/paper/")
    assert [p["name"] for p in papers] == ["Datenplattform beschließen"]
    paper_url = papers[0]["id"]
    synced = timezone.now()

    project = public_world.extra["adopted"].project
    project_services.project_update(project=project, by=coordinator, visibility=Visibility.TEAM)

    changed = _since(walker, "paper", synced)
    assert [(p["id"], p.get("deleted")) for p in changed] == [(paper_url, True)]
    stub = changed[0]
    _validate(stub)
    assert stub["created"] == papers[0]["created"]
    assert datetime.datetime.fromisoformat(stub["modified"]) >= synced
    assert walker.get(paper_url) == stub  # its URL answers with the stub, never 404
    # Its consultation and file went with it; its agenda item lost its title.
    assert [c.get("deleted") for c in _since(walker, "consultation", synced)] == [True]
    document = f"vereinbarung-{public_world.extra['agreement'].pk}"
    assert {f["id"].split("/")[-2]: f.get("deleted") for f in _since(walker, "file", synced)} == {
        document: True,
        f"{document}-pdf": True,
    }
    [item] = _since(walker, "agendaitem", synced)
    assert (item["public"], item["name"]) == (False, "Nicht öffentlicher Tagesordnungspunkt")
    assert "consultation" not in item
    # A full list shows what is public now; the stub only to a client that syncs.
    assert walker.walk_list("http://testserver/oparl/v1/paper/") == []
    assert _since(walker, "meeting", timezone.now()) == []
    # Public again: the same object comes back, changed.
    project_services.project_update(project=project, by=coordinator, visibility=Visibility.PUBLIC)
    [back] = _since(walker, "paper", synced)
    assert back["id"] == paper_url and "deleted" not in back and back["created"] == stub["created"]


def test_a_person_who_withdraws_consent_or_is_erased_leaves_as_a_stub(public_world):
    walker = Walker(limit=None)
    soest = public_world.delegates["soest"]
    named = f"http://testserver/oparl/v1/person/{soest.pk}/"
    assert walker.get(named)["name"] == "Sabine Soest"
    synced = timezone.now()
    workspace_services.profile_update(
        user=soest, display_name=soest.display_name, public_name=False, language="de",
        mail_frequency=soest.mail_frequency,
    )  # fmt: skip
    people = {p["id"]: p for p in _since(walker, "person", synced)}
    assert people[named].get("deleted") is True
    seat = public_world.seats["soest"]
    unnamed = people[f"http://testserver/oparl/v1/person/sitz-{seat.pk}/"]
    assert unnamed["name"] == "Mitarbeiter*in der Stadt Soest" and unnamed["status"] == ["Soest"]
    [membership] = [
        m
        for m in _since(walker, "membership", synced)
        if m["id"].endswith(f"/membership/{seat.pk}/")
    ]
    assert membership["person"] == unnamed["id"]
    assert "Sabine Soest" not in json.dumps(walker.get(named))

    # Erasure takes a published name at once, before any client asks.
    olpe = public_world.chair
    olpe.display_name, olpe.public_name = "Otto Olpe", True
    olpe.save()
    walker.get(SYSTEM)
    assert PublishedObject.objects.get(kind="Person", ident=str(olpe.pk)).payload["name"] == (
        "Otto Olpe"
    )
    person_erase(olpe)
    record = PublishedObject.objects.get(kind="Person", ident=str(olpe.pk))
    assert record.deleted and record.payload == {}
    assert "Otto Olpe" not in json.dumps(list(PublishedObject.objects.values_list("payload")))


def test_reads_are_open_to_every_origin_without_credentials(public_world):
    client = client_for(public_world.delegate)  # logged in: OParl shows the public part still
    response = client.get(SYSTEM, HTTP_ORIGIN="https://ratsinfo.example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")
    meetings = client.get("/oparl/v1/meeting/").json()["data"]
    assert [m["name"] for m in meetings] == ["Sitzung des Steuerkreises"]
    preflight = client.options("/oparl/v1/meeting/", HTTP_ORIGIN="https://ratsinfo.example.org")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert client.post("/oparl/v1/meeting/").status_code == 405
    # A browser's POST from elsewhere learns the method is not taken, not a CSRF failure.
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/oparl/v1/meeting/", HTTP_ORIGIN="https://x.example").status_code == 405
    assert client.get("/oparl/v1/gibtsnicht/").status_code == 404
    assert client.get("/oparl/v1/meeting/999999/").status_code == 404
    bad = client.get("/oparl/v1/meeting/?modified_since=gestern")
    assert bad.status_code == 400 and "modified_since" in bad.json()["error"]


def test_created_and_modified_filters(public_world):
    walker = Walker(limit=None)
    walker.get(SYSTEM)
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat().replace("+", "%2B")
    base = "http://testserver/oparl/v1/meeting/"
    assert len(walker.walk_list(f"{base}?modified_until={later}")) == 1
    assert walker.walk_list(f"{base}?created_since={later}") == []
    assert len(walker.walk_list(f"{base}?created_until={later}")) == 1
    # The same moment with its "+" not encoded (as a space on arrival) means the same.
    assert len(walker.walk_list(f"{base}?modified_until={later.replace('%2B', '+')}")) == 1


def _measure(client, url: str) -> int:
    client.get(url)  # the first request records what became public since
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_lists_cost_the_same_for_few_and_many(public_world):
    client = client_for(None)
    lists = ["meeting", "agendaitem", "person", "membership", "paper", "file", "organization"]
    few = {name: _measure(client, f"/oparl/v1/{name}/") for name in lists}
    for n in range(6):
        point = services.proposal_create(
            by=public_world.delegate,
            kind=Proposal.Kind.FREE,
            title=f"Punkt {n}",
            text="…",
            project=public_world.extra["adopted"].project,
        )
        _meeting, [item] = open_meeting(public_world, point)
        for slug in ("arnsberg", "soest"):
            services.vote_cast(by=public_world.delegates[slug], item=item, choice="yes")
        services.vote_close(by=public_world.chair, item=item)
    many = {name: _measure(client, f"/oparl/v1/{name}/") for name in lists}
    assert many == few
    assert client.get("/oparl/v1/paper/").json()["pagination"]["totalElements"] == 7


def test_with_a_shared_cache_nothing_is_built_while_nothing_was_written(public_world, settings):
    settings.PAGE_CACHE = True  # the write stamp is shared by every process (workspace.pagecache)
    client = client_for(None)
    url = "/oparl/v1/person/"
    client.get(url)  # records what is public (a write)
    with CaptureQueriesContext(connection) as building:
        client.get(url)  # builds, finds nothing new, notes the write stamp
    with CaptureQueriesContext(connection) as quiet:
        client.get(url)
    assert len(building.captured_queries) > 2
    assert len(quiet.captured_queries) == 2  # the count and the page, nothing built

    soest = public_world.delegates["soest"]
    workspace_services.profile_update(
        user=soest, display_name=soest.display_name, public_name=False, language="de",
        mail_frequency=soest.mail_frequency,
    )  # fmt: skip
    names = [p["name"] for p in client.get(url).json()["data"]]
    assert "Sabine Soest" not in names and "Mitarbeiter*in der Stadt Soest" in names
