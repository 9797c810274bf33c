"""Co-editing of living results and guides: rooms, relay, persistence, versions and access.

Clients here are real Yjs peers (pycrdt documents) speaking y-protocols over Channels'
WebsocketCommunicator to the real ASGI application. "Two processes" are two hubs on one
channel layer, each with its own channel, as two server processes would have. Tests that
take the ``kind`` fixture run for results and for guides alike (``world(kind=...)``).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import random
import threading

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from pycrdt import YSyncMessageType

from network.guides import services as guide_services
from network.guides.models import Guide, GuideCoeditState
from projects import services
from projects.coedit import protocol
from projects.coedit.kinds import room_key
from projects.coedit.rooms import Hub, hub
from projects.coedit.services import (
    coedit_state_open,
    doc_from,
    text_of,
)
from projects.models import Result, ResultCoeditState, TeamMembership
from tests.factories import MembershipFactory, MunicipalityFactory
from workspace.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.COEDIT_SAVE_DELAY = 0.2
    settings.COEDIT_SAVE_MAX_INTERVAL = 1.0
    settings.COEDIT_VERSION_IDLE = 60.0
    settings.COEDIT_EXCHANGE_INTERVAL = 60.0


@pytest_asyncio.fixture(autouse=True)
async def _stop_hubs():
    extra: list[Hub] = []
    yield extra
    for one in [hub(), *extra]:
        await one.stop()
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def world(visibility="team", body="# Felder\n\nJahr", kind="result"):
    """People and one text of ``kind``. Results: a project (``visibility``) whose team is the
    coordinator, three editors and an observer; the outsider is a member of the network
    outside the team. Guides: a published guide whose authors are the coordinator and the
    three editors; the observer and the outsider are members who read it."""
    if kind == "guide":
        return _guide_world(body)
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True)
    coordinator = MembershipFactory(municipality=menden, user__display_name="Mehmet Mertens").user
    editor = MembershipFactory(user__display_name="Ida Imhoff").user
    observer = MembershipFactory(user__display_name="Olga Ohm").user
    third = MembershipFactory(user__display_name="Till Tacke").user
    fourth = MembershipFactory(user__display_name="Vera Vogt").user
    outsider = MembershipFactory(user__display_name="Bernd Brüggemann").user
    project = services.project_create(
        by=coordinator, title="Plattform", summary="-", lead_municipality=menden,
        visibility=visibility,
    )  # fmt: skip
    for user in (editor, third, fourth):
        services.team_member_add(project=project, by=coordinator, user=user, role="editor")
    services.team_member_add(project=project, by=coordinator, user=observer, role="observer")
    result = services.result_create(
        project=project, by=coordinator, title="Datenmodell", body=body, maturity="tested"
    )
    return {
        "kind": "result",
        "text": result,
        "path": f"/ws/leitprojekte/{project.slug}/ergebnisse/{result.pk}/gemeinsam/",
        "project": project,
        "result": result,
        "coordinator": coordinator,
        "editor": editor,
        "third": third,
        "fourth": fourth,
        "observer": observer,
        "outsider": outsider,
    }


def _guide_world(body: str) -> dict:
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True)
    coordinator = MembershipFactory(municipality=menden, user__display_name="Mehmet Mertens").user
    editor = MembershipFactory(user__display_name="Ida Imhoff").user
    observer = MembershipFactory(user__display_name="Olga Ohm").user
    third = MembershipFactory(user__display_name="Till Tacke").user
    fourth = MembershipFactory(user__display_name="Vera Vogt").user
    outsider = MembershipFactory(user__display_name="Bernd Brüggemann").user
    guide = guide_services.guide_create(
        by=coordinator, title="Datenmodell", summary="-", body=body or ".",
        status="published", published_in=datetime.date(2026, 3, 1),
        authors=[coordinator, editor, third, fourth],
    )  # fmt: skip
    if not body:
        # A published guide needs a text; the tests that start from none start from one
        # emptied outside the services (as a guide from before that rule).
        Guide.objects.filter(pk=guide.pk).update(body="")
        guide.body = ""
    return {
        "kind": "guide",
        "text": guide,
        "path": f"/ws/leitfaeden/{guide.slug}/gemeinsam/",
        "guide": guide,
        "coordinator": coordinator,
        "editor": editor,
        "third": third,
        "fourth": fourth,
        "observer": observer,
        "outsider": outsider,
    }


def text_model(w):
    return Result if w["kind"] == "result" else Guide


@sync_to_async
def hide(w, body: str | None = None) -> None:
    """Through the kind's service, the text goes where only its editors read it: a result
    back to draft, a guide back to planned (with ``body``, if given, in the same save)."""
    extra = {} if body is None else {"body": body}
    current = text_model(w).objects.get(pk=w["text"].pk)
    if w["kind"] == "result":
        services.result_update(
            result=current, by=w["coordinator"], base_revision=current.revision,
            maturity="draft", **extra,
        )  # fmt: skip
    else:
        guide_services.guide_update(
            guide=current, by=w["coordinator"], base_revision=current.revision,
            status="planned", **extra,
        )  # fmt: skip


@sync_to_async
def hide_silently(w) -> None:
    """The same, written past every service (as access ends by date): nobody is told."""
    if w["kind"] == "result":
        Result.objects.filter(pk=w["text"].pk).update(maturity="draft")
    else:
        Guide.objects.filter(pk=w["text"].pk).update(status="planned")


@sync_to_async
def demote(w, user) -> None:
    """``user`` may still read the text but no longer edit it: an editor of the project
    becomes an observer, an author of the guide is no longer named."""
    if w["kind"] == "result":
        membership = TeamMembership.objects.get(project=w["project"], user=user)
        services.team_member_change_role(
            membership=membership, by=w["coordinator"], role="observer"
        )
    else:
        guide = Guide.objects.get(pk=w["text"].pk)
        authors = [a.person for a in guide.authorships.all() if a.person_id != user.pk]
        guide_services.guide_update(
            guide=guide, by=w["coordinator"], base_revision=guide.revision, authors=authors
        )


@sync_to_async
def form_save(w, body: str) -> None:
    """A save of the text through the kind's form service (not the room)."""
    current = text_model(w).objects.get(pk=w["text"].pk)
    if w["kind"] == "result":
        services.result_update(
            result=current, by=w["coordinator"], base_revision=current.revision, body=body
        )
    else:
        guide_services.guide_update(
            guide=current, by=w["coordinator"], base_revision=current.revision, body=body
        )


def room_of(w):
    return hub().rooms.get(room_key(w["kind"], w["text"].pk))


@sync_to_async
def cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def with_hub(other: Hub):
    """The application as another server process would run it: its own hub."""

    async def app(scope, receive, send):
        return await application({**scope, "coedit_hub": other}, receive, send)

    return app


class Peer:
    """A Yjs client: a document of its own, synced over the co-editing socket."""

    def __init__(self, socket: WebsocketCommunicator) -> None:
        self.socket = socket
        self.doc, self.text = doc_from(b"")
        self.sent: set[bytes] = set()
        self.received: list[bytes] = []
        self.controls: list[dict] = []
        self.awareness: dict[int, dict | None] = {}
        self.closed: int | None = None

    async def send_update(self, update: bytes) -> None:
        self.sent.add(update)
        await self.socket.send_to(bytes_data=protocol.create_update_message(update))

    async def insert(self, index: int, value: str) -> None:
        before = self.doc.get_state()
        self.text.insert(index, value)
        await self.send_update(self.doc.get_update(before))

    async def handle(self, message: dict) -> None:
        if message["type"] == "websocket.close":
            self.closed = message.get("code")
            return
        data = message.get("bytes")
        if not data:
            return
        if data[0] == protocol.SYNC:
            kind = protocol.sync_kind(data)
            payload = protocol.read_payload(data, 2)
            if kind == YSyncMessageType.SYNC_STEP1:
                reply = protocol.create_sync_step2_message(self.doc.get_update(payload))
                await self.socket.send_to(bytes_data=reply)
            else:
                self.received.append(payload)
                self.doc.apply_update(payload)
        elif data[0] == protocol.AWARENESS:
            for client, _clock, state in protocol.decode_awareness(protocol.read_payload(data, 1)):
                self.awareness[client] = json.loads(state)
        elif data[0] == protocol.CONTROL:
            self.controls.append(protocol.read_control(data))

    async def _next(self, seconds: float) -> bool:
        """Handle the next message if one arrives within ``seconds`` (without cancelling the
        application, as ``receive_output`` does on a timeout)."""
        if self.socket.output_queue.empty():
            if await self.socket.receive_nothing(seconds, interval=0.002):
                return False
        await self.handle(self.socket.output_queue.get_nowait())
        return True

    async def pump(self, seconds: float = 0.05) -> None:
        """Handle what has arrived, waiting at most ``seconds`` for each next message."""
        while self.closed is None and await self._next(seconds):
            pass

    async def until(self, condition, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                await self._next(0.05)

    async def control(self, event: str, timeout: float = 5.0) -> dict:
        await self.until(lambda: any(c["event"] == event for c in self.controls), timeout)
        return next(c for c in self.controls if c["event"] == event)

    async def close(self) -> None:
        await self.socket.disconnect()


def socket_for(w, *headers, app=application, path=None):
    return WebsocketCommunicator(app, path or w["path"], headers=list(headers))


def missing_path(w) -> str:
    """The socket path of a text that does not exist, in the kind's own form."""
    if w["kind"] == "result":
        return f"/ws/leitprojekte/{w['project'].slug}/ergebnisse/999999/gemeinsam/"
    return "/ws/leitfaeden/gibt-es-nicht/gemeinsam/"


async def join(w, user, app=application) -> Peer:
    peer = Peer(socket_for(w, ORIGIN, (b"cookie", await cookie(user)), app=app))
    ok, code = await peer.socket.connect()
    assert ok, code
    await peer.socket.send_to(bytes_data=protocol.create_sync_step1_message(b"\x00"))
    await peer.control("welcome")
    await peer.until(lambda: str(peer.text) != "" or True)
    await peer.pump()
    return peer


async def refused_with(socket: WebsocketCommunicator) -> int:
    ok, _ = await socket.connect()
    assert ok, "refusals are accepted first, then closed (y-websocket would retry forever)"
    assert not await socket.receive_nothing(2)
    message = socket.output_queue.get_nowait()
    assert message["type"] == "websocket.close"
    return message["code"]


@database_sync_to_async
def stored(w) -> tuple[str, str, int]:
    """The text in the Yjs state row, the text's body, and how many versions it has."""
    states = ResultCoeditState if w["kind"] == "result" else GuideCoeditState
    row = states.objects.get(pk=w["text"].pk)
    text = text_model(w).objects.get(pk=w["text"].pk)
    return text_of(bytes(row.state)), text.body, text.history.count()


async def settle(*peers: Peer, rounds: int = 5) -> None:
    for _ in range(rounds):
        for peer in peers:
            await peer.pump(0.05)


# --- 1: concurrent inserts --------------------------------------------------------------------


async def test_four_editors_200_concurrent_inserts_each_converge_and_none_hears_itself(kind):
    w = await world(body="Anfang>", kind=kind)
    users = [w["coordinator"], w["editor"], w["third"], w["fourth"]]
    peers = [await join(w, user) for user in users]
    for peer in peers:
        await peer.until(lambda p=peer: str(p.text) == "Anfang>")

    async def type_into(peer: Peer, mark: str) -> None:
        rng = random.Random(mark)
        for n in range(200):
            # Anywhere between two inserts, so no insert splits another one.
            text = str(peer.text)
            boundaries = [0] + [i + 1 for i, char in enumerate(text) if char == ">"]
            await peer.insert(rng.choice(boundaries), f"<{mark}{n}>")
            if n % 20 == 0:
                await peer.pump(0.001)

    await asyncio.gather(*(type_into(peer, mark) for peer, mark in zip(peers, "ABCD", strict=True)))
    expected = len("Anfang>") + sum(len(f"<{m}{n}>") for m in "ABCD" for n in range(200))
    for peer in peers:
        await peer.until(lambda p=peer: len(str(p.text)) == expected, timeout=20)
    texts = {str(peer.text) for peer in peers}
    assert len(texts) == 1
    text = texts.pop()
    for mark in "ABCD":
        for n in range(200):
            assert f"<{mark}{n}>" in text
    for peer in peers:
        assert not peer.sent & set(peer.received), "a sender got its own update back"

    for peer in peers:
        await peer.close()
    state_text, body, versions = await stored(w)
    assert state_text == text
    assert body == text
    assert versions == 2  # created, then one version as the room closed


# --- 2: late joiners, leaving, legacy text ---------------------------------------------------


async def test_late_joiner_gets_the_document_and_it_survives_everyone_leaving(kind):
    w = await world(body="Erste Zeile", kind=kind)
    first = await join(w, w["editor"])
    await first.until(lambda: str(first.text) == "Erste Zeile")
    await first.insert(len(str(first.text).encode()), "\nZweite Zeile")
    await asyncio.sleep(0.3)
    late = await join(w, w["coordinator"])
    await late.until(lambda: str(late.text) == "Erste Zeile\nZweite Zeile")
    await first.close()
    await late.close()
    assert not hub().rooms, "the room closes when everyone left"

    again = await join(w, w["third"])
    await again.until(lambda: str(again.text) == "Erste Zeile\nZweite Zeile")
    await again.close()


async def test_two_processes_opening_a_legacy_text_at_once_seed_it_once(_stop_hubs, kind):
    w = await world(body="Alter Text ohne Yjs-Zustand", kind=kind)
    other = Hub()
    _stop_hubs.append(other)
    a, b = await asyncio.gather(
        join(w, w["editor"]), join(w, w["coordinator"], app=with_hub(other))
    )
    for peer in (a, b):
        await peer.until(lambda p=peer: str(p.text) == "Alter Text ohne Yjs-Zustand")
    await settle(a, b)
    assert str(a.text) == str(b.text) == "Alter Text ohne Yjs-Zustand"
    await a.close()
    await b.close()


async def test_seeding_from_two_threads_at_once_makes_one_state(kind):
    w = await world(body="Einmal", kind=kind)
    await asyncio.to_thread(_seed_from_two_threads, w)


def _seed_from_two_threads(w):
    barrier = threading.Barrier(2)
    states: list[bytes] = []

    def open_it():
        barrier.wait()
        try:
            states.append(coedit_state_open(kind=w["kind"], pk=w["text"].pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    doc, text = doc_from(b"")
    for state in states:
        doc.apply_update(state)
    assert str(text) == "Einmal"
    states = ResultCoeditState if w["kind"] == "result" else GuideCoeditState
    assert states.objects.count() == 1
    connections.close_all()


# --- 3: refusals and viewers ------------------------------------------------------------------


async def test_who_may_open_the_socket_and_who_may_not(kind):
    """The socket's permission rows, for both kinds: editors edit, readers follow
    read-only; anonymous 4401; a text hidden from the person, and one that does not exist,
    4403 alike; a foreign Origin is refused at the handshake."""
    w = await world(visibility="team", kind=kind)
    editor = await join(w, w["editor"])
    assert (await editor.control("welcome"))["can_edit"] is True
    reader = await join(w, w["observer"])
    assert (await reader.control("welcome"))["can_edit"] is False
    await editor.close()
    await reader.close()

    assert await refused_with(socket_for(w, ORIGIN)) == 4401
    if kind == "guide":
        await hide(w)  # planned: its authors' and the office's only
    outsider = (b"cookie", await cookie(w["outsider"]))
    assert await refused_with(socket_for(w, ORIGIN, outsider)) == 4403
    editor_cookie = (b"cookie", await cookie(w["editor"]))
    assert await refused_with(socket_for(w, ORIGIN, editor_cookie, path=missing_path(w))) == 4403
    foreign = socket_for(w, (b"origin", b"https://boese.example"), editor_cookie)
    ok, _ = await foreign.connect()
    assert not ok, "a foreign Origin is refused at the handshake"


async def test_a_viewers_updates_are_dropped_while_the_viewer_sees_the_others(kind):
    w = await world(body="Text", kind=kind)
    viewer = await join(w, w["observer"])
    assert (await viewer.control("welcome"))["can_edit"] is False
    writer = await join(w, w["editor"])
    await viewer.insert(0, "VIEWER ")
    await writer.insert(len("Text"), " und mehr")
    await viewer.until(lambda: "und mehr" in str(viewer.text))
    await settle(writer, viewer)
    assert str(writer.text) == "Text und mehr"
    await writer.close()
    await viewer.close()
    state_text, body, _ = await stored(w)
    assert "VIEWER" not in state_text and "VIEWER" not in body


async def test_cursor_names_are_set_by_the_server(kind):
    w = await world(kind=kind)
    watcher = await join(w, w["coordinator"])
    liar = await join(w, w["editor"])
    fake = json.dumps({"user": {"name": "Geschäftsstelle", "color": "#000"}, "cursor": None})
    update = protocol.encode_awareness([(4242, 1, fake)])
    await liar.socket.send_to(bytes_data=protocol.awareness_message(update))
    await watcher.until(lambda: 4242 in watcher.awareness)
    assert watcher.awareness[4242]["user"]["name"] == "Ida Imhoff"
    # Echoed to the sender too (y-websocket drops a socket that hears nothing for 30 s).
    await liar.until(lambda: 4242 in liar.awareness)
    await liar.close()
    await watcher.until(lambda: watcher.awareness.get(4242, 1) is None)
    await watcher.close()


async def test_a_revoked_role_closes_the_socket():
    w = await world()
    peer = await join(w, w["editor"])

    @sync_to_async
    def remove():
        membership = TeamMembership.objects.get(project=w["project"], user=w["editor"])
        services.team_member_remove(membership=membership, by=w["coordinator"])

    await remove()
    await peer.until(lambda: peer.closed is not None)
    assert peer.closed == 4403


# --- versions ---------------------------------------------------------------------------------


async def test_version_rules_author_co_authors_and_one_row_per_firing(settings, kind):
    w = await world(body="Start", kind=kind)
    a = await join(w, w["editor"])
    b = await join(w, w["coordinator"])
    await a.insert(len("Start"), " A")
    await b.until(lambda: str(b.text) == "Start A")
    await b.insert(len("Start A"), " B")
    await a.until(lambda: str(a.text) == "Start A B")

    await a.socket.send_to(bytes_data=protocol.control_message({"action": "version"}))
    saved = await a.control("saved")
    assert saved["revision"] == 2
    await b.until(lambda: any(c == {"event": "version", "revision": 2} for c in b.controls))
    # Asked again with nothing new: no second row.
    a.controls.clear()
    await a.socket.send_to(bytes_data=protocol.control_message({"action": "version"}))
    assert (await a.control("saved"))["revision"] is None

    @database_sync_to_async
    def last_version():
        text = text_model(w).objects.get(pk=w["text"].pk)
        row = text.history.select_related("history_user").first()
        return (
            row.revision,
            row.body,
            row.history_user.get_display_name(),
            row.history_change_reason,
        )

    revision, body, author, reason = await last_version()
    assert (revision, body, author) == (2, "Start A B", "Mehmet Mertens")
    assert "Version speichern" in reason
    assert "Ida Imhoff" in reason and "Mehmet Mertens" in reason

    settings.COEDIT_VERSION_IDLE = 0.3
    await b.insert(0, "> ")
    await a.until(lambda: str(a.text) == "> Start A B")
    await a.until(lambda: any(c.get("revision") == 3 for c in a.controls), timeout=5)
    revision, body, author, reason = await last_version()
    assert (revision, body, author) == (3, "> Start A B", "Mehmet Mertens")
    assert "Pause" in reason and "Ida Imhoff" not in reason
    await a.close()
    await b.close()
    # Closing with nothing changed since: no further version.
    assert (await stored(w))[2] == 3


async def test_version_speichern_with_a_note_writes_the_note_into_the_version(kind):
    w = await world(body="Start", kind=kind)
    a = await join(w, w["editor"])
    await a.insert(len("Start"), " mit Notiz")
    await a.socket.send_to(
        bytes_data=protocol.control_message({"action": "version", "note": "  Kapitel 3 ergänzt "})
    )
    assert (await a.control("saved"))["revision"] == 2

    @database_sync_to_async
    def versions():
        text = text_model(w).objects.get(pk=w["text"].pk)
        return list(text.history.values_list("body", "history_change_reason"))

    body, reason = (await versions())[0]
    assert body == "Start mit Notiz"
    assert reason.startswith("Kapitel 3 ergänzt (Gemeinsam bearbeitet, „Version speichern“")
    assert "Ida Imhoff" in reason
    assert len(await versions()) == 2, "one version, carrying the note"
    await a.close()


async def test_form_save_is_applied_to_the_yjs_state_and_to_open_rooms(kind):
    w = await world(body="Eins\nZwei", kind=kind)
    peer = await join(w, w["editor"])
    await peer.until(lambda: str(peer.text) == "Eins\nZwei")
    await form_save(w, "Eins\nZwei und drei\nÄnderung")
    await peer.until(lambda: str(peer.text) == "Eins\nZwei und drei\nÄnderung")
    await peer.close()
    state_text, body, versions = await stored(w)
    assert state_text == body == "Eins\nZwei und drei\nÄnderung"
    assert versions == 2


async def test_form_save_without_an_open_room_changes_the_state_as_a_diff(kind):
    w = await world(body="Alt", kind=kind)
    peer = await join(w, w["editor"])
    await peer.close()
    await form_save(w, "Alt und neu")
    again = await join(w, w["third"])
    await again.until(lambda: str(again.text) == "Alt und neu")
    await again.close()


# --- 6: two processes -------------------------------------------------------------------------


async def test_two_processes_relay_converge_and_repair_a_dropped_message(_stop_hubs, kind):
    w = await world(body="Basis", kind=kind)
    other = Hub()
    _stop_hubs.append(other)
    a = await join(w, w["editor"])
    b = await join(w, w["coordinator"], app=with_hub(other))
    await a.insert(0, "A ")
    await b.until(lambda: str(b.text) == "A Basis")
    await b.insert(len("A Basis"), " B")
    await a.until(lambda: str(a.text) == "A Basis B")

    # A message the layer drops (a full channel, a Redis restart) ...
    real_publish = other.publish

    async def drop(group, message):
        if message["type"] != "coedit.update":
            await real_publish(group, message)

    other.publish = drop
    await b.insert(0, "verloren? ")
    await a.pump(0.3)
    assert "verloren?" not in str(a.text)
    other.publish = real_publish
    # ... is repaired by the next exchange of state vectors.
    await hub().exchange_now()
    await a.until(lambda: str(a.text) == "verloren? A Basis B", timeout=2)
    await a.close()
    await b.close()
    state_text, body, versions = await stored(w)
    assert state_text == body == "verloren? A Basis B"
