"""Real server processes of the example project, for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_project"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.05)


class ExampleProject:
    """The example project with its own SQLite file and environment."""

    def __init__(self, directory: Path, **environ: str) -> None:
        self.env = {
            **os.environ,
            "EXAMPLE_DB": str(directory / "db.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            **environ,
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.servers: dict[int, subprocess.Popen[bytes]] = {}
        self.logs = directory

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(EXAMPLE / "manage.py"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> Any:
        """Run ``code`` in ``manage.py shell``; it must print one JSON line last."""
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def serve(self, server: str = "uvicorn", port: int | None = None) -> int:
        """Start a server process; ``port`` reuses one (a restart), else a free one."""
        reused = port is not None
        port = port or free_port()
        if server == "uvicorn":
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "example_project.asgi:application",
                "--app-dir",
                str(EXAMPLE),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ]
        else:  # Daphne, through runserver
            command = [
                sys.executable,
                str(EXAMPLE / "manage.py"),
                "runserver",
                "--noreload",
                f"127.0.0.1:{port}",
            ]
        log = open(self.log_path(server, port), "ab" if reused else "wb")  # noqa: SIM115 - lives with the process
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.servers[port] = process
        wait_for_port(port, process)
        return port

    def log_path(self, server: str, port: int) -> Path:
        return self.logs / f"{server}-{port}.log"

    def stop_server(self, port: int) -> None:
        """Stop the server listening on ``port`` (and wait until it has exited)."""
        process = self.servers.pop(port)
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
