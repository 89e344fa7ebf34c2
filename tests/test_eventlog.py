from __future__ import annotations

import uuid

import pytest

from workspace_events.eventlog import Record, is_logged, read_after, write
from workspace_events.models import EventLogEntry

W1, W2 = uuid.UUID(int=1), uuid.UUID(int=2)


def record(channel: str = "c", workspace: uuid.UUID = W1, kind: str = "state_change") -> Record:
    return Record(channel=channel, kind=kind, payload=b'{"n":1}', workspace_id=workspace)


@pytest.mark.django_db
def test_ids_are_monotonic() -> None:
    ids = [write(record()) for _ in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5


@pytest.mark.django_db
def test_read_after_gives_one_channel_in_id_order() -> None:
    ids = []
    for n in range(12):
        ids.append(write(record("c" if n % 3 else "other", W1 if n % 2 else W2)))
    mine = [i for n, i in enumerate(ids) if n % 3]
    assert [e.id for e in read_after("c", 0, batch_size=4)] == mine
    assert [e.id for e in read_after("c", mine[2], batch_size=4)] == mine[3:]
    assert [e.id for e in read_after("c", 0, limit=5, batch_size=2)] == mine[:5]
    in_w1 = [i for n, i in enumerate(ids) if n % 3 and n % 2]
    assert [e.id for e in read_after("c", 0, workspace_id=W1)] == in_w1
    assert list(read_after("none", 0)) == []
    entry = next(read_after("c", 0))
    assert (entry.channel, entry.payload) == ("c", '{"n":1}')


@pytest.mark.django_db
def test_payload_is_stored_exactly() -> None:
    payload = '{"kind":"x<\\u003c>","workspace_id":"00000000-0000-0000-0000-000000000001"}'
    event_id = write(Record(channel="c", kind="x", payload=payload.encode()))
    assert EventLogEntry.objects.get(id=event_id).payload == payload


def test_is_logged_follows_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    assert is_logged("stats_update")
    settings.WORKSPACE_EVENTS_UNLOGGED_KINDS = ["stats_update"]
    assert not is_logged("stats_update")
    assert is_logged("state_change")
    settings.WORKSPACE_EVENTS_LOG = False
    assert not is_logged("state_change")


@pytest.mark.django_db
def test_unlogged_kind_writes_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WORKSPACE_EVENTS_UNLOGGED_KINDS = {"stats_update"}
    assert write(record(kind="stats_update")) is None
    assert EventLogEntry.objects.count() == 0
