"""Real Redis for the tests: the shared server, and private servers tests may kill.

A test that needs Redis and finds none fails when ``CI=true`` and is skipped, with the
reason shown, otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

SHARED_HOST = "127.0.0.1"
SHARED_PORT = 6379


def ping(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def require_redis(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: Redis is required)")
    pytest.skip(reason)


def shared_redis_url() -> str:
    if not ping(SHARED_HOST, SHARED_PORT):
        require_redis(f"no Redis server answers at {SHARED_HOST}:{SHARED_PORT}")
    return f"redis://{SHARED_HOST}:{SHARED_PORT}/0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own on a free port, to kill and restart at will."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            require_redis("redis-server is not installed")
        self.binary = str(binary)
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="workspace-events-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not ping("127.0.0.1", self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the server: connections drop, all data is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()


def unique_prefix() -> str:
    """A key prefix of the test's own, so tests sharing one Redis never collide."""
    return f"wse-test-{uuid.uuid4().hex[:12]}"
