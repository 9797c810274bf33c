"""workspace.events: a live event leaves only after the transaction commits.

The service side runs in a worker thread, as a view under ASGI would; the listening side is
a channel in the test's event loop (channels-redis binds a channel's buffer to one loop).
"""

import asyncio
import threading

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connections, transaction

from workspace.events import group_name, send_event_on_commit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest_asyncio.fixture
async def listener():
    """``await listener(timeout)``: the next message to a channel in group ``result-7``.

    One task keeps receiving (cancelling a pub/sub layer's receive would drop the channel);
    the test waits on a plain queue fed by it.
    """
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group_name("result", 7), channel)
    inbox: asyncio.Queue = asyncio.Queue()

    async def pump():
        while True:
            await inbox.put(await layer.receive(channel))

    task = asyncio.ensure_future(pump())

    async def next_message(timeout=0.5):
        try:
            return await asyncio.wait_for(inbox.get(), timeout)
        except TimeoutError:
            return None

    yield next_message
    task.cancel()
    await layer.group_discard(group_name("result", 7), channel)
    await database_sync_to_async(connections.close_all)()


@pytest.mark.asyncio
async def test_event_is_sent_after_commit_not_before(listener):
    scheduled, checked = threading.Event(), threading.Event()

    @sync_to_async
    def save():
        with transaction.atomic():
            send_event_on_commit("result-7", "result.version", {"version": 3})
            scheduled.set()
            checked.wait(5)

    saving = asyncio.ensure_future(save())
    await asyncio.to_thread(scheduled.wait, 5)
    assert await listener(0.3) is None  # the transaction is still open
    checked.set()
    await saving
    message = await listener()
    assert isinstance(message.pop("sent_at"), float)  # stamped as it left, after the commit
    assert message == {"type": "result.version", "version": 3}


@pytest.mark.asyncio
async def test_event_of_a_rolled_back_change_is_never_sent(listener):
    @sync_to_async
    def failing_save():
        with transaction.atomic():
            send_event_on_commit("result-7", "result.version", {"version": 4})
            raise RuntimeError("Speichern fehlgeschlagen")

    with pytest.raises(RuntimeError):
        await failing_save()
    assert await listener(0.3) is None


def test_group_names_are_kind_and_key():
    assert group_name("project", 12) == "project-12"
