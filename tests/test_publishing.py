from __future__ import annotations

import uuid

import pytest
from django.test import override_settings

from workspace_events import (
    ALL_WORKSPACE_EVENT_CHANNEL,
    InvalidWorkspaceEvent,
    PublishError,
    WorkspaceBuildUpdate,
    WorkspaceEvent,
    apublish_workspace_build_update,
    apublish_workspace_event,
    publish_workspace_build_update,
    publish_workspace_event,
    workspace_event_channel,
)
from workspace_events.pubsub import ChannelLayerPubsub, Delivery, MemoryPubsub

from .helpers import Recorder

OWNER = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
W = uuid.UUID("00000000-0000-4000-8000-00000000000a")
UPDATE = WorkspaceBuildUpdate(
    workspace_id=W,
    workspace_name="dev",
    build_id=uuid.UUID(int=9),
    transition="start",
    job_status="succeeded",
    build_number=3,
)


def test_build_update_goes_to_the_all_channel(sync_memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    sync_memory_pubsub.subscribe_deliveries(ALL_WORKSPACE_EVENT_CHANNEL, got)
    publish_workspace_build_update(sync_memory_pubsub, UPDATE, event_id=5)
    assert got.wait(1) == [(Delivery(ALL_WORKSPACE_EVENT_CHANNEL, UPDATE.to_json(), 5), None)]


def test_event_goes_to_the_owner_channel(sync_memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    sync_memory_pubsub.subscribe(workspace_event_channel(OWNER), got)
    event = WorkspaceEvent("state_change", W)
    publish_workspace_event(sync_memory_pubsub, str(OWNER), event)
    assert got.wait(1) == [(event.to_json(),)]


def test_invalid_event_is_not_published(sync_memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    sync_memory_pubsub.subscribe(workspace_event_channel(OWNER), got)
    with pytest.raises(InvalidWorkspaceEvent, match="agentID must be set"):
        publish_workspace_event(
            sync_memory_pubsub, OWNER, WorkspaceEvent("agt_lifecycle_update", W)
        )
    with pytest.raises(ValueError, match="invalid UUID"):
        publish_workspace_event(sync_memory_pubsub, "nope", WorkspaceEvent("state_change", W))
    sync_memory_pubsub.publish(workspace_event_channel(OWNER), b"marker")
    assert got.wait(1) == [(b"marker",)]


def test_failed_build_update_publish_raises_publish_error() -> None:
    pubsub = MemoryPubsub()
    pubsub.close()
    with pytest.raises(PublishError) as info:
        publish_workspace_build_update(pubsub, UPDATE)
    assert str(info.value).startswith("publish workspace build update: ")
    assert isinstance(info.value.__cause__, PublishError)


async def test_async_twins_report_layer_failures() -> None:
    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "tests.layers.FaultyLayer"}}):
        from channels.layers import get_channel_layer

        pubsub = ChannelLayerPubsub()
        get_channel_layer().failing.add("group_send")
        with pytest.raises(PublishError) as info:
            await apublish_workspace_build_update(pubsub, UPDATE)
        assert str(info.value) == (
            "publish workspace build update: "
            "publish 'workspace_updates:all': group_send failed on purpose"
        )
        assert isinstance(info.value.__cause__.__cause__, ConnectionError)  # type: ignore[union-attr]
        with pytest.raises(PublishError, match=r"^publish workspace event: "):
            await apublish_workspace_event(pubsub, OWNER, WorkspaceEvent("state_change", W))
        with pytest.raises(InvalidWorkspaceEvent):
            await apublish_workspace_event(pubsub, OWNER, WorkspaceEvent("", W))
        await pubsub.aclose()


async def test_async_twins_publish(memory_pubsub: MemoryPubsub) -> None:
    got = Recorder()
    await memory_pubsub.asubscribe(ALL_WORKSPACE_EVENT_CHANNEL, got.acall)
    await memory_pubsub.asubscribe(workspace_event_channel(OWNER), got.acall)
    await apublish_workspace_build_update(memory_pubsub, UPDATE)
    await apublish_workspace_event(memory_pubsub, OWNER, WorkspaceEvent("state_change", W))
    calls = await got.await_calls(2)
    assert sorted(call[0] for call in calls) == sorted(
        [UPDATE.to_json(), WorkspaceEvent("state_change", W).to_json()]
    )
