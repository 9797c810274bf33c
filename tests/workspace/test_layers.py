"""The embedded default's channel layer (workspace/layers.py) keeps Channels' rules while an
event to many open pages costs the same per page: every socket gets a copy of its own, a full
channel misses a group message, old messages and memberships expire, and the expiry sweep runs
at most once a ``sweep_seconds`` instead of on every send."""

from __future__ import annotations

import asyncio

import pytest
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

from workspace.layers import InMemoryChannelLayer

pytestmark = pytest.mark.asyncio


async def test_every_socket_of_a_group_gets_its_own_copy():
    layer = InMemoryChannelLayer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("ergebnis-1", first)
    await layer.group_add("ergebnis-1", second)
    event = {"type": "result.saved", "revision": 2, "by": {"name": "Halina Riehl"}}
    await layer.group_send("ergebnis-1", event)
    event["by"]["name"] = "geändert nach dem Senden"
    got_first, got_second = await layer.receive(first), await layer.receive(second)
    assert (
        got_first
        == got_second
        == {
            "type": "result.saved",
            "revision": 2,
            "by": {"name": "Halina Riehl"},
        }
    )
    got_first["by"]["name"] = "vom ersten geändert"
    assert got_second["by"]["name"] == "Halina Riehl"


async def test_a_full_channel_misses_the_group_message_and_refuses_a_direct_one():
    layer = InMemoryChannelLayer(capacity=2)
    channel = await layer.new_channel()
    await layer.group_add("kommune", channel)
    for number in range(3):
        await layer.group_send("kommune", {"type": "x", "n": number})
    with pytest.raises(ChannelFull):
        await layer.send(channel, {"type": "x", "n": 9})
    assert [(await layer.receive(channel))["n"] for _ in range(2)] == [0, 1]


async def test_an_expired_message_is_dropped_and_its_channel_leaves_the_group():
    layer = InMemoryChannelLayer(expiry=0.05)
    layer.sweep_seconds = 60  # no sweep in between: receive itself must notice
    await layer.group_send("warmup", {"type": "x"})  # the one sweep now lies behind us
    channel = await layer.new_channel()
    await layer.group_add("kommune", channel)
    await layer.send(channel, {"type": "alt"})
    await asyncio.sleep(0.1)
    await layer.send(channel, {"type": "neu"})
    assert (await layer.receive(channel))["type"] == "neu"
    assert channel not in layer.groups["kommune"]


async def test_one_event_to_many_pages_sweeps_once_not_once_per_page(monkeypatch):
    sweeps = []
    monkeypatch.setattr(
        ChannelsInMemoryChannelLayer, "_clean_expired", lambda self: sweeps.append(1)
    )
    layer = InMemoryChannelLayer()
    channels = [await layer.new_channel() for _ in range(200)]
    for channel in channels:
        await layer.group_add("ergebnis-1", channel)
    await layer.group_send("ergebnis-1", {"type": "result.saved"})
    for channel in channels:
        assert (await layer.receive(channel)) == {"type": "result.saved"}
    assert len(sweeps) == 1
