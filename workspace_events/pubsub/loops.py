"""Where sync callers' pubsub work runs: the server's event loop if there is one, else a portal.

A channel layer is bound to the event loop that uses it (Redis connections, in-memory queues),
and ``RedisChannelLayer`` lets only one loop per process receive. Sync code therefore hands its
coroutines to a loop that lives on: the ASGI server's loop when called from a thread that
server started (asgiref records it), otherwise a private loop on a daemon thread. Calling
``async_to_sync`` outside a server instead would open a new loop, and a new Redis
connection, on every publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from asgiref.sync import iscoroutinefunction as is_coro

T = TypeVar("T")


def iscoroutinefunction(func: object) -> bool:
    """True for ``async def`` functions, partials of them and objects with ``async __call__``."""
    return is_coro(func) or is_coro(getattr(func, "__call__", None))  # noqa: B004


def require_sync_context(name: str) -> None:
    """Refuse a blocking call from inside a running event loop (it could deadlock that loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"{name}() blocks and cannot run inside an event loop; await its async twin instead"
    )


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the ASGI server that started this thread, if any."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


class Portal:
    """An event loop running on a daemon thread, started on first use."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(
                    target=self._run, args=(loop, ready), name=self._name, daemon=True
                )
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    def stop(self) -> None:
        """Cancel what still runs on the portal's loop, then stop its thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        if thread is not threading.current_thread():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_cancel_tasks(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not threading.current_thread():
            thread.join(5)
            if not loop.is_running():
                loop.close()


async def _cancel_tasks() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def stop_tasks(tasks: list[asyncio.Task[Any]], timeout: float = 5.0) -> None:
    """Cancel ``tasks`` and wait for them; cancel again any that swallowed a cancellation.

    redis-py awaits connection clean-up while being cancelled, which can absorb one
    cancellation and leave the task waiting on a reply that will never come.
    """
    pending = {task for task in tasks if not task.done()}
    deadline = asyncio.get_running_loop().time() + timeout
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return
        _, pending = await asyncio.wait(pending, timeout=min(left, 0.5))


def run_on(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on ``loop`` (another thread's) and wait for its result."""
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result()


async def await_on(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]) -> T:
    """Await ``coroutine`` on ``loop``, which may belong to another thread."""
    if loop is asyncio.get_running_loop():
        return await coroutine
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, loop))


def call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], object]) -> None:
    """Run ``callback`` on ``loop`` from any thread; a closed loop is ignored."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback)


if sys.version_info >= (3, 11):
    timeout_after = asyncio.timeout
else:  # pragma: no cover - Python 3.10

    @contextlib.asynccontextmanager
    async def timeout_after(delay: float) -> AsyncIterator[None]:
        task = asyncio.current_task()
        assert task is not None
        fired = False

        def fire() -> None:
            nonlocal fired
            fired = True
            task.cancel()

        handle = asyncio.get_running_loop().call_later(delay, fire)
        try:
            yield
        except asyncio.CancelledError as exc:
            if fired:
                raise TimeoutError from exc
            raise
        finally:
            handle.cancel()
