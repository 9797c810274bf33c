"""The bell's socket: the unread count on connecting, and again the moment the background
worker commits a notification for this person; the anonymous visitor is refused."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.factories import UserFactory
from tests.worker import run_worker
from workspace import notifications
from workspace.asgi import application
from workspace.consumers import CLOSE_UNAUTHENTICATED
from workspace.models import Cohort, Notification
from workspace.notifications import follow, notify

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections():
    yield
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def person_with_cookie():
    user = UserFactory(username="glocke")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return user, f"{settings.SESSION_COOKIE_NAME}={session}".encode()


@sync_to_async
def something_happens(user):
    # Any model does: the core's notifications know no app (Cohort has no visibility rule).
    cohort = Cohort.objects.create(year=2031)
    cohort.get_absolute_url = lambda: "/klassen/"
    follow(user=user, target=cohort)
    notify(kind="status", actor=None, target=cohort, title="Klasse 2031", detail="neu")
    # The background worker writes it, and rings the bell after its commit.
    run_worker()


async def test_the_count_arrives_on_connecting_and_rises_without_a_reload():
    user, cookie = await person_with_cookie()
    bell = WebsocketCommunicator(
        application, "/ws/benachrichtigungen/", [ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await bell.connect()
    assert connected
    assert await bell.receive_json_from(2) == {"event": "count", "unread": 0}
    await something_happens(user)
    assert await bell.receive_json_from(2) == {"event": "count", "unread": 1}
    await bell.disconnect()


@sync_to_async
def written_in_another_process(user):
    """A notification written with no word to this process's channel layer, as the worker
    (another process) writes it when the layer lives in one process only."""
    cohort = Cohort.objects.create(year=2032)
    Notification.objects.create(
        recipient=user, kind="status", target_type=notifications._content_type(cohort),
        target_id=cohort.pk, title="Klasse 2032", url="/klassen/",
    )  # fmt: skip


async def test_with_a_layer_of_one_process_the_bell_asks_the_database_itself(settings):
    # The embedded default's layer, also in the run on Redis (presence keeps its store).
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "workspace.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }
    settings.NOTIFICATION_POLL_SECONDS = 0.2
    user, cookie = await person_with_cookie()
    bell = WebsocketCommunicator(
        application, "/ws/benachrichtigungen/", [ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await bell.connect()
    assert connected
    assert await bell.receive_json_from(2) == {"event": "count", "unread": 0}
    assert await bell.receive_nothing(0.5)  # it speaks only when the count changes
    await written_in_another_process(user)
    assert await bell.receive_json_from(2) == {"event": "count", "unread": 1}
    await bell.disconnect()


async def test_the_anonymous_visitor_gets_no_bell():
    bell = WebsocketCommunicator(application, "/ws/benachrichtigungen/", [ORIGIN])
    connected, code = await bell.connect()
    assert not connected and code == CLOSE_UNAUTHENTICATED
