"""What users and the provisioner do to workspaces, and the state pages show.

Every change is a save inside a transaction: the bridge publishes its event once the
transaction commits, so a watcher that refetches on an event reads the new state.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max

from workspace_events import WorkspaceBuildUpdate, owner_id_for, workspace_event_channel
from workspace_events.models import EventLogEntry

from . import plan
from .models import Workspace, WorkspaceAgent, WorkspaceBuild


class Conflict(Exception):
    """The action does not fit the workspace's current state (a build runs, say)."""


def actions(workspace: Workspace, build: WorkspaceBuild | None) -> dict[str, bool]:
    active = build.job_status if build is not None and build.active else None
    cancel_requested = build is not None and build.cancel_requested
    return plan.allowed_actions(workspace.status, active, cancel_requested)


def _locked(workspace_id: uuid.UUID) -> tuple[Workspace, WorkspaceBuild | None]:
    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    return workspace, workspace.latest_build()


def request_build(workspace_id: uuid.UUID, transition: str) -> WorkspaceBuild:
    """Queue a start or stop build; the provisioner picks it up. ``Conflict`` if not now."""
    with transaction.atomic():
        workspace, latest = _locked(workspace_id)
        if not actions(workspace, latest)[transition]:
            raise Conflict(f"cannot {transition} a workspace that is {workspace.status}")
        build = WorkspaceBuild.objects.create(
            workspace=workspace,
            build_number=1 if latest is None else latest.build_number + 1,
            transition=transition,
        )
        _follow(workspace, build)
    return build


def request_cancel(workspace_id: uuid.UUID) -> WorkspaceBuild:
    """Ask the provisioner to cancel the running build. ``Conflict`` if none can be."""
    with transaction.atomic():
        workspace, latest = _locked(workspace_id)
        if latest is None or not actions(workspace, latest)["cancel"]:
            raise Conflict(f"no build of this workspace can be cancelled ({workspace.status})")
        latest.cancel_requested = True
        latest.save(update_fields=["cancel_requested"])
    return latest


def advance(build_id: uuid.UUID, job_status: str) -> WorkspaceBuild:
    """Record the job status the provisioner reached; the workspace and agent follow."""
    with transaction.atomic():
        build = (
            WorkspaceBuild.objects.select_for_update().select_related("workspace").get(pk=build_id)
        )
        build.job_status = job_status
        build.save(update_fields=["job_status"])
        _follow(build.workspace, build)
        if job_status == plan.SUCCEEDED:
            if build.transition == plan.START:
                _new_agent(build.workspace)
            else:
                _agent_off(build.workspace)
    return build


def _follow(workspace: Workspace, build: WorkspaceBuild) -> None:
    status = plan.workspace_status(build.transition, build.job_status)
    if workspace.status != status:
        workspace.status = status
        workspace.save(update_fields=["status"])


def _new_agent(workspace: Workspace) -> None:
    # A start build (re)creates the agent; the agent simulator takes it from here.
    WorkspaceAgent.objects.filter(workspace=workspace).delete()
    WorkspaceAgent.objects.create(workspace=workspace)


def _agent_off(workspace: Workspace) -> None:
    agent = WorkspaceAgent.objects.filter(workspace=workspace).first()
    if agent is not None:
        agent.report("lifecycle_state", WorkspaceAgent.Lifecycle.OFF)
        agent.report("connection", WorkspaceAgent.Connection.DISCONNECTED)


def build_update(build: WorkspaceBuild) -> WorkspaceBuildUpdate:
    """What the provisioner reports about ``build`` on the build-updates endpoint."""
    return WorkspaceBuildUpdate(
        workspace_id=build.workspace_id,
        workspace_name=build.workspace.name,
        build_id=build.id,
        transition=build.transition,
        job_status=build.job_status,
        build_number=build.build_number,
    )


def snapshot(workspace: Workspace) -> dict[str, Any]:
    """One workspace as the page shows it."""
    build = workspace.latest_build()
    agent = WorkspaceAgent.objects.filter(workspace=workspace).first()
    return {
        "id": str(workspace.id),
        "name": workspace.name,
        "status": workspace.status,
        "build": None
        if build is None
        else {
            "id": str(build.id),
            "number": build.build_number,
            "transition": build.transition,
            "job_status": build.job_status,
            "cancel_requested": build.cancel_requested,
        },
        "agent": None
        if agent is None
        else {
            "id": str(agent.id),
            "name": agent.name,
            "lifecycle_state": agent.lifecycle_state,
            "connection": agent.connection,
            "first_logs": agent.first_log_at is not None,
            "app_health": agent.app_health,
        },
        "actions": actions(workspace, build),
    }


def last_event_id(channel: str) -> int:
    found = EventLogEntry.objects.filter(channel=channel).aggregate(last=Max("id"))["last"]
    return int(found or 0)


def owner_state(user: Any) -> dict[str, Any]:
    """Everything the "my workspaces" page shows, and the event id it is current to."""
    # The id first: any change after it has a larger id, so resuming from it misses nothing.
    cursor = last_event_id(workspace_event_channel(owner_id_for(user)))
    workspaces = Workspace.objects.filter(owner=user).order_by("name")
    return {"last_event_id": cursor, "workspaces": [snapshot(ws) for ws in workspaces]}
