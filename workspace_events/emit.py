"""Log an event, then publish it: the path every event of the app takes.

``send_*`` publish at once and raise ``PublishError``; the event stays logged, so clients
resuming with ``last_event_id`` still get it. ``emit_*`` wait for the surrounding
transaction on ``using`` to commit (nothing is sent if it rolls back) and log failures
instead of raising them: the change the event reports has already happened.
"""

from __future__ import annotations

import logging
import uuid

from asgiref.sync import sync_to_async
from django.db import DEFAULT_DB_ALIAS, transaction

from . import eventlog
from .channels import ALL_WORKSPACE_EVENT_CHANNEL, workspace_event_channel
from .eventlog import BUILD_UPDATE_KIND, Record
from .events import WorkspaceBuildUpdate, WorkspaceEvent
from .exceptions import PublishError, wrap_error
from .pubsub import Pubsub, get_pubsub
from .wire import parse_uuid

logger = logging.getLogger("workspace_events")


def _owner(owner_id: uuid.UUID | str) -> uuid.UUID:
    return owner_id if isinstance(owner_id, uuid.UUID) else parse_uuid(owner_id)


def event_record(owner_id: uuid.UUID | str, event: WorkspaceEvent) -> Record:
    """Validate ``event`` and describe it for the log; raises on bad input."""
    event.validate()
    owner = _owner(owner_id)
    return Record(
        channel=workspace_event_channel(owner),
        kind=str(event.kind),
        payload=event.to_json(),
        owner_id=owner,
        workspace_id=event.workspace_id,
        agent_id=event.agent_id,
    )


def build_record(update: WorkspaceBuildUpdate, owner_id: uuid.UUID | str | None = None) -> Record:
    """Describe ``update`` for the log; ``owner_id`` is recorded when the caller knows it."""
    return Record(
        channel=ALL_WORKSPACE_EVENT_CHANNEL,
        kind=BUILD_UPDATE_KIND,
        payload=update.to_json(),
        owner_id=None if owner_id is None else _owner(owner_id),
        workspace_id=update.workspace_id,
        build_id=update.build_id,
    )


def send(record: Record, *, pubsub: Pubsub | None = None) -> int | None:
    """Log ``record`` (if its kind is logged), then publish it; return its log id."""
    event_id = eventlog.write(record)
    try:
        (pubsub or get_pubsub()).publish(record.channel, record.payload, event_id=event_id)
    except Exception as exc:
        raise wrap_error(
            PublishError, f"publish {record.kind} on {record.channel}: ", exc
        ) from exc
    return event_id


async def asend(record: Record, *, pubsub: Pubsub | None = None) -> int | None:
    """Async twin of :func:`send`."""
    # Checked here too, so an unlogged kind skips the hop to a database thread.
    event_id = (
        await sync_to_async(eventlog.write)(record) if eventlog.is_logged(record.kind) else None
    )
    try:
        await (pubsub or get_pubsub()).apublish(record.channel, record.payload, event_id=event_id)
    except Exception as exc:
        raise wrap_error(
            PublishError, f"publish {record.kind} on {record.channel}: ", exc
        ) from exc
    return event_id


def _deliver(record: Record, pubsub: Pubsub | None) -> None:
    try:
        send(record, pubsub=pubsub)
    except Exception:
        logger.exception("workspace_events: could not send %s on %s", record.kind, record.channel)


def emit(record: Record, *, using: str | None = None, pubsub: Pubsub | None = None) -> None:
    """Send ``record`` once the transaction on ``using`` commits, or now outside one."""
    using = using or DEFAULT_DB_ALIAS
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(lambda: _deliver(record, pubsub), using=using)
    else:
        _deliver(record, pubsub)


async def aemit(record: Record, *, pubsub: Pubsub | None = None) -> None:
    """Send ``record`` now from async code (which holds no transaction); failures are logged."""
    try:
        await asend(record, pubsub=pubsub)
    except Exception:
        logger.exception("workspace_events: could not send %s on %s", record.kind, record.channel)


def emit_workspace_event(
    owner_id: uuid.UUID | str, event: WorkspaceEvent, *, using: str | None = None
) -> None:
    """Log and publish ``event`` on the owner's channel after the transaction commits.

    Raises ``InvalidWorkspaceEvent`` or ``ValueError`` at once for bad input.
    """
    emit(event_record(owner_id, event), using=using)


def emit_build_update(
    update: WorkspaceBuildUpdate,
    *,
    owner_id: uuid.UUID | str | None = None,
    using: str | None = None,
) -> None:
    """Log and publish ``update`` on ``workspace_updates:all`` after the transaction commits."""
    emit(build_record(update, owner_id), using=using)


async def aemit_workspace_event(owner_id: uuid.UUID | str, event: WorkspaceEvent) -> None:
    """Async twin of :func:`emit_workspace_event`."""
    await aemit(event_record(owner_id, event))


async def aemit_build_update(
    update: WorkspaceBuildUpdate, *, owner_id: uuid.UUID | str | None = None
) -> None:
    """Async twin of :func:`emit_build_update`."""
    await aemit(build_record(update, owner_id))
