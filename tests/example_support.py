"""Helpers for tests of the example project: its pure modules, a logged-in HTTP client,
and reading its WebSocket streams."""

from __future__ import annotations

import asyncio
import http.cookiejar
import importlib.util
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from websockets.asyncio.client import connect

from .servers import EXAMPLE

T = TypeVar("T")

# What a starting agent emits, in order (workspaces/agent.py).
AGENT_STARTUP = [
    "agt_connection_update",
    "agt_lifecycle_update",
    "agt_first_logs",
    "agt_lifecycle_update",
    "app_health",
]

# A quick, deterministic simulation: no build fails, every step takes a fifth of a second.
FAST = {
    "EXAMPLE_FAILURE_RATE": "0",
    "EXAMPLE_STEP_SECONDS": "0.2",
    "EXAMPLE_STATS_INTERVAL": "0.5",
}


def load_example_module(name: str) -> ModuleType:
    """Import ``example_project/workspaces/<name>.py``, one of the modules free of Django.

    Loaded under a name of its own, so the test process never puts the example project
    (whose package is also called ``example_project``) on ``sys.path``.
    """
    qualified = f"example_workspaces_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, EXAMPLE / "workspaces" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


def wait_for(probe: Callable[[], T | None], timeout: float = 20, what: str = "it") -> T:
    """Call ``probe`` until it returns something other than None (or False)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}; last saw {value!r}")
        time.sleep(0.05)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Session:
    """A browser-like client: cookies, CSRF token, no automatic redirects."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self, method: str, path: str, body: Any = None, *, raw: bytes | None = None
    ) -> tuple[int, dict[str, str], str]:
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        token = self.cookie("csrftoken")
        if token:
            headers["X-CSRFToken"] = token
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, dict(exc.headers), exc.read().decode()

    def json(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        status, _, text = self.request(method, path, body, **kwargs)
        return status, json.loads(text)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    def login(self, username: str, password: str = "demo") -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        assert status == 200
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf is not None
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf[1]}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/",
            data=form,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            self.opener.open(request, timeout=10).close()
        except urllib.error.HTTPError as exc:  # the redirect after a successful login
            exc.close()
        if not self.cookie("sessionid"):
            raise AssertionError(f"login as {username} failed")

    def state(self) -> dict[str, Any]:
        status, body = self.json("GET", "/workspaces/state/")
        assert status == 200, body
        return body

    def workspace(self, name: str) -> dict[str, Any]:
        return next(ws for ws in self.state()["workspaces"] if ws["name"] == name)

    def act(self, name: str, action: str) -> tuple[int, Any]:
        return self.json("POST", f"/workspaces/{self.workspace(name)['id']}/{action}/")

    def wait_status(self, name: str, status: str, timeout: float = 20) -> dict[str, Any]:
        return wait_for(
            lambda: (ws := self.workspace(name))["status"] == status and ws,
            timeout,
            f"{name} to be {status}",
        )


def session(port: int, username: str) -> Session:
    client = Session(port)
    client.login(username)
    return client


def new_workspace(client: Session, name: str) -> dict[str, Any]:
    status, body = client.json("POST", "/workspaces/new/", {"name": name})
    assert status == 201, body
    assert body["status"] == "stopped"
    return body


def socket(port: int, client: Session, path: str) -> Any:
    return connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers={"Cookie": client.cookie_header()},
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        open_timeout=10,
    )


async def read_until(
    ws: Any, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 20
) -> list[dict[str, Any]]:
    """Data frames (``{"id", "data"}``) until ``done(frames)``; fails after ``timeout``."""
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while not done(frames):
            frame = json.loads(await ws.recv())
            if frame["type"] == "data":
                frames.append(frame)
            else:
                assert frame == {"type": "ping"}, frame
    return frames


def of(workspace_id: str, frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame["data"]["workspace_id"] == workspace_id]


def kinds(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["data"]["kind"] for frame in frames]


def statuses(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["data"]["job_status"] for frame in frames]
