"""The websocket path end to end: Origin check, login check, and live presence."""

import asyncio

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.factories import UserFactory
from workspace import presence
from workspace.asgi import application
from workspace.consumers import CLOSE_UNAUTHENTICATED

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections():
    yield
    # The consumer reads the session in a worker thread; close its connection so the test
    # database can be dropped at the end.
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def session_cookie_for(username: str, display_name: str) -> bytes:
    user = UserFactory(username=username, display_name=display_name)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}".encode()


def socket(path: str = "/ws/netzwerk/", *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=list(headers))


async def next_presence(communicator, timeout: float = 2) -> list[str]:
    """The names of the next presence list this socket is sent (other messages skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message = await communicator.receive_json_from(timeout)
            if message["event"] == "presence":
                return [person["name"] for person in message["people"]]


async def presence_becomes(communicator, names: list[str], timeout: float = 3) -> None:
    async with asyncio.timeout(timeout):
        while await next_presence(communicator, timeout) != names:
            pass


async def test_anonymous_visitor_is_refused():
    connected, code = await socket("/ws/netzwerk/", ORIGIN).connect()
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED


async def test_foreign_origin_is_refused_even_when_logged_in():
    cookie = await session_cookie_for("anna", "Anna Albers")
    connected, _ = await socket(
        "/ws/netzwerk/", (b"origin", b"https://boese.example"), (b"cookie", cookie)
    ).connect()
    assert not connected


async def test_logged_in_people_see_each_other_come_and_go():
    anna = socket(
        "/ws/netzwerk/", ORIGIN, (b"cookie", await session_cookie_for("anna", "Anna Albers"))
    )
    assert (await anna.connect())[0]
    welcome = await anna.receive_json_from()
    assert welcome["event"] == "welcome"
    assert await next_presence(anna) == []

    ida = socket(
        "/ws/netzwerk/", ORIGIN, (b"cookie", await session_cookie_for("ida", "Ida Imhoff"))
    )
    assert (await ida.connect())[0]
    await presence_becomes(anna, ["Ida Imhoff"])
    await presence_becomes(ida, ["Anna Albers"])

    await ida.disconnect()
    await presence_becomes(anna, [])
    await anna.disconnect()


async def test_a_socket_that_falls_silent_drops_out_after_the_timeout(settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.1
    settings.LIVE_PRESENCE_TIMEOUT = 0.5
    anna = socket(
        "/ws/netzwerk/", ORIGIN, (b"cookie", await session_cookie_for("anna", "Anna Albers"))
    )
    assert (await anna.connect())[0]
    await presence_becomes(anna, [])
    # A socket of a server process that is then killed: its entry is written once and
    # never refreshed again (no leave, no heartbeat).
    await presence.hub().store.touch(
        "presence-network",
        [{"socket": "gestorben!1", "person": {"id": 999, "name": "Gerd Geist"}, "mode": "viewing"}],
    )
    await presence_becomes(anna, ["Gerd Geist"])
    await presence_becomes(anna, [], timeout=2)
    await anna.disconnect()


async def test_messages_from_the_browser_change_nothing():
    anna = socket(
        "/ws/netzwerk/", ORIGIN, (b"cookie", await session_cookie_for("anna", "Anna Albers"))
    )
    assert (await anna.connect())[0]
    await presence_becomes(anna, [])
    await anna.send_json_to({"event": "presence", "people": [{"name": "Falsch"}]})
    assert await anna.receive_nothing(timeout=0.2)
    await anna.disconnect()
