"""The line protocol between the orchestrator and its worker processes.

A worker reads one JSON command per line on stdin and answers one JSON line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def serve(handlers: dict[str, Handler]) -> None:
    """Run a worker: dispatch each command to ``handlers[command["op"]]``."""
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        command = json.loads(line)
        if command["op"] == "exit":
            print(json.dumps({"ok": True}), flush=True)
            return
        print(json.dumps(await handlers[command["op"]](command)), flush=True)


class Worker:
    """The orchestrator's handle on one worker process."""

    def __init__(self, module: str, env: dict[str, str], cwd: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker exited with {self.process.wait()}")
        return json.loads(line)  # type: ignore[no-any-return]

    def call(self, **command: Any) -> dict[str, Any]:
        self.send(**command)
        return self.answer()

    def stop(self) -> None:
        try:
            self.call(op="exit")
            self.process.wait(10)
        except Exception:
            self.process.kill()


def all_call(workers: list[Worker], commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send each worker its command, then collect the answers: they run at the same time."""
    for worker, command in zip(workers, commands, strict=True):
        worker.send(**command)
    return [worker.answer() for worker in workers]
