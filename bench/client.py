"""A load-client process: holds WebSockets and records publish-to-client latency.

Each data frame carries its step number and publish time in its payload
(``..."step":3,"ts":1733330000.123456}``); the client notes ``now - ts`` for every frame
of the current step, and counts frames of earlier steps apart.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from .procs import self_cpu
from .worker import serve


class Client:
    def __init__(self) -> None:
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.latencies: list[float] = []
        self.step = -1
        self.stale = 0
        self.last_frame = 0.0
        self.started_cpu = 0.0

    async def open(self, command: dict[str, Any]) -> dict[str, Any]:
        limit = asyncio.Semaphore(20)

        async def one(token: str) -> None:
            async with limit:
                socket = await connect(
                    command["url"],
                    additional_headers={"Authorization": f"Token {token}"},
                    compression=None,
                    open_timeout=120,
                    max_queue=None,
                )
                if command["ping"]:
                    await socket.recv()  # the subscription is live
                self.sockets.append(socket)
                self.readers.append(asyncio.create_task(self.read(socket)))

        await asyncio.gather(*(one(token) for token in command["tokens"]))
        return {"open": len(self.sockets)}

    async def read(self, socket: ClientConnection) -> None:
        try:
            async for text in socket:
                start = text.find('"step":')  # type: ignore[arg-type]
                if start < 0:
                    continue  # ping
                now = time.time()
                stamp = text.find(',"ts":', start)  # type: ignore[arg-type]
                if int(text[start + 7 : stamp]) != self.step:
                    self.stale += 1
                    continue
                self.latencies.append(now - float(text[stamp + 6 : text.find("}", stamp)]))  # type: ignore[arg-type]
                self.last_frame = now
        except Exception:
            return

    async def start(self, command: dict[str, Any]) -> dict[str, Any]:
        self.latencies = []
        self.stale = 0
        self.step = command["step"]
        self.last_frame = time.time()
        self.started_cpu = self_cpu()
        return {"ok": True}

    async def stop(self, command: dict[str, Any]) -> dict[str, Any]:
        # Wait for frames still in flight: until none came for a while, within a limit.
        deadline = time.time() + command.get("max_drain", 10.0)
        while time.time() < deadline and time.time() - self.last_frame < command.get("quiet", 0.5):  # noqa: ASYNC110 - polls a clock, not a flag
            await asyncio.sleep(0.05)
        latencies, self.step = self.latencies, -1
        return {
            "count": len(latencies),
            "stale": self.stale,
            "latencies_ms": [round(value * 1000, 3) for value in latencies],
            "cpu": self_cpu() - self.started_cpu,
        }

    async def close(self, command: dict[str, Any]) -> dict[str, Any]:
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        self.sockets.clear()
        self.readers.clear()
        return {"ok": True}


async def main() -> None:
    client = Client()
    await serve(
        {"open": client.open, "start": client.start, "stop": client.stop, "close": client.close}
    )


if __name__ == "__main__":
    asyncio.run(main())
