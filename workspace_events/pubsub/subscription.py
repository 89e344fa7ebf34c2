"""One subscriber: a bounded FIFO queue drained by a worker of its own (Coder's msgQueue).

When the queue is full the incoming message is dropped and the newest queued message is
replaced by a "dropped messages" marker: the subscriber may lose two messages instead of
one, but learns of the loss as soon as it catches up, and memory stays bounded.
Async listeners are run by an asyncio task on the subscriber's loop, started when
messages arrive; once the queue has stayed empty for about ``LINGER`` seconds the task
ends. A busy subscriber keeps its worker (waking a waiting task is cheaper than starting
one), an idle subscriber (an idle WebSocket) holds no task and no buffer. Plain functions
run on a thread of their own, so a blocking listener never stalls an event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from ..exceptions import DroppedMessages
from . import loops
from .base import AnyListener, Delivery, Mode

logger = logging.getLogger("workspace_events.pubsub")

# Stands in the queue for "messages were lost here".
DROPPED: Any = object()
# Seconds an async worker may wait for messages before it ends.
LINGER = 2.0


class Subscription:
    """The queue half: thread-safe ``put``/``put_dropped``, and delivery to the listener."""

    __slots__ = ("_capacity", "_closed", "_items", "_listener", "_lock", "event", "mode")

    def __init__(self, event: str, listener: AnyListener, mode: Mode, capacity: int) -> None:
        self.event = event
        self.mode = mode
        self._listener: Any = listener
        self._capacity = capacity
        self._items: deque[Any] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def put(self, delivery: Delivery) -> None:
        """Queue a message; never blocks."""
        self._push(delivery)

    def put_dropped(self) -> None:
        """Tell the subscriber that messages were, or may have been, lost."""
        self._push(DROPPED)

    def _push(self, item: Any) -> None:
        with self._lock:
            if self._closed:
                return
            items = self._items
            if items is None:
                items = self._items = deque()
            elif len(items) >= self._capacity:
                items[-1] = DROPPED
                return
            elif item is DROPPED and items and items[-1] is DROPPED:
                return
            items.append(item)
            if len(items) == 1:
                self._wake()

    def _take(self) -> Any:
        """The next item, or None (and the buffer released) when the queue is empty."""
        items = self._items
        if items:
            return items.popleft()
        self._items = None
        return None

    def close(self) -> None:
        """Stop delivering; a listener call already under way finishes."""
        with self._lock:
            self._closed = True
            self._items = None
            self._wake()

    def _wake(self) -> None:
        """Make sure a worker will take the queued item; called with the lock held."""
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

    __slots__ = ("_draining", "_idle_since", "_loop", "_thread", "_waiter")

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
        self._thread: int | None = None  # the loop's thread, once started
        self._draining = False  # a worker task exists
        self._waiter: asyncio.Future[bool] | None = None  # set while the worker waits
        self._idle_since = 0.0

    def start(self) -> None:
        """Begin delivering on ``loop``, from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._begin()
        else:
            loops.call_soon(self._loop, self._begin)

    def _begin(self) -> None:
        with self._lock:
            self._thread = threading.get_ident()
            if self._items:
                self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:  # the worker waits: resume it
            self._waiter = None
            self._release(waiter, True)
            return
        if self._draining or self._closed or self._thread is None:
            return  # a worker is on it, nothing to do, or _begin will see the queue
        self._draining = True
        if self._thread == threading.get_ident():
            self._loop.create_task(self._drain())
        else:
            loops.call_soon(self._loop, lambda: self._loop.create_task(self._drain()))

    def _release(self, waiter: asyncio.Future[bool], resumed: bool) -> None:
        if self._thread == threading.get_ident():
            _settle(waiter, resumed)
        else:
            loops.call_soon(self._loop, lambda: _settle(waiter, resumed))

    def expire(self) -> None:
        """End the worker if it is still waiting with nothing to do."""
        with self._lock:
            waiter = self._waiter
            if waiter is not None and not self._items:
                self._waiter = None
                self._release(waiter, False)

    async def _drain(self) -> None:
        lock, listener, loop = self._lock, self._listener, self._loop
        idle = _idle_workers(loop)
        while True:
            with lock:
                if self._closed:
                    self._draining = False
                    return
                items = self._items
                if items:
                    item = items.popleft()
                    waiter = None
                else:
                    waiter = self._waiter = loop.create_future()
                    self._idle_since = loop.time()
            if waiter is not None:
                idle.add(self)
                resumed = await waiter
                idle.discard(self)
                if not resumed:
                    with lock:
                        if not self._items:  # nothing came: end, releasing the buffer
                            self._items = None
                            self._draining = False
                            return
                continue
            args = self._args(item)
            if args is None:
                continue
            try:
                await listener(*args)
            except Exception:
                self._failed()


def _settle(waiter: asyncio.Future[bool], resumed: bool) -> None:
    if not waiter.done():
        waiter.set_result(resumed)


class _IdleWorkers:
    """One loop's waiting workers, and the sweep that ends those idle for ``LINGER``."""

    # No reference to the loop: it is the key of the weak mapping that holds this.
    def __init__(self) -> None:
        self.members: set[AsyncSubscription] = set()
        self.sweeping = False

    def add(self, subscription: AsyncSubscription) -> None:
        self.members.add(subscription)
        if not self.sweeping:
            self.sweeping = True
            asyncio.get_running_loop().create_task(
                self._sweep(), name="workspace_events idle workers"
            )

    def discard(self, subscription: AsyncSubscription) -> None:
        self.members.discard(subscription)

    async def _sweep(self) -> None:
        try:
            while self.members:
                await asyncio.sleep(LINGER)
                cutoff = asyncio.get_running_loop().time() - LINGER
                for subscription in list(self.members):
                    if subscription._idle_since <= cutoff:
                        subscription.expire()
        finally:
            self.sweeping = False


_idle: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _IdleWorkers] = (
    weakref.WeakKeyDictionary()
)


def _idle_workers(loop: asyncio.AbstractEventLoop) -> _IdleWorkers:
    found = _idle.get(loop)
    if found is None:
        found = _idle[loop] = _IdleWorkers()
    return found


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
        listener = self._listener
        while True:
            with self._ready:
                while not self._items and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                item = self._take()
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
