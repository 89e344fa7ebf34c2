"""One subscriber: a bounded FIFO queue drained by a worker of its own (Coder's msgQueue).

When the queue is full the incoming message is dropped and the newest queued message is
replaced by a "dropped messages" marker: the subscriber may lose two messages instead of
one, but learns of the loss as soon as it catches up, and memory stays bounded.
Async listeners are run by an asyncio task on the subscriber's loop; plain functions by a
thread, so a blocking listener never stalls an event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ..exceptions import DroppedMessages
from . import loops
from .base import AnyListener, Delivery, Mode

logger = logging.getLogger("workspace_events.pubsub")

# Stands in the queue for "messages were lost here".
DROPPED: Any = object()


class Subscription:
    """The queue half: thread-safe ``put``/``put_dropped``, and delivery to the listener."""

    __slots__ = ("_capacity", "_closed", "_items", "_listener", "_lock", "event", "mode")

    def __init__(self, event: str, listener: AnyListener, mode: Mode, capacity: int) -> None:
        self.event = event
        self.mode = mode
        self._listener: Any = listener
        self._capacity = capacity
        self._items: deque[Any] = deque()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, delivery: Delivery) -> None:
        """Queue a message; never blocks."""
        with self._lock:
            if self._closed:
                return
            items = self._items
            if len(items) >= self._capacity:
                items[-1] = DROPPED
                return
            items.append(delivery)
            if len(items) == 1:
                self._wake()

    def put_dropped(self) -> None:
        """Tell the subscriber that messages were, or may have been, lost."""
        with self._lock:
            items = self._items
            if self._closed or (items and items[-1] is DROPPED):
                return
            if len(items) >= self._capacity:
                items[-1] = DROPPED
                return
            items.append(DROPPED)
            if len(items) == 1:
                self._wake()

    def close(self) -> None:
        """Stop delivering; a listener call already under way finishes."""
        with self._lock:
            self._closed = True
            self._items.clear()
            self._wake()

    def _wake(self) -> None:
        """Wake the worker; called with the lock held."""
        raise NotImplementedError

    def _args(self, item: Any) -> tuple[Any, ...] | None:
        """The listener's arguments for a queued item, or None to skip it."""
        if item is DROPPED:
            return None if self.mode is Mode.PLAIN else (None, DroppedMessages())
        if self.mode is Mode.PLAIN:
            return (item.message,)
        if self.mode is Mode.WITH_ERR:
            return (item.message, None)
        return (item, None)

    def _failed(self) -> None:
        logger.exception("workspace_events: a listener of %r raised", self.event)


class AsyncSubscription(Subscription):
    """A subscription whose coroutine listener runs in a task on ``loop``."""

    __slots__ = ("_loop", "_thread", "_waiter")

    def __init__(
        self,
        event: str,
        listener: AnyListener,
        mode: Mode,
        capacity: int,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(event, listener, mode, capacity)
        self._loop = loop
        self._thread: int | None = None
        self._waiter: asyncio.Future[None] | None = None

    def start(self) -> None:
        """Start the worker task on ``loop``, from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._begin()
        else:
            loops.call_soon(self._loop, self._begin)

    def _begin(self) -> None:
        self._thread = threading.get_ident()
        self._loop.create_task(self._run(), name=f"workspace_events subscriber {self.event}")

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is None:
            return
        self._waiter = None
        if self._thread == threading.get_ident():
            if not waiter.done():
                waiter.set_result(None)
        else:
            loops.call_soon(self._loop, lambda: _release(waiter))

    async def _run(self) -> None:
        items, lock, listener = self._items, self._lock, self._listener
        while True:
            with lock:
                if self._closed:
                    return
                if items:
                    item = items.popleft()
                    waiter = None
                else:
                    waiter = self._waiter = self._loop.create_future()
            if waiter is not None:
                await waiter
                continue
            args = self._args(item)
            if args is None:
                continue
            try:
                await listener(*args)
            except Exception:
                self._failed()


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class ThreadSubscription(Subscription):
    """A subscription whose plain-function listener runs on a thread of its own."""

    __slots__ = ("_ready",)

    def __init__(self, event: str, listener: AnyListener, mode: Mode, capacity: int) -> None:
        super().__init__(event, listener, mode, capacity)
        self._ready = threading.Condition(self._lock)

    def start(self) -> None:
        threading.Thread(
            target=self._run, name=f"workspace_events subscriber {self.event}", daemon=True
        ).start()

    def _wake(self) -> None:
        self._ready.notify()

    def _run(self) -> None:
        items, listener = self._items, self._listener
        while True:
            with self._ready:
                while not items and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                item = items.popleft()
            args = self._args(item)
            if args is None:
                continue
            try:
                listener(*args)
            except Exception:
                self._failed()


def make_subscription(
    event: str,
    listener: AnyListener,
    mode: Mode,
    capacity: int,
    loop: Callable[[], asyncio.AbstractEventLoop],
) -> AsyncSubscription | ThreadSubscription:
    """An unstarted subscription fit for ``listener``; async ones run on the loop ``loop()``."""
    if not isinstance(event, str) or not event:
        raise ValueError("event must be a non-empty string")
    if not callable(listener):
        raise TypeError(f"listener must be callable, not {type(listener).__name__}")
    if loops.iscoroutinefunction(listener):
        return AsyncSubscription(event, listener, mode, capacity, loop())
    return ThreadSubscription(event, listener, mode, capacity)
