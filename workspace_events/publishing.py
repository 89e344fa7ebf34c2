"""Publish typed events on their channels (Coder's ``PublishWorkspaceBuildUpdate``)."""

from __future__ import annotations

import uuid

from .channels import ALL_WORKSPACE_EVENT_CHANNEL, workspace_event_channel
from .events import WorkspaceBuildUpdate, WorkspaceEvent
from .exceptions import PublishError, wrap_error
from .pubsub import Pubsub


def publish_workspace_build_update(
    pubsub: Pubsub, update: WorkspaceBuildUpdate, *, event_id: int | None = None
) -> None:
    """Publish ``update`` on ``workspace_updates:all``; failures raise ``PublishError``."""
    try:
        pubsub.publish(ALL_WORKSPACE_EVENT_CHANNEL, update.to_json(), event_id=event_id)
    except Exception as exc:
        raise wrap_error(PublishError, "publish workspace build update: ", exc) from exc


async def apublish_workspace_build_update(
    pubsub: Pubsub, update: WorkspaceBuildUpdate, *, event_id: int | None = None
) -> None:
    """Async twin of :func:`publish_workspace_build_update`."""
    try:
        await pubsub.apublish(ALL_WORKSPACE_EVENT_CHANNEL, update.to_json(), event_id=event_id)
    except Exception as exc:
        raise wrap_error(PublishError, "publish workspace build update: ", exc) from exc


def publish_workspace_event(
    pubsub: Pubsub,
    owner_id: uuid.UUID | str,
    event: WorkspaceEvent,
    *,
    event_id: int | None = None,
) -> None:
    """Validate ``event``, then publish it on the owner's channel.

    Raises ``InvalidWorkspaceEvent`` (nothing published) or ``PublishError``.
    """
    event.validate()
    channel = workspace_event_channel(owner_id)
    try:
        pubsub.publish(channel, event.to_json(), event_id=event_id)
    except Exception as exc:
        raise wrap_error(PublishError, "publish workspace event: ", exc) from exc


async def apublish_workspace_event(
    pubsub: Pubsub,
    owner_id: uuid.UUID | str,
    event: WorkspaceEvent,
    *,
    event_id: int | None = None,
) -> None:
    """Async twin of :func:`publish_workspace_event`."""
    event.validate()
    channel = workspace_event_channel(owner_id)
    try:
        await pubsub.apublish(channel, event.to_json(), event_id=event_id)
    except Exception as exc:
        raise wrap_error(PublishError, "publish workspace event: ", exc) from exc
