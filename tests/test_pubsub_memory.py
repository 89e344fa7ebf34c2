from __future__ import annotations

import asyncio
import threading
import time

import pytest

from workspace_events import DroppedMessages, PublishError, PubsubError
from workspace_events.pubsub import Delivery, MemoryPubsub, Pubsub

from .helpers import Recorder, messages, until


def test_is_a_pubsub() -> None:
    assert isinstance(MemoryPubsub(), Pubsub)


async def test_publish_reaches_every_subscriber_of_the_event(memory_pubsub: MemoryPubsub) -> None:
    first, second, other = Recorder(), Recorder(), Recorder()
    await memory_pubsub.asubscribe("a", first.acall)
    await memory_pubsub.asubscribe("a", second.acall)
    await memory_pubsub.asubscribe("b", other.acall)
    await memory_pubsub.apublish("a", b"1")
    assert messages(await first.await_calls(1)) == [b"1"]
    assert messages(await second.await_calls(1)) == [b"1"]
    await asyncio.sleep(0.01)
    assert other.calls == []


async def test_delivery_listener_gets_event_and_id(memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    await memory_pubsub.asubscribe_deliveries("a", got.acall)
    await memory_pubsub.apublish("a", b"x", event_id=41)
    await memory_pubsub.apublish("a", bytearray(b"y"))
    assert await got.await_calls(2) == [
        (Delivery("a", b"x", 41), None),
        (Delivery("a", b"y", None), None),
    ]


async def test_order_holds_with_a_slow_listener(memory_pubsub: MemoryPubsub) -> None:
    got: list[bytes] = []

    async def slow(message: bytes) -> None:
        await asyncio.sleep(0.001 if int(message) % 7 else 0.02)
        got.append(message)

    fast = Recorder()
    await memory_pubsub.asubscribe("e", slow)
    await memory_pubsub.asubscribe("e", fast.acall)
    for n in range(100):
        await memory_pubsub.apublish("e", str(n).encode())
    # The fast subscriber is not held back by the slow one.
    assert messages(await fast.await_calls(100, timeout=0.5)) == [
        str(n).encode() for n in range(100)
    ]
    assert len(got) < 100
    await until(lambda: len(got) == 100)
    assert got == [str(n).encode() for n in range(100)]


def test_a_blocking_sync_listener_blocks_neither_publisher_nor_others(
    sync_memory_pubsub: MemoryPubsub,
) -> None:
    release = threading.Event()
    blocked = Recorder()

    def stuck(message: bytes) -> None:
        release.wait(5)
        blocked(message)

    other = Recorder()
    sync_memory_pubsub.subscribe("e", stuck)
    sync_memory_pubsub.subscribe("e", other)
    started = time.monotonic()
    for n in range(10):
        sync_memory_pubsub.publish("e", str(n).encode())
    assert time.monotonic() - started < 1
    assert len(other.wait(10)) == 10
    release.set()
    assert messages(blocked.wait(10)) == [str(n).encode() for n in range(10)]


def test_failing_listener_breaks_nobody(
    sync_memory_pubsub: MemoryPubsub, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(message: bytes) -> None:
        raise ValueError("broken listener")

    other = Recorder()
    sync_memory_pubsub.subscribe("e", broken)
    sync_memory_pubsub.subscribe("e", other)
    sync_memory_pubsub.publish("e", b"1")
    sync_memory_pubsub.publish("e", b"2")
    assert messages(other.wait(2)) == [b"1", b"2"]


async def test_full_queue_tells_with_err_listener() -> None:
    pubsub = MemoryPubsub(queue_size=4)
    release = asyncio.Event()
    got: list[tuple[bytes | None, Exception | None]] = []

    async def listener(message: bytes | None, err: Exception | None) -> None:
        got.append((message, err))
        await release.wait()

    await pubsub.asubscribe_with_err("e", listener)
    await pubsub.apublish("e", b"0")
    await until(lambda: got)  # message 0 is with the listener
    for n in range(1, 20):
        await pubsub.apublish("e", str(n).encode())
    release.set()
    await until(lambda: len(got) >= 5)
    await asyncio.sleep(0.01)
    assert [m for m, _ in got[:4]] == [b"0", b"1", b"2", b"3"]
    assert got[4][0] is None and isinstance(got[4][1], DroppedMessages)
    assert len(got) == 5
    await pubsub.aclose()


async def test_cancel_stops_delivery(memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    cancel = await memory_pubsub.asubscribe("e", got.acall)
    await memory_pubsub.apublish("e", b"1")
    await got.await_calls(1)
    await cancel()
    await cancel()  # idempotent
    await memory_pubsub.apublish("e", b"2")
    await asyncio.sleep(0.02)
    assert messages(got.calls) == [b"1"]


async def test_subscribe_cancel_races_lose_and_leak_nothing(memory_pubsub: MemoryPubsub) -> None:
    keepers = [Recorder() for _ in range(50)]

    async def churn(n: int) -> None:
        for _ in range(20):
            cancel = await memory_pubsub.asubscribe("e", Recorder().acall)
            await asyncio.sleep(0)
            await cancel()

    async def keep(recorder: Recorder) -> None:
        await asyncio.sleep(0)
        await memory_pubsub.asubscribe("e", recorder.acall)

    await asyncio.gather(*(churn(n) for n in range(50)), *(keep(r) for r in keepers))
    assert memory_pubsub._fanout.count() == 50
    await memory_pubsub.apublish("e", b"x")
    for recorder in keepers:
        assert messages(await recorder.await_calls(1)) == [b"x"]


def test_subscribe_cancel_races_across_threads(sync_memory_pubsub: MemoryPubsub) -> None:
    keepers = [Recorder() for _ in range(8)]

    def churn() -> None:
        for _ in range(50):
            sync_memory_pubsub.subscribe("e", Recorder())()

    threads = [threading.Thread(target=churn) for _ in range(8)]
    threads += [
        threading.Thread(target=sync_memory_pubsub.subscribe, args=("e", r)) for r in keepers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sync_memory_pubsub._fanout.count() == 8
    sync_memory_pubsub.publish("e", b"x")
    for recorder in keepers:
        assert messages(recorder.wait(1)) == [b"x"]


def test_sync_subscribe_with_async_listener(sync_memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    cancel = sync_memory_pubsub.subscribe_with_err("e", got.acall)
    sync_memory_pubsub.publish("e", b"1")
    assert got.wait(1) == [(b"1", None)]
    cancel()


def test_publish_validates_arguments(sync_memory_pubsub: MemoryPubsub) -> None:
    with pytest.raises(TypeError, match="message must be bytes"):
        sync_memory_pubsub.publish("e", "text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="event"):
        sync_memory_pubsub.publish("", b"x")


def test_closed_pubsub_refuses_work() -> None:
    pubsub = MemoryPubsub()
    got = Recorder()
    pubsub.subscribe("e", got)
    pubsub.close()
    with pytest.raises(PublishError, match="closed"):
        pubsub.publish("e", b"x")
    with pytest.raises(PubsubError, match="closed"):
        pubsub.subscribe("e", got)
    assert got.calls == []
