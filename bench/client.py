"""A load-client process: holds WebSockets and records publish-to-client latency.

Each data frame carries its step number and publish time in its payload
(``..."step":3,"ts":1733330000.123456}``); the client notes ``now - ts`` for every frame
of the current step, and counts frames of earlier steps apart.

The client speaks just enough WebSocket to read server frames (a handshake, then
unmasked frame headers) on a bare ``asyncio.Protocol``: a general client library costs
several times more CPU per frame, and on two cores the load client must not take the
server's share.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from typing import Any
from urllib.parse import urlsplit

from .procs import self_cpu
from .worker import serve

TEXT, CLOSE = 0x1, 0x8


class Client:
    def __init__(self) -> None:
        self.sockets: list[FrameReader] = []
        self.latencies: list[float] = []
        self.step = -1
        self.stale = 0
        self.last_frame = 0.0
        self.started_cpu = 0.0

    def frame(self, text: bytes) -> None:
        start = text.find(b'"step":')
        if start < 0:
            return  # ping
        now = time.time()
        stamp = text.find(b',"ts":', start)
        if int(text[start + 7 : stamp]) != self.step:
            self.stale += 1
            return
        self.latencies.append(now - float(text[stamp + 6 : text.find(b"}", stamp)]))
        self.last_frame = now

    async def open(self, command: dict[str, Any]) -> dict[str, Any]:
        url = urlsplit(command["url"])
        loop = asyncio.get_running_loop()
        limit = asyncio.Semaphore(20)

        async def one(token: str) -> None:
            async with limit:
                ready: asyncio.Future[None] = loop.create_future()
                await loop.create_connection(
                    lambda: FrameReader(self, ready, url, token, command["ping"]),
                    url.hostname,
                    url.port,
                )
                await asyncio.wait_for(ready, 120)

        before = len(self.sockets)
        await asyncio.gather(*(one(token) for token in command["tokens"]))
        return {"open": len(self.sockets) - before}

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
        quiet = command.get("quiet", 0.5)
        while time.time() < deadline and time.time() - self.last_frame < quiet:  # noqa: ASYNC110 - polls a clock
            await asyncio.sleep(0.05)
        latencies, self.step = self.latencies, -1
        return {
            "count": len(latencies),
            "stale": self.stale,
            "latencies_ms": [round(value * 1000, 3) for value in latencies],
            "cpu": self_cpu() - self.started_cpu,
        }

    async def close(self, command: dict[str, Any]) -> dict[str, Any]:
        for socket in self.sockets:
            socket.transport.close()
        self.sockets.clear()
        await asyncio.sleep(0.5)  # let the server see them go
        return {"ok": True}


class FrameReader(asyncio.Protocol):
    """One WebSocket: the client's handshake, then the server's frames, read only."""

    transport: asyncio.Transport

    def __init__(
        self, client: Client, ready: asyncio.Future[None], url: Any, token: str, ping: bool
    ) -> None:
        self.client = client
        self.ready = ready
        self.request = (
            f"GET {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            f"Authorization: Token {token}\r\n\r\n"
        ).encode()
        self.wait_for_ping = ping  # our consumer's first frame says the subscription is live
        self.buffer = bytearray()
        self.upgraded = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(RuntimeError(bytes(buffer[:end]).decode()))
                self.transport.close()
                return
            del buffer[: end + 4]
            self.upgraded = True
            self.client.sockets.append(self)
            if not self.wait_for_ping:
                self.ready.set_result(None)
        position, size = 0, len(buffer)
        while size - position >= 2:
            length, header = buffer[position + 1] & 0x7F, 2
            if length == 126:
                if size - position < 4:
                    break
                length, header = int.from_bytes(buffer[position + 2 : position + 4], "big"), 4
            elif length == 127:
                if size - position < 10:
                    break
                length, header = int.from_bytes(buffer[position + 2 : position + 10], "big"), 10
            if size - position < header + length:
                break
            opcode = buffer[position] & 0x0F
            if opcode == TEXT:
                self.client.frame(bytes(buffer[position + header : position + header + length]))
                if not self.ready.done():
                    self.ready.set_result(None)
            elif opcode == CLOSE:
                self.transport.close()
            position += header + length
        del buffer[:position]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed during the handshake"))


async def main() -> None:
    client = Client()
    await serve(
        {"open": client.open, "start": client.start, "stop": client.stop, "close": client.close}
    )


if __name__ == "__main__":
    try:  # uvloop's socket reads cost the client less CPU than asyncio's
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
