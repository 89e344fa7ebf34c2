"""Run the provisioner and agent simulators inside each server process.

They are tasks on the server's own event loop, started by the first request the process
serves (Daphne's runserver has no lifespan events; the first request also tells the
provisioner which address to post its reports to). Each process looks for work every
``POLL_INTERVAL`` and claims it through a lease, so with several workers each build and
each agent has exactly one simulator, and work left by a process that died is taken over.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from . import accounts, conf, leases
from .agent import run_agent
from .db import database_sync_to_async
from .models import Workspace, WorkspaceAgent, WorkspaceBuild
from .plan import ACTIVE_JOB_STATUSES
from .provisioner import run_job
from .reporting import Reporter

logger = logging.getLogger("workspaces.simulators")

# Seconds to wait after looking for work failed.
ERROR_PAUSE = 5.0

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def url_of(scope: Scope) -> str | None:
    """The base URL of the server that received ``scope``, as seen from this machine."""
    server = scope.get("server")
    if not server or server[1] is None:  # a Unix socket
        return None
    host, port = server
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@database_sync_to_async
def _claim_work(holder: str, busy: set[uuid.UUID]) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    builds = leases.claimable(
        WorkspaceBuild.objects.filter(job_status__in=ACTIVE_JOB_STATUSES), holder
    )
    agents = leases.claimable(
        WorkspaceAgent.objects.filter(workspace__status=Workspace.Status.RUNNING), holder
    )
    claimed_builds = [
        pk
        for pk in builds.exclude(pk__in=busy).values_list("pk", flat=True)
        if leases.claim(WorkspaceBuild, pk, holder)
    ]
    claimed_agents = [
        pk
        for pk in agents.exclude(pk__in=busy).values_list("pk", flat=True)
        if leases.claim(WorkspaceAgent, pk, holder)
    ]
    return claimed_builds, claimed_agents


class Simulators:
    """This process's simulators: one task per claimed build or agent."""

    def __init__(self, base_url: str) -> None:
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.base_url = base_url
        self.rng = random.Random()
        self.tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self.reporter: Reporter | None = None

    async def run(self) -> None:
        logger.info("simulators %s: reporting to %s", self.holder, self.base_url)
        while True:
            try:
                await self._poll()
            except Exception:  # not migrated yet, say: try again, without flooding the log
                logger.exception("simulators: looking for work failed")
                await asyncio.sleep(ERROR_PAUSE)
            await asyncio.sleep(conf.POLL_INTERVAL)

    async def _poll(self) -> None:
        if self.reporter is None:
            token = await database_sync_to_async(accounts.provisioner_token)()
            self.reporter = Reporter(self.base_url, token)
        builds, agents = await _claim_work(self.holder, set(self.tasks))
        for build_id in builds:
            self._spawn(build_id, run_job(build_id, self.holder, self.reporter, self.rng))
        for agent_id in agents:
            self._spawn(agent_id, run_agent(agent_id, self.holder))

    def _spawn(self, key: uuid.UUID, work: Awaitable[None]) -> None:
        async def guarded() -> None:
            try:
                await work
            except Exception:
                logger.exception("simulators: %s failed", key)
            finally:
                self.tasks.pop(key, None)

        self.tasks[key] = asyncio.get_running_loop().create_task(guarded())


_running: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def ensure_started(scope: Scope) -> None:
    """Start this loop's simulators once, when the first request arrives."""
    loop = asyncio.get_running_loop()
    if loop in _running or not conf.simulators_enabled():
        return
    base_url = conf.base_url() or url_of(scope)
    if base_url is None:
        logger.error(
            "simulators: the server's address is unknown (a Unix socket?): set "
            "EXAMPLE_BASE_URL (the WORKSPACES_BASE_URL setting) to where it can be reached"
        )
        return
    _running[loop] = loop.create_task(Simulators(base_url).run())


def with_simulators(app: ASGIApp) -> ASGIApp:
    """Wrap the ASGI application so its first HTTP or WebSocket request starts them."""

    async def application(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            ensure_started(scope)
        await app(scope, receive, send)

    return application
