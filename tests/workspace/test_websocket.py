"""The websocket path end to end: Origin check, login check, and live presence."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.factories import UserFactory
from workspace.asgi import application
from workspace.consumers import CLOSE_UNAUTHENTICATED

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections():
    yield
    # The consumer reads the session in a worker thread; close its connection so the test
    # database can be dropped at the end.
    await database_sync_to_async(connections.close_all)()


ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@sync_to_async
def _session_cookie_for(username: str, display_name: str) -> bytes:
    user = UserFactory(username=username, display_name=display_name)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}".encode()


def _socket(*headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/netzwerk/", headers=list(headers))


async def test_anonymous_visitor_is_refused():
    communicator = _socket(ORIGIN)
    connected, code = await communicator.connect()
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED


async def test_foreign_origin_is_refused_even_when_logged_in():
    cookie = await _session_cookie_for("anna", "Anna Albers")
    communicator = _socket((b"origin", b"https://boese.example"), (b"cookie", cookie))
    connected, _ = await communicator.connect()
    assert not connected


async def test_logged_in_people_see_each_other_come_and_go():
    anna = _socket(ORIGIN, (b"cookie", await _session_cookie_for("anna", "Anna Albers")))
    connected, _ = await anna.connect()
    assert connected
    welcome = await anna.receive_json_from()
    assert welcome["event"] == "welcome"
    own_join = await anna.receive_json_from()
    assert own_join == {"event": "join", "person": own_join["person"], "socket": welcome["socket"]}
    assert own_join["person"]["name"] == "Anna Albers"

    ida = _socket(ORIGIN, (b"cookie", await _session_cookie_for("ida", "Ida Imhoff")))
    assert (await ida.connect())[0]
    # Anna is told that Ida arrived ...
    joined = await anna.receive_json_from()
    assert (joined["event"], joined["person"]["name"]) == ("join", "Ida Imhoff")
    # ... and Ida learns that Anna is already there.
    seen_by_ida = [await ida.receive_json_from() for _ in range(3)]
    assert {(m["event"], m.get("person", {}).get("name")) for m in seen_by_ida} == {
        ("welcome", None),
        ("join", "Ida Imhoff"),
        ("here", "Anna Albers"),
    }

    await ida.disconnect()
    left = await anna.receive_json_from()
    assert (left["event"], left["person"]["name"]) == ("leave", "Ida Imhoff")
    await anna.disconnect()


async def test_messages_from_the_browser_change_nothing():
    anna = _socket(ORIGIN, (b"cookie", await _session_cookie_for("anna", "Anna Albers")))
    assert (await anna.connect())[0]
    await anna.receive_json_from()
    await anna.receive_json_from()
    await anna.send_json_to({"event": "join", "person": {"id": 999, "name": "Falsch"}})
    assert await anna.receive_nothing(timeout=0.2)
    await anna.disconnect()
