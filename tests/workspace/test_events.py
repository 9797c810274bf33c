"""workspace.events: a live event leaves only after the transaction commits."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from workspace.events import group_name, send_event_on_commit

pytestmark = pytest.mark.django_db(transaction=True)


async def _receive(layer, channel, timeout=0.5):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


@pytest.fixture
def listener():
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name("result", 7), channel)
    yield lambda timeout=0.5: async_to_sync(_receive)(layer, channel, timeout)
    async_to_sync(layer.group_discard)(group_name("result", 7), channel)


def test_event_is_sent_after_commit_not_before(listener):
    with transaction.atomic():
        send_event_on_commit("result-7", "result.version", {"version": 3})
        assert listener(0.2) is None
    assert listener() == {"type": "result.version", "version": 3}


def test_event_of_a_rolled_back_change_is_never_sent(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_event_on_commit("result-7", "result.version", {"version": 4})
        raise RuntimeError("Speichern fehlgeschlagen")
    assert listener(0.3) is None


def test_group_names_are_kind_and_key():
    assert group_name("project", 12) == "project-12"
