"""Helpers for the management command tests: a pubsub that fails, and reading a live process."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from typing import IO

from workspace_events.pubsub import MemoryPubsub

from .servers import EXAMPLE


def closed_pubsub() -> MemoryPubsub:
    """A ``WORKSPACE_EVENTS_PUBSUB`` factory whose pubsub refuses everything."""
    pubsub = MemoryPubsub()
    pubsub.close()
    return pubsub


class Lines:
    """The lines a stream of a running process writes, readable with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, text: str, timeout: float = 20) -> str:
        """The next line containing ``text``; fails after ``timeout`` seconds or at EOF."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self._queue.get(timeout=max(left, 0))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} in {timeout}s: {self.seen}") from None
            if line is None:
                raise AssertionError(f"the stream ended without {text!r}: {self.seen}")
            self.seen.append(line)
            if text in line:
                return line

    def rest(self, timeout: float = 10) -> list[str]:
        """Every line until the stream ends."""
        deadline = time.monotonic() + timeout
        lines = []
        while (line := self._queue.get(timeout=max(deadline - time.monotonic(), 0))) is not None:
            lines.append(line)
        self.seen += lines
        return lines


def tail(env: dict[str, str], target: str) -> tuple[subprocess.Popen[str], Lines, Lines]:
    """``workspace_events_tail <target>`` in the example project; its stdout and stderr."""
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE / "manage.py"), "workspace_events_tail", target],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    return process, Lines(process.stdout), Lines(process.stderr)
