"""Logging then publishing, and when: after commit, on the right alias, never on rollback."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import override_settings

from workspace_events import (
    InvalidWorkspaceEvent,
    PublishError,
    WorkspaceBuildUpdate,
    WorkspaceEvent,
    workspace_event_channel,
)
from workspace_events.emit import (
    aemit_build_update,
    aemit_workspace_event,
    build_record,
    emit_build_update,
    emit_workspace_event,
    event_record,
    send,
)
from workspace_events.models import EventLogEntry
from workspace_events.pubsub import MemoryPubsub

from .conftest import only_marker_follows

OWNER = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
CHANNEL = workspace_event_channel(OWNER)
W1, W2 = uuid.UUID(int=1), uuid.UUID(int=2)
UPDATE = WorkspaceBuildUpdate(
    workspace_id=W1,
    build_id=uuid.UUID(int=3),
    transition="start",
    job_status="pending",
    build_number=1,
)

transactional = pytest.mark.django_db(transaction=True, databases=["default", "other"])


def kinds_logged() -> list[str]:
    return list(EventLogEntry.objects.order_by("id").values_list("kind", flat=True))


@transactional
def test_outside_a_transaction_goes_at_once_with_a_log_id(watch) -> None:
    got = watch(CHANNEL)
    emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
    ((delivery, err),) = got.wait(1)
    entry = EventLogEntry.objects.get()
    assert err is None
    assert delivery.event_id == entry.id
    assert (
        delivery.message == entry.payload.encode() == WorkspaceEvent("state_change", W1).to_json()
    )
    assert (entry.channel, entry.kind, entry.owner_id, entry.workspace_id) == (
        CHANNEL,
        "state_change",
        OWNER,
        W1,
    )


@transactional
def test_commit_publishes_once_with_a_log_row(watch) -> None:
    got = watch(CHANNEL)
    with transaction.atomic():
        emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
        assert EventLogEntry.objects.count() == 0  # not before the commit
        assert only_marker_follows(got, CHANNEL) == []
        got.calls.clear()
    ((delivery, _),) = got.wait(1)
    assert delivery.event_id == EventLogEntry.objects.get().id
    assert only_marker_follows(got, CHANNEL) == [(delivery, None)]


@transactional
def test_rollback_publishes_and_logs_nothing(watch) -> None:
    got = watch(CHANNEL)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
        raise RuntimeError("roll back")
    assert only_marker_follows(got, CHANNEL) == []
    assert EventLogEntry.objects.count() == 0


@transactional
def test_savepoint_rollback_keeps_only_the_outer_events(watch) -> None:
    got = watch(CHANNEL)
    with transaction.atomic():
        emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
        try:
            with transaction.atomic():
                emit_workspace_event(OWNER, WorkspaceEvent("mtd_update", W2))
                raise RuntimeError("roll back the savepoint")
        except RuntimeError:
            pass
        emit_workspace_event(OWNER, WorkspaceEvent("stats_update", W1))
    calls = only_marker_follows(got, CHANNEL)
    assert [WorkspaceEvent.from_json(d.message).kind for d, _ in calls] == [
        "state_change",
        "stats_update",
    ]
    assert kinds_logged() == ["state_change", "stats_update"]


@transactional
def test_a_second_alias_commits_independently(watch) -> None:
    got = watch(CHANNEL)
    with transaction.atomic(using="other"):
        with transaction.atomic(using="default"):
            emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1), using="other")
            emit_workspace_event(OWNER, WorkspaceEvent("mtd_update", W1), using="default")
        # "default" committed: its event is out; the one on "other" still waits.
        calls = only_marker_follows(got, CHANNEL)
        assert [WorkspaceEvent.from_json(d.message).kind for d, _ in calls] == ["mtd_update"]
        got.calls.clear()
    calls = only_marker_follows(got, CHANNEL)
    assert [WorkspaceEvent.from_json(d.message).kind for d, _ in calls] == ["state_change"]


@transactional
def test_rollback_on_the_other_alias_drops_only_its_events(watch) -> None:
    got = watch(CHANNEL)
    with pytest.raises(RuntimeError), transaction.atomic(using="other"):
        emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1), using="other")
        emit_workspace_event(OWNER, WorkspaceEvent("mtd_update", W1))  # default: autocommit
        raise RuntimeError("roll back other")
    calls = only_marker_follows(got, CHANNEL)
    assert [WorkspaceEvent.from_json(d.message).kind for d, _ in calls] == ["mtd_update"]


@transactional
def test_bad_input_raises_and_changes_nothing(watch) -> None:
    got = watch(CHANNEL)
    with pytest.raises(InvalidWorkspaceEvent, match="agentID must be set"):
        emit_workspace_event(OWNER, WorkspaceEvent("agt_lifecycle_update", W1))
    with pytest.raises(ValueError, match="invalid UUID"):
        emit_workspace_event("not-an-owner", WorkspaceEvent("state_change", W1))
    assert only_marker_follows(got, CHANNEL) == []
    assert EventLogEntry.objects.count() == 0


@transactional
def test_build_updates_are_logged_with_their_build(watch) -> None:
    got = watch("workspace_updates:all")
    with transaction.atomic():
        emit_build_update(UPDATE, owner_id=OWNER)
    ((delivery, _),) = got.wait(1)
    entry = EventLogEntry.objects.get()
    assert (entry.kind, entry.build_id, entry.owner_id, entry.workspace_id) == (
        "build_update",
        UPDATE.build_id,
        OWNER,
        W1,
    )
    assert delivery.event_id == entry.id
    assert delivery.message == UPDATE.to_json()


@transactional
@override_settings(WORKSPACE_EVENTS_UNLOGGED_KINDS={"stats_update"})
def test_unlogged_kinds_are_published_without_an_id(watch) -> None:
    got = watch(CHANNEL)
    emit_workspace_event(OWNER, WorkspaceEvent("stats_update", W1))
    emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
    (first, _), (second, _) = got.wait(2)
    assert first.event_id is None
    assert second.event_id == EventLogEntry.objects.get().id
    assert kinds_logged() == ["state_change"]


@transactional
@override_settings(WORKSPACE_EVENTS_LOG=False)
def test_the_log_can_be_switched_off(watch) -> None:
    got = watch(CHANNEL)
    emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
    ((delivery, _),) = got.wait(1)
    assert delivery.event_id is None
    assert EventLogEntry.objects.count() == 0


@transactional
def test_publish_failure_keeps_the_event_logged() -> None:
    closed = MemoryPubsub()
    closed.close()
    with pytest.raises(PublishError, match=r"^publish state_change on workspace_owner:"):
        send(event_record(OWNER, WorkspaceEvent("state_change", W1)), pubsub=closed)
    assert kinds_logged() == ["state_change"]


@transactional
def test_emit_logs_publish_failures_instead_of_raising(caplog: pytest.LogCaptureFixture) -> None:
    with (
        override_settings(WORKSPACE_EVENTS_PUBSUB="tests.test_emit.closed_pubsub"),
        transaction.atomic(),
    ):
        emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))
    assert "could not send state_change on workspace_owner:" in caplog.text
    assert kinds_logged() == ["state_change"]


def closed_pubsub() -> MemoryPubsub:
    pubsub = MemoryPubsub()
    pubsub.close()
    return pubsub


@transactional
async def test_emitting_from_async_code(watch) -> None:
    got = await sync_to_async(watch)(CHANNEL)
    builds = await sync_to_async(watch)("workspace_updates:all")
    await aemit_workspace_event(OWNER, WorkspaceEvent("agt_first_logs", W1, W2))
    await aemit_build_update(UPDATE)
    ((delivery, _),) = await got.await_calls(1)
    ((build, _),) = await builds.await_calls(1)
    ids = await sync_to_async(
        lambda: list(EventLogEntry.objects.order_by("id").values_list("id", flat=True))
    )()
    assert [delivery.event_id, build.event_id] == ids
    with pytest.raises(InvalidWorkspaceEvent):
        await aemit_workspace_event(OWNER, WorkspaceEvent("", W1))


@transactional
def test_emitting_from_a_sync_view_inside_async_code(watch) -> None:
    """Sync code called through sync_to_async (an async view's ORM block) works too."""
    got = watch(CHANNEL)

    def view_body() -> None:
        with transaction.atomic():
            emit_workspace_event(OWNER, WorkspaceEvent("state_change", W1))

    async def async_view() -> None:
        await sync_to_async(view_body)()

    import asyncio

    asyncio.run(async_view())
    ((delivery, _),) = got.wait(1)
    assert delivery.event_id == EventLogEntry.objects.get().id


def test_records_describe_events() -> None:
    record = event_record(str(OWNER), WorkspaceEvent("agt_lifecycle_update", W1, W2))
    assert (
        record.channel,
        record.kind,
        record.owner_id,
        record.workspace_id,
        record.agent_id,
    ) == (
        CHANNEL,
        "agt_lifecycle_update",
        OWNER,
        W1,
        W2,
    )
    assert build_record(UPDATE).owner_id is None
