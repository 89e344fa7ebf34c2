"""ChannelLayerPubsub over in-memory layers: the machinery every layer shares."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from channels.layers import get_channel_layer
from django.test import override_settings

from workspace_events import ConfigurationError, DroppedMessages, PublishError, PubsubError
from workspace_events.channels import group_name
from workspace_events.pubsub import ChannelLayerPubsub, Delivery
from workspace_events.pubsub.hub import MESSAGE_TYPE

from .helpers import Recorder, messages, until

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
FAULTY = {"default": {"BACKEND": "tests.layers.FaultyLayer"}}


@pytest.fixture
def in_memory_layer() -> Iterator[None]:
    with override_settings(CHANNEL_LAYERS=IN_MEMORY):
        yield


@pytest.fixture
async def pubsub(in_memory_layer: None) -> AsyncIterator[ChannelLayerPubsub]:
    pubsub = ChannelLayerPubsub()
    yield pubsub
    await pubsub.aclose()


async def test_delivers_between_two_pubsubs_sharing_a_layer(pubsub: ChannelLayerPubsub) -> None:
    other = ChannelLayerPubsub()
    got = Recorder()
    await pubsub.asubscribe_deliveries("workspace_owner:x", got.acall)
    await other.apublish("workspace_owner:x", b'{"a":1}', event_id=7)
    assert await got.await_calls(1) == [(Delivery("workspace_owner:x", b'{"a":1}', 7), None)]
    await other.aclose()


async def test_one_layer_member_per_loop_however_many_subscribers(
    pubsub: ChannelLayerPubsub,
) -> None:
    recorders = [Recorder() for _ in range(20)]
    for recorder in recorders:
        await pubsub.asubscribe("e:1", recorder.acall)
    layer = get_channel_layer()
    assert list(layer.groups[group_name("e:1")]) == [pubsub.hub().channel]
    await pubsub.apublish("e:1", b"m")
    for recorder in recorders:
        assert messages(await recorder.await_calls(1)) == [b"m"]


async def test_order_holds_with_slow_listener(pubsub: ChannelLayerPubsub) -> None:
    got: list[bytes] = []

    async def slow(message: bytes) -> None:
        await asyncio.sleep(0.002 if message.endswith(b"0") else 0)
        got.append(message)

    await pubsub.asubscribe("e", slow)
    await asyncio.gather(*(pubsub.apublish("e", b"%d" % n) for n in range(60)))
    await until(lambda: len(got) == 60)
    assert got == [b"%d" % n for n in range(60)]


async def test_cancel_leaves_the_group_when_the_last_subscriber_goes(
    pubsub: ChannelLayerPubsub,
) -> None:
    got = Recorder()
    first = await pubsub.asubscribe("e", got.acall)
    second = await pubsub.asubscribe("e", Recorder().acall)
    layer = get_channel_layer()
    await first()
    assert group_name("e") in layer.groups
    await second()
    assert group_name("e") not in layer.groups
    await pubsub.apublish("e", b"late")
    await asyncio.sleep(0.02)
    assert got.calls == []


async def test_subscribe_cancel_races_keep_membership_right(pubsub: ChannelLayerPubsub) -> None:
    keepers = [Recorder() for _ in range(30)]

    async def churn() -> None:
        for _ in range(10):
            cancel = await pubsub.asubscribe("e", Recorder().acall)
            await asyncio.sleep(0)
            await cancel()

    async def keep(recorder: Recorder) -> None:
        await asyncio.sleep(0)
        await pubsub.asubscribe("e", recorder.acall)

    await asyncio.gather(*(churn() for _ in range(30)), *(keep(r) for r in keepers))
    assert pubsub.hub().fanout.count() == 30
    assert pubsub.hub().channel in get_channel_layer().groups[group_name("e")]
    await pubsub.apublish("e", b"x")
    for recorder in keepers:
        assert messages(await recorder.await_calls(1)) == [b"x"]

    cancels = [await pubsub.asubscribe("f", Recorder().acall) for _ in range(10)]
    await asyncio.gather(*(cancel() for cancel in cancels))
    assert group_name("f") not in get_channel_layer().groups


async def test_a_sequence_gap_is_signalled_as_dropped_messages(
    pubsub: ChannelLayerPubsub,
) -> None:
    got = Recorder()
    plain = Recorder()
    await pubsub.asubscribe_with_err("e", got.acall)
    await pubsub.asubscribe("e", plain.acall)
    layer = get_channel_layer()

    async def send(origin: str, seq: int) -> None:
        message = {"event": "e", "message": b"%d" % seq, "id": None, "origin": origin, "seq": seq}
        await layer.group_send(group_name("e"), {"type": MESSAGE_TYPE, **message})

    for seq in (1, 2, 4):  # 3 went missing in transit
        await send("publisher-a", seq)
    await send("publisher-b", 7)  # a source seen for the first time: no gap
    await send("publisher-a", 4)  # a redelivery: ignored
    await send("publisher-a", 5)
    calls = await got.await_calls(6)
    assert calls[:2] == [(b"1", None), (b"2", None)]
    assert calls[2][0] is None and isinstance(calls[2][1], DroppedMessages)
    assert calls[3:] == [(b"4", None), (b"7", None), (b"5", None)]
    assert messages(await plain.await_calls(5)) == [b"1", b"2", b"4", b"7", b"5"]


async def test_receive_failure_then_recovery_tells_subscribers() -> None:
    with override_settings(CHANNEL_LAYERS=FAULTY):
        pubsub = ChannelLayerPubsub(probe_interval=0.02)
        got = Recorder()
        await pubsub.asubscribe_with_err("e", got.acall)
        layer = get_channel_layer()
        layer.failing.add("receive")
        await until(lambda: not pubsub.hub().connected)
        layer.failing.discard("receive")
        calls = await got.await_calls(1)
        assert calls[0][0] is None and isinstance(calls[0][1], DroppedMessages)
        await pubsub.apublish("e", b"after")
        assert (await got.await_calls(2))[1] == (b"after", None)
        await pubsub.aclose()


async def test_lost_group_membership_is_restored_after_an_outage() -> None:
    with override_settings(CHANNEL_LAYERS=FAULTY):
        pubsub = ChannelLayerPubsub(probe_interval=0.02)
        got = Recorder()
        await pubsub.asubscribe_with_err("e", got.acall)
        layer = get_channel_layer()
        layer.failing.add("send")  # probes fail: the layer is unreachable
        await until(lambda: not pubsub.hub().connected)
        layer.groups.clear()  # like a Redis restart: memberships are gone
        layer.failing.discard("send")
        calls = await got.await_calls(1)
        assert isinstance(calls[0][1], DroppedMessages)
        assert pubsub.hub().connected
        await pubsub.apublish("e", b"after")
        assert (await got.await_calls(2))[1] == (b"after", None)
        await pubsub.aclose()


async def test_publish_failure_raises_publish_error_with_cause() -> None:
    with override_settings(CHANNEL_LAYERS=FAULTY):
        pubsub = ChannelLayerPubsub()
        get_channel_layer().failing.add("group_send")
        with pytest.raises(PublishError) as info:
            await pubsub.apublish("e", b"x")
        assert str(info.value) == "publish 'e': group_send failed on purpose"
        assert isinstance(info.value.__cause__, ConnectionError)
        await pubsub.aclose()


async def test_publish_that_hangs_times_out() -> None:
    with override_settings(CHANNEL_LAYERS=FAULTY):
        pubsub = ChannelLayerPubsub(publish_timeout=0.05)
        get_channel_layer().hanging.add("group_send")
        with pytest.raises(PublishError, match=r"no answer from the channel layer within 0\.05s"):
            await pubsub.apublish("e", b"x")
        await pubsub.aclose()


async def test_subscribe_failure_raises_and_registers_nothing() -> None:
    with override_settings(CHANNEL_LAYERS=FAULTY):
        pubsub = ChannelLayerPubsub()
        get_channel_layer().failing.add("group_add")
        with pytest.raises(PubsubError, match="subscribe 'e': group_add failed on purpose"):
            await pubsub.asubscribe("e", Recorder().acall)
        assert pubsub.hub().fanout.count() == 0
        await pubsub.aclose()


async def test_missing_layer_is_a_configuration_error() -> None:
    with override_settings(CHANNEL_LAYERS={}):
        pubsub = ChannelLayerPubsub("nope")
        with pytest.raises(ConfigurationError, match="no layer named 'nope'"):
            await pubsub.apublish("e", b"x")


def test_sync_api_from_plain_threads(in_memory_layer: None) -> None:
    pubsub = ChannelLayerPubsub()
    got = Recorder()
    async_got = Recorder()
    cancel = pubsub.subscribe("e", got)
    pubsub.subscribe_with_err("e", async_got.acall)

    def publish_from_thread() -> None:
        pubsub.publish("e", b"from-thread")

    thread = threading.Thread(target=publish_from_thread)
    thread.start()
    thread.join()
    pubsub.publish("e", b"from-main")
    assert messages(got.wait(2)) == [b"from-thread", b"from-main"]
    assert async_got.wait(2) == [(b"from-thread", None), (b"from-main", None)]
    cancel()
    pubsub.publish("e", b"after-cancel")
    assert len(async_got.wait(3)) == 3
    assert len(got.calls) == 2
    pubsub.close()


async def test_sync_api_refuses_to_block_an_event_loop(pubsub: ChannelLayerPubsub) -> None:
    with pytest.raises(RuntimeError, match="await its async twin"):
        pubsub.publish("e", b"x")
    with pytest.raises(RuntimeError, match="await its async twin"):
        pubsub.subscribe("e", print)


async def test_closed_pubsub_refuses_work(in_memory_layer: None) -> None:
    pubsub = ChannelLayerPubsub()
    got = Recorder()
    await pubsub.asubscribe("e", got.acall)
    await pubsub.aclose()
    with pytest.raises(PubsubError, match="closed"):
        await pubsub.apublish("e", b"x")
    assert group_name("e") not in get_channel_layer().groups


async def test_a_probe_echo_that_overtakes_its_send_is_not_a_loss() -> None:
    # Under load the echo of a probe can be received before the send that carried it
    # returns (RedisChannelLayer's send is several round trips).
    with override_settings(CHANNEL_LAYERS=FAULTY):
        pubsub = ChannelLayerPubsub(probe_interval=0.01)
        got = Recorder()
        await pubsub.asubscribe_with_err("e", got.acall)
        get_channel_layer().send_return_delay = 0.03
        await asyncio.sleep(0.5)
        assert pubsub.hub().connected
        await pubsub.apublish("e", b"x")
        assert await got.await_calls(1) == [(b"x", None)]
        await pubsub.aclose()
