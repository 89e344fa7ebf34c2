"""The simulated workspace agent: connects, starts up, reports stats, shuts down.

What it emits follows Coder: a connection update when it connects, lifecycle updates
(with the agent id) as it starts, first logs once, an app health update when its app
turns healthy, then a stats update per report while the workspace runs. State changes
are saves of ``WorkspaceAgent`` (the model bridge publishes them); stats are not stored,
so they go out through ``workspace_events.emit``.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from django.utils import timezone

from workspace_events import WorkspaceEvent, WorkspaceEventKind, owner_id_for
from workspace_events.emit import aemit_workspace_event

from . import conf, leases
from .db import database_sync_to_async
from .models import Workspace, WorkspaceAgent

Lifecycle = WorkspaceAgent.Lifecycle
Connection = WorkspaceAgent.Connection

# The startup, in order: (field, value); a resumed agent skips the steps already done.
# ``first_log_at`` is set once, to the time the first log lines arrive.
STARTUP: tuple[tuple[str, object], ...] = (
    ("connection", Connection.CONNECTED),
    ("lifecycle_state", Lifecycle.STARTING),
    ("first_log_at", None),
    ("lifecycle_state", Lifecycle.READY),
    ("app_health", WorkspaceAgent.AppHealth.HEALTHY),
)


@dataclass(frozen=True)
class Identity:
    agent_id: uuid.UUID
    workspace_id: uuid.UUID
    owner_id: uuid.UUID
    done: frozenset[str]  # the startup fields already reported (a resumed agent)


@database_sync_to_async
def _identity(agent_id: uuid.UUID) -> Identity | None:
    agent = WorkspaceAgent.objects.select_related("workspace__owner").filter(pk=agent_id).first()
    if agent is None:
        return None
    done = {
        field
        for field, value in STARTUP
        if (
            agent.first_log_at is not None
            if field == "first_log_at"
            else _reached(agent, field, value)
        )
    }
    return Identity(
        agent.id, agent.workspace_id, owner_id_for(agent.workspace.owner), frozenset(done)
    )


def _reached(agent: WorkspaceAgent, field: str, value: object) -> bool:
    current = getattr(agent, field)
    if field == "lifecycle_state":
        order = list(Lifecycle.values)
        return order.index(current) >= order.index(str(value))
    return bool(current == value)


# What a look at the database says: go on, stop (the workspace no longer runs), or lost
# (another process took the lease over: leave everything to it).
RUN, STOP, LOST = "run", "stop", "lost"


@database_sync_to_async
def _check(agent_id: uuid.UUID, holder: str) -> str:
    if not leases.renew(WorkspaceAgent, agent_id, holder):
        return LOST
    running = WorkspaceAgent.objects.filter(
        pk=agent_id, workspace__status=Workspace.Status.RUNNING
    ).exists()
    return RUN if running else STOP


@database_sync_to_async
def _apply(agent_id: uuid.UUID, field: str, value: object) -> None:
    agent = WorkspaceAgent.objects.filter(pk=agent_id).first()
    if agent is None:
        return
    if field == "first_log_at":
        if agent.first_log_at is None:  # first logs happen once
            agent.report(field, timezone.now())
    else:
        agent.report(field, value)


@database_sync_to_async
def _shut_down(agent_id: uuid.UUID) -> None:
    agent = WorkspaceAgent.objects.filter(pk=agent_id).first()
    if agent is not None and agent.lifecycle_state in (Lifecycle.STARTING, Lifecycle.READY):
        agent.report("lifecycle_state", Lifecycle.SHUTTING_DOWN)


_release = database_sync_to_async(leases.release)


async def _pause(seconds: float, agent_id: uuid.UUID, holder: str) -> str:
    """Sleep, renewing the lease; return early with STOP or LOST."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        state = await _check(agent_id, holder)
        left = deadline - loop.time()
        if state != RUN or left <= 0:
            return state
        await asyncio.sleep(min(left, conf.POLL_INTERVAL))


async def run_agent(agent_id: uuid.UUID, holder: str) -> None:
    """Play the agent until its workspace stops; the caller holds its lease."""
    try:
        who = await _identity(agent_id)
        if who is None:
            return
        state = RUN
        for field, value in STARTUP:
            if field in who.done:
                continue
            state = await _pause(conf.step_seconds() / 2, agent_id, holder)
            if state != RUN:
                break
            await _apply(agent_id, field, value)
        while state == RUN:
            state = await _pause(conf.stats_interval(), agent_id, holder)
            if state == RUN:
                # The simulated user keeps a session open, so every report shows activity:
                # that is when Coder publishes a stats update.
                event = WorkspaceEvent(
                    WorkspaceEventKind.STATS_UPDATE, who.workspace_id, who.agent_id
                )
                await aemit_workspace_event(who.owner_id, event)
        if state == STOP:
            await _shut_down(agent_id)
    finally:
        await _release(WorkspaceAgent, agent_id, holder)
