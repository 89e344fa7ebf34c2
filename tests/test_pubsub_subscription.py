"""The per-subscriber queue, after Coder's msgQueue tests."""

from __future__ import annotations

import asyncio
import threading

import pytest

from workspace_events import DroppedMessages
from workspace_events.pubsub import Delivery
from workspace_events.pubsub.base import Mode
from workspace_events.pubsub.subscription import make_subscription

from .helpers import until

SIZE = 8


def delivery(n: int) -> Delivery:
    return Delivery("e", str(n).encode(), n)


class Gate:
    """A sync listener that blocks on its first call until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[tuple[bytes | None, Exception | None]] = []
        self.done = threading.Condition()

    def __call__(self, message: bytes | None, err: Exception | None) -> None:
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(5)
        with self.done:
            self.calls.append((message, err))
            self.done.notify_all()

    def wait(self, count: int) -> list[tuple[bytes | None, Exception | None]]:
        with self.done:
            assert self.done.wait_for(lambda: len(self.calls) >= count, 5), self.calls
            return list(self.calls)


def start(listener: object, mode: Mode = Mode.WITH_ERR):  # type: ignore[no-untyped-def]
    subscription = make_subscription("e", listener, mode, SIZE, asyncio.new_event_loop)  # type: ignore[arg-type]
    subscription.start()
    return subscription


def test_full_queue_delivers_exactly_the_queue_size_then_one_dropped() -> None:
    gate = Gate()
    subscription = start(gate)
    subscription.put(delivery(0))
    assert gate.entered.wait(5)  # message 0 is with the listener; the queue is empty
    for n in range(1, SIZE + 3):  # SIZE + 2 more: one overflows, one replaces the last
        subscription.put(delivery(n))
    gate.release.set()
    calls = gate.wait(SIZE + 1)
    assert [m for m, _ in calls[:SIZE]] == [str(n).encode() for n in range(SIZE)]
    assert calls[SIZE][0] is None and isinstance(calls[SIZE][1], DroppedMessages)
    assert str(calls[SIZE][1]) == "dropped messages"
    # Afterwards the queue works normally again.
    subscription.put(delivery(100))
    assert gate.wait(SIZE + 2)[-1] == (b"100", None)
    assert len(gate.calls) == SIZE + 2
    subscription.close()


def test_queue_wraps_around_with_interleaved_drops() -> None:
    gate = Gate()
    subscription = start(gate)
    subscription.put(delivery(0))
    assert gate.entered.wait(5)
    for n in range(1, SIZE + 1):
        subscription.put(delivery(n))
    subscription.put_dropped()  # full: replaces message SIZE
    subscription.put_dropped()  # already marked: nothing more
    gate.release.set()
    calls = gate.wait(SIZE + 1)
    assert [m for m, _ in calls[:SIZE]] == [str(n).encode() for n in range(SIZE)]
    assert isinstance(calls[SIZE][1], DroppedMessages)
    for n in range(3):
        subscription.put(delivery(200 + n))
        subscription.put_dropped()
    calls = gate.wait(SIZE + 7)
    assert calls[SIZE + 1 :] == [
        (b"200", None),
        calls[SIZE + 2],
        (b"201", None),
        calls[SIZE + 4],
        (b"202", None),
        calls[SIZE + 6],
    ]
    assert all(isinstance(calls[SIZE + i][1], DroppedMessages) for i in (2, 4, 6))
    subscription.close()


def test_dropped_marker_on_an_empty_queue_is_delivered() -> None:
    gate = Gate()
    gate.entered.set()  # no blocking
    subscription = start(gate)
    subscription.put_dropped()
    (call,) = gate.wait(1)
    assert call[0] is None and isinstance(call[1], DroppedMessages)
    subscription.close()


def test_plain_listener_never_sees_errors() -> None:
    got: list[bytes] = []
    ready = threading.Event()

    def listener(message: bytes) -> None:
        got.append(message)
        if message == b"2":
            ready.set()

    subscription = start(listener, Mode.PLAIN)
    subscription.put(delivery(1))
    subscription.put_dropped()
    subscription.put(delivery(2))
    assert ready.wait(5)
    assert got == [b"1", b"2"]
    subscription.close()


def test_listener_exception_does_not_stop_the_worker(caplog: pytest.LogCaptureFixture) -> None:
    got: list[bytes] = []
    done = threading.Event()

    def listener(message: bytes) -> None:
        if message == b"1":
            raise RuntimeError("listener broke")
        got.append(message)
        done.set()

    subscription = start(listener, Mode.PLAIN)
    subscription.put(delivery(1))
    subscription.put(delivery(2))
    assert done.wait(5)
    assert got == [b"2"]
    assert "a listener of 'e' raised" in caplog.text
    subscription.close()


def test_close_stops_delivery_and_discards_the_queue() -> None:
    gate = Gate()
    subscription = start(gate)
    subscription.put(delivery(0))
    assert gate.entered.wait(5)
    subscription.put(delivery(1))
    subscription.close()
    gate.release.set()
    gate.wait(1)
    subscription.put(delivery(2))
    threading.Event().wait(0.05)
    assert [m for m, _ in gate.calls] == [b"0"]


async def test_async_listener_queue_is_bounded_too() -> None:
    release = asyncio.Event()
    got: list[tuple[bytes | None, Exception | None]] = []

    async def listener(message: bytes | None, err: Exception | None) -> None:
        got.append((message, err))
        if len(got) == 1:
            await release.wait()

    loop = asyncio.get_running_loop()
    subscription = make_subscription("e", listener, Mode.WITH_ERR, SIZE, lambda: loop)
    subscription.start()
    subscription.put(delivery(0))
    await until(lambda: got)
    for n in range(1, SIZE + 3):
        subscription.put(delivery(n))
    release.set()
    await until(lambda: len(got) >= SIZE + 1)
    await asyncio.sleep(0.01)
    assert [m for m, _ in got[:SIZE]] == [str(n).encode() for n in range(SIZE)]
    assert len(got) == SIZE + 1 and isinstance(got[SIZE][1], DroppedMessages)
    subscription.close()


def test_make_subscription_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="callable"):
        make_subscription("e", "nope", Mode.PLAIN, SIZE, asyncio.new_event_loop)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="event"):
        make_subscription("", print, Mode.PLAIN, SIZE, asyncio.new_event_loop)


async def test_an_idle_async_worker_ends_and_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_events.pubsub import subscription as module

    monkeypatch.setattr(module, "LINGER", 0.02)
    got: list[bytes] = []

    async def listener(message: bytes) -> None:
        got.append(message)

    loop = asyncio.get_running_loop()
    subscription = make_subscription("e", listener, Mode.PLAIN, SIZE, lambda: loop)
    subscription.start()
    assert not subscription._draining  # nothing delivered yet: no worker at all
    subscription.put(delivery(1))
    await until(lambda: got == [b"1"])
    assert subscription._draining  # the worker waits for more
    await until(lambda: not subscription._draining)  # and ends when none comes
    assert subscription._items is None
    subscription.put(delivery(2))
    await until(lambda: got == [b"1", b"2"])
    subscription.close()
    await until(lambda: not subscription._draining)


async def test_a_waiting_worker_is_resumed_not_replaced() -> None:
    got: list[bytes] = []

    async def listener(message: bytes) -> None:
        got.append(message)

    loop = asyncio.get_running_loop()
    subscription = make_subscription("e", listener, Mode.PLAIN, SIZE, lambda: loop)
    subscription.start()
    subscription.put(delivery(1))
    await until(lambda: len(got) == 1)
    tasks = len(asyncio.all_tasks())
    for n in range(2, 12):
        subscription.put(delivery(n))
        await until(lambda n=n: len(got) == n)
        assert len(asyncio.all_tasks()) == tasks
    subscription.close()
