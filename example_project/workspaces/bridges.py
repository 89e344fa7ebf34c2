"""Which saves become which workspace events, declared once through the model bridge.

The triggers follow Coder (``shared/reference/coder-behaviour.md``): a build that is
created, cancelled or moves on is a ``state_change``; a rename is a ``mtd_update``; each
agent change has its own kind. Saves that change nothing worth telling (a workspace's
status, which a build change already announced) emit nothing.
"""

from __future__ import annotations

from workspace_events import WorkspaceEventKind, bridge

from .models import Workspace, WorkspaceAgent, WorkspaceBuild

# The agent field whose change each kind reports, in the order a save is checked.
AGENT_KINDS = (
    ("lifecycle_state", WorkspaceEventKind.AGENT_LIFECYCLE_UPDATE),
    ("connection", WorkspaceEventKind.AGENT_CONNECTION_UPDATE),
    ("first_log_at", WorkspaceEventKind.AGENT_FIRST_LOGS),
    ("app_health", WorkspaceEventKind.APP_HEALTH_UPDATE),
)


def workspace_kind(workspace: Workspace, created: bool | None) -> str | None:
    if created or created is None:  # created or deleted
        return WorkspaceEventKind.STATE_CHANGE
    if "name" in workspace.changed():
        return WorkspaceEventKind.METADATA_UPDATE
    return None


def build_kind(build: WorkspaceBuild, created: bool | None) -> str | None:
    if created or build.changed():
        return WorkspaceEventKind.STATE_CHANGE
    return None


def agent_kind(agent: WorkspaceAgent, created: bool | None) -> str | None:
    if created:  # a start build created it; that build's own events announce it
        return None
    changed = agent.changed()
    for field, kind in AGENT_KINDS:
        if field in changed:
            return kind
    return None


def register() -> None:
    """Called from ``WorkspacesConfig.ready()``."""
    bridge.register(Workspace, kind=workspace_kind, owner="owner")
    bridge.register(
        WorkspaceBuild,
        kind=build_kind,
        owner="workspace__owner",
        workspace="workspace_id",
        on=["save"],  # deleted with their workspace, whose deletion is the event
    )
    bridge.register(
        WorkspaceAgent,
        kind=agent_kind,
        owner="workspace__owner",
        workspace="workspace_id",
        agent="pk",
        on=["save"],
    )
