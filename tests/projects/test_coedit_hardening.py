"""Issue 20, co-editing: what an attacker on the network found, each closed at the root.

Garbage frames close only the socket that sent them and leave no dead socket in the room;
frames are limited in size and rate; unknown socket paths are refused without an error in
the log; hidden and missing texts are refused alike; a text pushed over the limit is
trimmed for everyone; and a socket closes the moment its person loses the right to read.
Clients are real Yjs peers over Channels' communicator (see ``test_coediting.py``). Every
rule holds for each kind of co-edited text (issue 21): the tests that take ``kind`` run for
a living result and for a guide.
"""

from __future__ import annotations

import asyncio
import datetime
import logging

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from projects import services
from projects.coedit import protocol, rooms
from projects.coedit.rooms import Hub, hub
from projects.models import LeadProject
from tests.projects.test_coediting import (  # noqa: F401 – the fixtures are used by name
    ORIGIN,
    Peer,
    _fast,
    _stop_hubs,
    cookie,
    demote,
    hide,
    hide_silently,
    join,
    missing_path,
    refused_with,
    room_of,
    settle,
    socket_for,
    stored,
    with_hub,
    world,
)
from workspace.asgi import application
from workspace.limits import LONG_TEXT_MAX

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def room_sockets(w) -> int:
    room = room_of(w)
    return 0 if room is None else len(room.sockets)


async def closed_with(peer: Peer, timeout: float = 5.0) -> int:
    await peer.until(lambda: peer.closed is not None, timeout)
    return peer.closed


def errors(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


# --- finding 2: malformed frames -------------------------------------------------------------

GARBAGE = {
    "sync step 1, state vector of 2**28 clients": bytes.fromhex("0000ffffffff"),
    "sync step 1, a length beyond the frame": bytes.fromhex("000004ffffff7f"),
    "awareness, a length beyond the frame": bytes.fromhex("01ffff"),
    "empty frame": b"",
    "unknown message kind": bytes.fromhex("07"),
    "unknown sync kind": bytes.fromhex("000900"),
    "truncated varint": bytes.fromhex("0080"),
    "varint beyond 53 bits": bytes.fromhex("00ffffffffffffffffff01"),
    "bytes after the message": bytes.fromhex("00000100") + b"\x00",
    "undecodable update": bytes.fromhex("000203ffffff"),
    "update with a truncated struct": protocol.create_update_message(b"\x01\x01\x9b\xc9\xf8"),
    "awareness state not JSON": protocol.awareness_message(
        protocol.encode_awareness([(7, 1, "{kein json")])
    ),
    "awareness state not an object": protocol.awareness_message(
        protocol.encode_awareness([(7, 1, "[1, 2]")])
    ),
    "control message not JSON": bytes([protocol.CONTROL]) + b"\x03abc",
    "control message not UTF-8": bytes([protocol.CONTROL]) + b"\x02\xff\xfe",
    "version note not a string": protocol.control_message({"action": "version", "note": [1]}),
    "version note too long": protocol.control_message({"action": "version", "note": "x" * 301}),
    "version note with a control character": protocol.control_message(
        {"action": "version", "note": "Notiz\x07"}
    ),
}


async def test_each_malformed_frame_closes_its_own_socket_alone_and_it_leaves_the_room(
    caplog, kind
):
    caplog.set_level(logging.WARNING)
    w = await world(visibility="network", body="Text", kind=kind)
    writer = await join(w, w["editor"])
    viewer = await join(w, w["outsider"])
    assert room_sockets(w) == 2
    for name, frame in GARBAGE.items():
        # Sent by an editor, so even what only applying can find is found.
        attacker = await join(w, w["third"])
        assert room_sockets(w) == 3
        await attacker.socket.send_input({"type": "websocket.receive", "bytes": frame})
        assert await closed_with(attacker) == 4400, name
        assert room_sockets(w) == 2, f"{name}: the closed socket stayed in the room"
    text_frame = await join(w, w["third"])
    await text_frame.socket.send_to(text_data="hallo")
    assert await closed_with(text_frame) == 4400
    assert room_sockets(w) == 2

    # The live ones noticed nothing: an edit still reaches the viewer, the text is whole.
    await writer.insert(len("Text"), " weiter")
    await viewer.until(lambda: str(viewer.text) == "Text weiter")
    assert writer.closed is None and viewer.closed is None
    assert errors(caplog) == []
    refusals = [r for r in caplog.records if "geschlossen" in r.getMessage()]
    assert len(refusals) == len(GARBAGE) + 1
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in refusals)
    await writer.close()
    await viewer.close()
    assert (await stored(w))[1] == "Text weiter"


async def test_twenty_garbage_sockets_do_not_keep_a_room_open(caplog, kind):
    w = await world(visibility="network", body="Text", kind=kind)
    for _ in range(20):
        viewer = await join(w, w["outsider"])
        await viewer.socket.send_to(bytes_data=bytes.fromhex("01ffff"))
        assert await closed_with(viewer) == 4400
    assert not hub().rooms, "no room is left open by sockets that crashed"
    assert errors(caplog) == []


# --- finding 2: size and rate ------------------------------------------------------------------


async def test_a_frame_above_the_size_limit_closes_that_socket_alone(settings, caplog, kind):
    settings.COEDIT_FRAME_MAX_BYTES = 20_000
    w = await world(body="", kind=kind)
    big = await join(w, w["editor"])
    small = await join(w, w["coordinator"])
    await big.insert(0, "x" * 30_000)
    assert await closed_with(big) == 1009
    await small.insert(0, "y" * 15_000)  # below the limit: fine
    await settle(small)
    assert small.closed is None and room_sockets(w) == 1
    await small.close()
    assert (await stored(w))[1] == "y" * 15_000
    assert errors(caplog) == []


async def test_a_socket_sending_faster_than_the_rate_is_closed_and_typing_never_is(settings, kind):
    burst, rate = settings.COEDIT_MESSAGES_BURST, settings.COEDIT_MESSAGES_PER_SECOND
    settings.COEDIT_MESSAGES_BURST = 50
    settings.COEDIT_MESSAGES_PER_SECOND = 20
    w = await world(body="", kind=kind)
    flooder = await join(w, w["observer"])
    typist = await join(w, w["editor"])
    cursor = protocol.awareness_message(protocol.encode_awareness([(99, 1, "{}")]))
    for _n in range(120):
        await flooder.socket.send_to(bytes_data=cursor)
    assert await closed_with(flooder) == 4429
    assert typist.closed is None and room_sockets(w) == 1

    # With the limits as shipped, a very fast typist (25 keys a second, each an update and
    # a cursor) is never closed.
    settings.COEDIT_MESSAGES_BURST, settings.COEDIT_MESSAGES_PER_SECOND = burst, rate
    for n in range(100):
        await typist.insert(n, "a")
        await typist.socket.send_to(bytes_data=protocol.awareness_message(
            protocol.encode_awareness([(5, n + 1, '{"cursor": null}')])
        ))  # fmt: skip
        await asyncio.sleep(1 / 25)
        await typist.pump(0.001)
    assert typist.closed is None
    await typist.close()
    assert (await stored(w))[1] == "a" * 100


# --- finding 3: unknown socket paths ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/ws/bench/", "/ws/gibtsnicht/", "/nirgends", "/ws/"])
async def test_an_unknown_socket_path_is_refused_without_an_error(path, caplog):
    assert not django_settings.LIVE_BENCH_ROUTES
    socket = WebsocketCommunicator(application, path, headers=[ORIGIN])
    connected, _code = await socket.connect()
    assert not connected
    await socket.disconnect()
    assert errors(caplog) == []


# --- finding 5: hidden and missing alike ------------------------------------------------------


async def test_hidden_and_missing_results_get_the_same_close_code():
    w = await world(visibility="network")
    draft = await sync_to_async(services.result_create)(
        project=w["project"], by=w["coordinator"], title="Entwurf", body="geheim", maturity="draft"
    )
    outsider = (b"cookie", await cookie(w["outsider"]))
    slug = w["project"].slug
    path = f"/ws/leitprojekte/{slug}/ergebnisse/{draft.pk}/gemeinsam/"
    hidden = await refused_with(socket_for(w, ORIGIN, outsider, path=path))
    missing = await refused_with(socket_for(w, ORIGIN, outsider, path=missing_path(w)))
    nowhere = "/ws/leitprojekte/gibt-es-nicht/ergebnisse/1/gemeinsam/"
    elsewhere = await refused_with(socket_for(w, ORIGIN, outsider, path=nowhere))
    assert hidden == missing == elsewhere == 4403
    # The same in a team-only project: one answer whether the id exists or not.

    @sync_to_async
    def team_result():
        project = services.project_create(
            by=w["coordinator"], title="Intern", summary="-",
            lead_municipality=w["project"].lead_municipality, visibility="team",
        )  # fmt: skip
        return services.result_create(project=project, by=w["coordinator"], title="Intern")

    result = await team_result()
    slug = result.project.slug
    path = f"/ws/leitprojekte/{slug}/ergebnisse/{result.pk}/gemeinsam/"
    hidden = await refused_with(socket_for(w, ORIGIN, outsider, path=path))
    path = f"/ws/leitprojekte/{slug}/ergebnisse/999998/gemeinsam/"
    missing = await refused_with(socket_for(w, ORIGIN, outsider, path=path))
    assert hidden == missing == 4403


async def test_hidden_and_missing_guides_get_the_same_close_code():
    w = await world(kind="guide")
    await hide(w)  # planned: its authors' and the office's only
    outsider = (b"cookie", await cookie(w["outsider"]))
    hidden = await refused_with(socket_for(w, ORIGIN, outsider))
    missing = await refused_with(socket_for(w, ORIGIN, outsider, path=missing_path(w)))
    assert hidden == missing == 4403
    # Its authors still open it.
    author = await join(w, w["editor"])
    assert (await author.control("welcome"))["can_edit"] is True
    await author.close()


# --- finding 6: the length limit --------------------------------------------------------------


async def test_a_document_pushed_over_the_limit_is_trimmed_and_converges_for_all(kind):
    w = await world(body="", kind=kind)
    a = await join(w, w["editor"])
    b = await join(w, w["coordinator"])
    await a.insert(0, "ä" * 300_000)
    await b.until(lambda: len(str(b.text)) == 300_000, timeout=20)
    # Code points, not bytes: 250,000 emoji (4 bytes each) go 50,000 characters over.
    await b.insert(len(str(b.text).encode()), "😀" * 250_000)
    limit = await b.control("limit", timeout=20)
    assert "500.000 Zeichen" in limit["text"]
    for peer in (a, b):
        await peer.until(lambda p=peer: len(str(p.text)) == LONG_TEXT_MAX, timeout=20)
    await settle(a, b)
    assert str(a.text) == str(b.text) == "ä" * 300_000 + "😀" * 200_000
    assert not any(c["event"] == "limit" for c in a.controls), "only the sender is told"
    await a.close()
    await b.close()
    state_text, body, _ = await stored(w)
    assert len(body) == len(state_text) == LONG_TEXT_MAX


# --- finding 1: a socket outlives the right to read -------------------------------------------


async def revoked(peer: Peer) -> tuple[int, str]:
    code = await closed_with(peer)
    texts = [c["text"] for c in peer.controls if c["event"] == "revoked"]
    assert texts, "the person is told why"
    return code, texts[-1]


async def test_an_outsiders_socket_closes_when_the_text_goes_back_to_its_editors(kind):
    """A result back to draft, a guide back to planned."""
    w = await world(visibility="network", body="Öffentlich", kind=kind)
    outsider = await join(w, w["outsider"])
    editor = await join(w, w["editor"])
    await hide(w, body="Öffentlich und jetzt geheim")
    code, text = await revoked(outsider)
    assert code == 4403
    assert "keinen Zugriff mehr" in text
    assert "geheim" not in str(outsider.text), "nothing after the change reached the outsider"
    await editor.until(lambda: str(editor.text) == "Öffentlich und jetzt geheim")
    await editor.insert(0, "Team: ")
    await settle(editor)
    assert editor.closed is None and room_sockets(w) == 1
    await editor.close()


async def test_an_outsiders_socket_closes_when_the_project_becomes_team_only():
    w = await world(visibility="network")
    outsider = await join(w, w["outsider"])
    observer = await join(w, w["observer"])

    @sync_to_async
    def team_only():
        project = LeadProject.objects.get(pk=w["project"].pk)
        services.project_update(project=project, by=w["coordinator"], visibility="team")

    await team_only()
    assert (await revoked(outsider))[0] == 4403
    await settle(observer)
    assert observer.closed is None
    await observer.close()


async def test_logging_out_and_deactivation_close_the_sockets_of_that_person(kind):
    w = await world(visibility="network", kind=kind)
    client = Client()
    await sync_to_async(client.force_login)(w["outsider"])
    name = django_settings.SESSION_COOKIE_NAME
    session = f"{name}={client.cookies[name].value}".encode()
    peer = Peer(socket_for(w, ORIGIN, (b"cookie", session)))
    assert (await peer.socket.connect())[0]
    await peer.control("welcome")
    other = await join(w, w["observer"])
    await sync_to_async(client.logout)()
    code, text = await revoked(peer)
    assert code == 4401 and "nicht mehr angemeldet" in text
    assert other.closed is None

    @sync_to_async
    def deactivate():
        user = type(w["observer"]).objects.get(pk=w["observer"].pk)
        user.is_active = False
        user.save()

    await deactivate()
    assert (await revoked(other))[0] == 4401
    assert not hub().rooms


async def test_an_editor_demoted_to_reader_keeps_reading_but_edits_no_more(kind):
    """An editor of the project made observer; an author of the guide no longer named."""
    w = await world(body="Text", kind=kind)
    demoted = await join(w, w["editor"])
    assert (await demoted.control("welcome"))["can_edit"] is True
    writer = await join(w, w["coordinator"])
    await demote(w, w["editor"])
    readonly = await demoted.control("readonly")
    assert "nicht mehr bearbeiten" in readonly["text"]
    await demoted.insert(0, "VERBOTEN ")
    await writer.insert(len("Text"), " weiter")
    await demoted.until(lambda: str(demoted.text).endswith("Text weiter"))
    await settle(writer, demoted)
    assert str(writer.text) == "Text weiter" and demoted.closed is None
    await writer.close()
    await demoted.close()
    assert (await stored(w))[1] == "Text weiter"


async def test_sockets_are_checked_again_at_the_change_of_day_without_any_message(
    monkeypatch, kind
):
    monkeypatch.setattr(rooms, "RECHECK_TICK", 0.05)
    w = await world(visibility="network", kind=kind)
    outsider = await join(w, w["outsider"])
    # Access ends without any service (as a seat term ends by date): nobody sends a recheck.
    await hide_silently(w)
    await outsider.pump(0.3)
    assert outsider.closed is None
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert (await revoked(outsider))[0] == 4403


async def test_sockets_are_checked_again_every_live_recheck_seconds(settings, monkeypatch, kind):
    monkeypatch.setattr(rooms, "RECHECK_TICK", 0.05)
    settings.LIVE_RECHECK_SECONDS = 0.3
    w = await world(visibility="network", kind=kind)
    client = Client()
    await sync_to_async(client.force_login)(w["outsider"])
    name = django_settings.SESSION_COOKIE_NAME
    peer = Peer(socket_for(w, ORIGIN, (b"cookie", f"{name}={client.cookies[name].value}".encode())))
    assert (await peer.socket.connect())[0]
    await peer.control("welcome")
    # The session ends in its store without a logout (as it expires): no message at all.
    await sync_to_async(client.session.delete)()
    assert (await revoked(peer))[0] == 4401


@pytest.mark.services
async def test_a_change_in_another_process_closes_the_socket_there(_stop_hubs, kind):  # noqa: F811
    """Two hubs on the Redis channel layer, as two server processes: the change is made
    outside both, and the socket in the other one closes."""
    other = Hub()
    _stop_hubs.append(other)
    w = await world(visibility="network", kind=kind)
    outsider = await join(w, w["outsider"], app=with_hub(other))
    editor = await join(w, w["editor"])
    await hide(w)
    assert (await revoked(outsider))[0] == 4403
    assert editor.closed is None
    await editor.close()
