"""Test helpers: a thread-safe recorder of listener calls, and waiting on it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any


class Recorder:
    """Records the arguments of every call, from any thread or loop."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._changed = threading.Condition()

    def __call__(self, *args: Any) -> None:
        with self._changed:
            self.calls.append(args)
            self._changed.notify_all()

    async def acall(self, *args: Any) -> None:
        self(*args)

    def wait(self, count: int, timeout: float = 5.0) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.calls) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} calls, got {self.calls!r}")
                self._changed.wait(left)
            return list(self.calls)

    async def await_calls(self, count: int, timeout: float = 5.0) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} calls, got {self.calls!r}")
            await asyncio.sleep(0.002)
        return list(self.calls)


def messages(calls: list[tuple[Any, ...]]) -> list[Any]:
    """The first argument of each call."""
    return [call[0] for call in calls]


async def until(predicate: Any, timeout: float = 5.0) -> None:
    """Poll ``predicate()`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.002)
