"""Live sockets of projects and results (Channels' WebsocketCommunicator, real layer)."""

import asyncio

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections, transaction
from django.test import Client

from projects import services
from projects.models import Result, TeamMembership
from tests.factories import MembershipFactory, MunicipalityFactory
from workspace.asgi import application
from workspace.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections():
    yield
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def world(visibility="team"):
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True)
    coordinator = MembershipFactory(municipality=menden, user__display_name="Mehmet Mertens").user
    editor = MembershipFactory(user__display_name="Ida Imhoff").user
    outsider = MembershipFactory(user__display_name="Bernd Brüggemann").user
    project = services.project_create(
        by=coordinator,
        title="Plattform",
        summary="-",
        lead_municipality=menden,
        visibility=visibility,
    )
    services.team_member_add(project=project, by=coordinator, user=editor, role="editor")
    result = services.result_create(
        project=project,
        by=coordinator,
        title="Datenmodell",
        body="# Felder\n\nJahr",
        maturity="tested",
    )
    return {
        "project": project,
        "result": result,
        "coordinator": coordinator,
        "editor": editor,
        "outsider": outsider,
    }


@sync_to_async
def cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def result_socket(w, *headers, editing=False):
    path = f"/ws/leitprojekte/{w['project'].slug}/ergebnisse/{w['result'].pk}/"
    if editing:
        path += "?modus=bearbeiten"
    return WebsocketCommunicator(application, path, headers=list(headers))


async def connected(w, user, **kwargs):
    socket = result_socket(w, ORIGIN, (b"cookie", await cookie(user)), **kwargs)
    ok, code = await socket.connect()
    assert ok, code
    welcome = await socket.receive_json_from()
    assert welcome["event"] == "welcome"
    return socket


async def next_event(socket, kind, timeout=2):
    async with asyncio.timeout(timeout):
        while True:
            message = await socket.receive_json_from(timeout)
            if message["event"] == kind:
                return message


async def test_anonymous_is_refused():
    w = await world(visibility="public")
    ok, code = await result_socket(w, ORIGIN).connect()
    assert (ok, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_foreign_origin_is_refused():
    w = await world()
    socket = result_socket(
        w, (b"origin", b"https://boese.example"), (b"cookie", await cookie(w["editor"]))
    )
    assert not (await socket.connect())[0]


async def test_user_without_permission_is_refused():
    w = await world(visibility="team")
    socket = result_socket(w, ORIGIN, (b"cookie", await cookie(w["outsider"])))
    ok, code = await socket.connect()
    assert (ok, code) == (False, CLOSE_FORBIDDEN)


async def test_team_member_gets_new_versions_with_the_rendered_body(settings):
    w = await world()
    socket = await connected(w, w["editor"])
    welcome_revision = w["result"].revision

    @sync_to_async
    def save():
        services.result_update(
            result=Result.objects.get(pk=w["result"].pk),
            by=w["coordinator"],
            base_revision=welcome_revision,
            note="Monat ergänzt",
            body="# Felder\n\nJahr, Monat",
        )

    await save()
    version = await next_event(socket, "version")
    assert (version["revision"], version["author"], version["note"]) == (
        2,
        "Mehmet Mertens",
        "Monat ergänzt",
    )
    assert 'id="ergebnis-inhalt"' in version["html"] and "Jahr, Monat" in version["html"]
    assert '<h2 id="abschnitt-felder">' in version["html"]
    await socket.disconnect()


async def test_no_event_for_a_rolled_back_transaction():
    w = await world()
    socket = await connected(w, w["editor"])

    @sync_to_async
    def failing_save():
        with transaction.atomic():
            services.result_update(
                result=Result.objects.get(pk=w["result"].pk),
                by=w["coordinator"],
                base_revision=1,
                body="nie gespeichert",
            )
            raise RuntimeError("Abbruch")

    with pytest.raises(RuntimeError):
        await failing_save()
    with pytest.raises(TimeoutError):
        await next_event(socket, "version", timeout=0.5)
    await socket.disconnect()


async def test_revoked_role_closes_the_socket_and_no_event_follows():
    w = await world(visibility="team")
    socket = await connected(w, w["editor"])

    @sync_to_async
    def remove_then_save():
        membership = TeamMembership.objects.get(project=w["project"], user=w["editor"])
        services.team_member_remove(membership=membership, by=w["coordinator"])
        services.result_update(
            result=Result.objects.get(pk=w["result"].pk),
            by=w["coordinator"],
            base_revision=1,
            body="geheim",
        )

    await remove_then_save()
    async with asyncio.timeout(2):
        while True:
            message = await socket.receive_output(2)
            if message["type"] == "websocket.close":
                assert message["code"] == CLOSE_FORBIDDEN
                break
            assert "geheim" not in message.get("text", "")
    # Reconnecting is checked anew: the team project is no longer visible to her.
    again = result_socket(w, ORIGIN, (b"cookie", await cookie(w["editor"])))
    assert (await again.connect()) == (False, CLOSE_FORBIDDEN)
    await socket.disconnect()


async def test_presence_shows_who_views_and_who_edits():
    w = await world()
    viewer = await connected(w, w["editor"])
    assert (await next_event(viewer, "presence"))["people"] == []
    editor_socket = await connected(w, w["coordinator"], editing=True)
    people = (await next_event(viewer, "presence"))["people"]
    assert people == [{"name": "Mehmet Mertens", "mode": "editing"}]
    await editor_socket.disconnect()
    assert (await next_event(viewer, "presence"))["people"] == []
    await viewer.disconnect()


async def test_a_result_turned_draft_closes_the_sockets_of_non_team_readers():
    w = await world(visibility="public")
    reader = await connected(w, w["outsider"])

    @sync_to_async
    def to_draft():
        services.result_update(
            result=Result.objects.get(pk=w["result"].pk),
            by=w["coordinator"],
            base_revision=1,
            maturity="draft",
            body="Entwurf mit Geheimnis",
        )

    await to_draft()
    async with asyncio.timeout(2):
        while True:
            message = await reader.receive_output(2)
            if message["type"] == "websocket.close":
                break
            assert "Geheimnis" not in message.get("text", "")
    # The browser goes, as a real one does after a close: the consumer leaves its groups now,
    # not when the test's event loop cancels what is left.
    await reader.disconnect()


async def test_project_socket_announces_status_changes():
    w = await world(visibility="network")
    socket = WebsocketCommunicator(
        application,
        f"/ws/leitprojekte/{w['project'].slug}/",
        headers=[ORIGIN, (b"cookie", await cookie(w["outsider"]))],
    )
    assert (await socket.connect())[0]

    @sync_to_async
    def propose():
        services.project_change_status(project=w["project"], by=w["coordinator"], to="proposed")

    await propose()
    notice = await next_event(socket, "notice")
    assert notice["text"] == "Neuer Stand: vorgeschlagen."
    await socket.disconnect()


async def test_live_messages_name_people_only_to_who_may_see_names():
    """A logged-in person outside the network follows a public project live: the team line
    names the new member's town, as the page does; a member of the network reads the name."""
    w = await world(visibility="public")
    stranger = await sync_to_async(lambda: MembershipFactory(municipality__is_member=False).user)()

    async def project_socket(user):
        socket = WebsocketCommunicator(
            application,
            f"/ws/leitprojekte/{w['project'].slug}/",
            headers=[ORIGIN, (b"cookie", await cookie(user))],
        )
        assert (await socket.connect())[0]
        return socket

    outside, member = await project_socket(stranger), await project_socket(w["outsider"])

    @sync_to_async
    def add():
        newcomer = MembershipFactory(
            municipality__name="Hemer", municipality__slug="hemer", user__display_name="Nina Neu"
        ).user
        services.team_member_add(
            project=w["project"], by=w["coordinator"], user=newcomer, role="observer"
        )

    await add()
    assert (await next_event(outside, "notice"))["text"] == (
        "Mitarbeiter*in der Stadt Hemer gehört jetzt zum Team."
    )
    assert (await next_event(member, "notice"))["text"] == "Nina Neu gehört jetzt zum Team."
    await outside.disconnect()
    await member.disconnect()
