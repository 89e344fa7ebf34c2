"""Writing to and reading from the event log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import router

from .conf import conf
from .models import EventLogEntry

# The kind recorded for build updates, which have no WorkspaceEventKind.
BUILD_UPDATE_KIND = "build_update"


@dataclass(frozen=True, slots=True)
class Record:
    """What the log keeps about one event, besides its id and time."""

    channel: str
    kind: str
    payload: bytes
    owner_id: uuid.UUID | None = None
    workspace_id: uuid.UUID | None = None
    agent_id: uuid.UUID | None = None
    build_id: uuid.UUID | None = None


def is_logged(kind: str) -> bool:
    """Whether events of ``kind`` are recorded (``WORKSPACE_EVENTS_LOG``, ``…_UNLOGGED_KINDS``)."""
    return conf.LOG and kind not in conf.UNLOGGED_KINDS


def write(record: Record) -> int | None:
    """Record ``record`` if its kind is logged, committed at once; return its id."""
    if not is_logged(record.kind):
        return None
    # Callers write outside any transaction (emit waits for the commit), so this single
    # INSERT commits by itself: the row is visible to a client resuming from its id the
    # moment the event arrives, and costs one round trip.
    entry = EventLogEntry.objects.using(router.db_for_write(EventLogEntry)).create(
        channel=record.channel,
        kind=record.kind,
        owner_id=record.owner_id,
        workspace_id=record.workspace_id,
        agent_id=record.agent_id,
        build_id=record.build_id,
        payload=record.payload.decode(),
    )
    return entry.id


@dataclass(frozen=True, slots=True)
class Logged:
    """One logged event as a reader sees it."""

    id: int
    channel: str
    payload: str
    created_at: datetime


def read_after(
    channel: str,
    after: int,
    *,
    workspace_id: uuid.UUID | None = None,
    limit: int | None = None,
    batch_size: int = 500,
) -> Iterator[Logged]:
    """Events of ``channel`` with an id above ``after``, in id order, fetched in batches."""
    using = router.db_for_read(EventLogEntry)
    remaining = limit
    while remaining is None or remaining > 0:
        size = batch_size if remaining is None else min(batch_size, remaining)
        query = EventLogEntry.objects.using(using).filter(channel=channel, id__gt=after)
        if workspace_id is not None:
            query = query.filter(workspace_id=workspace_id)
        rows = list(
            query.order_by("id").values_list("id", "channel", "payload", "created_at")[:size]
        )
        for row in rows:
            yield Logged(*row)
        if len(rows) < size:
            return
        after = rows[-1][0]
        if remaining is not None:
            remaining -= len(rows)
