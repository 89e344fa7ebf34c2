"""Live workspace events for Django, after Coder's ``wspubsub``."""

from __future__ import annotations

from .channels import ALL_WORKSPACE_EVENT_CHANNEL, group_name, workspace_event_channel
from .enums import ProvisionerJobStatus, WorkspaceEventKind, WorkspaceTransition
from .events import WorkspaceBuildUpdate, WorkspaceEvent
from .exceptions import (
    ConfigurationError,
    DroppedMessages,
    InvalidMessage,
    InvalidWorkspaceEvent,
    PublishError,
    PubsubError,
    WorkspaceEventsError,
)
from .handlers import handle_workspace_build_update, handle_workspace_event
from .owners import owner_id_for
from .publishing import (
    apublish_workspace_build_update,
    apublish_workspace_event,
    publish_workspace_build_update,
    publish_workspace_event,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "ALL_WORKSPACE_EVENT_CHANNEL",
    "ConfigurationError",
    "DroppedMessages",
    "InvalidMessage",
    "InvalidWorkspaceEvent",
    "ProvisionerJobStatus",
    "PublishError",
    "PubsubError",
    "WorkspaceBuildUpdate",
    "WorkspaceEvent",
    "WorkspaceEventKind",
    "WorkspaceEventsError",
    "WorkspaceTransition",
    "apublish_workspace_build_update",
    "apublish_workspace_event",
    "group_name",
    "handle_workspace_build_update",
    "handle_workspace_event",
    "owner_id_for",
    "publish_workspace_build_update",
    "publish_workspace_event",
    "workspace_event_channel",
]
