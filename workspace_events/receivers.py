"""The app's receivers of its own signals (connected in ``AppConfig.ready``)."""

from __future__ import annotations

import uuid
from typing import Any

from .emit import emit_build_update, emit_workspace_event
from .events import WorkspaceBuildUpdate, WorkspaceEvent


def on_workspace_event(
    *,
    owner_id: uuid.UUID | str,
    event: WorkspaceEvent,
    using: str | None = None,
    **kwargs: Any,
) -> None:
    if not isinstance(event, WorkspaceEvent):
        raise TypeError(f"event must be a WorkspaceEvent, not {type(event).__name__}")
    emit_workspace_event(owner_id, event, using=using)


def on_build_update(
    *,
    update: WorkspaceBuildUpdate,
    owner_id: uuid.UUID | str | None = None,
    using: str | None = None,
    **kwargs: Any,
) -> None:
    if not isinstance(update, WorkspaceBuildUpdate):
        raise TypeError(f"update must be a WorkspaceBuildUpdate, not {type(update).__name__}")
    emit_build_update(update, owner_id=owner_id, using=using)
