"""``workspace_events_tail``: bad arguments, the lines it prints, and a real tail over Redis."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from workspace_events import (
    DroppedMessages,
    InvalidMessage,
    PubsubError,
    WorkspaceBuildUpdate,
    WorkspaceEvent,
)
from workspace_events.management.commands.workspace_events_tail import (
    describe_build_update,
    describe_error,
    describe_event,
    process_local,
)
from workspace_events.pubsub import ChannelLayerPubsub, MemoryPubsub

from .command_support import tail
from .redis_support import RedisServer, shared_redis_url, unique_prefix
from .servers import ExampleProject

W = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
B = uuid.UUID("00000000-0000-4000-8000-00000000000b")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("everything", "'everything' is neither an owner UUID nor 'all'"),
        ("6ba7b810-9dad-11d1-80b4", "is neither an owner UUID nor 'all'"),
        ("00000000-0000-0000-0000-000000000000", "must not be the nil UUID"),
    ],
)
def test_a_bad_target_is_refused(target: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("workspace_events_tail", target)


def test_a_subscription_that_fails_is_a_command_error() -> None:
    stderr = StringIO()
    with (
        override_settings(WORKSPACE_EVENTS_PUBSUB="tests.command_support.closed_pubsub"),
        pytest.raises(CommandError, match=r"cannot subscribe to workspace_updates:all: .*closed"),
    ):
        call_command("workspace_events_tail", "all", stderr=stderr)
    # The closed pubsub is a MemoryPubsub: the user is told it cannot see other processes.
    assert "Note: no cross-process channel layer." in stderr.getvalue()


def test_process_local_pubsubs_are_recognised() -> None:
    assert process_local(MemoryPubsub())
    memory = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with override_settings(CHANNEL_LAYERS=memory):
        assert process_local(ChannelLayerPubsub())
    redis = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer"}}
    with override_settings(CHANNEL_LAYERS=redis):
        assert not process_local(ChannelLayerPubsub())


def test_event_lines() -> None:
    assert describe_event(WorkspaceEvent("state_change", W), 42, None) == (
        f"#42 state_change           workspace={W}"
    )
    assert describe_event(WorkspaceEvent("agt_lifecycle_update", W, A), None, None) == (
        f"#- agt_lifecycle_update   workspace={W} agent={A}"
    )
    invalid = WorkspaceEvent("agt_lifecycle_update", W)
    line = describe_event(invalid, 7, InvalidMessage("validate workspace event"))
    assert line.endswith("  !! validate workspace event")


def test_build_update_lines() -> None:
    update = WorkspaceBuildUpdate(
        workspace_id=W,
        workspace_name="dev",
        build_id=B,
        transition="start",
        job_status="running",
        build_number=7,
    )
    assert describe_build_update(update, 3, None) == (
        f"#3 build #7 start/running   workspace={W} (dev) build={B}"
    )
    unnamed = WorkspaceBuildUpdate(
        workspace_id=W, build_id=B, transition="stop", job_status="failed", build_number=1
    )
    assert "workspace=" + str(W) + " build=" in describe_build_update(unnamed, 4, None)


def test_errors_and_lost_messages_stand_out() -> None:
    wrapped = PubsubError("workspace event pubsub: dropped messages")
    wrapped.__cause__ = DroppedMessages()
    assert describe_event(None, None, wrapped).startswith("!! DROPPED MESSAGES")
    assert describe_error(DroppedMessages()).startswith("!! DROPPED MESSAGES")
    assert describe_build_update(
        None, None, InvalidMessage("unmarshal workspace build update: x")
    ) == ("!! unmarshal workspace build update: x")


@pytest.fixture
def example(tmp_path) -> Iterator[ExampleProject]:
    project = ExampleProject(tmp_path, EXAMPLE_SIMULATORS="0")
    project.manage("migrate", "--noinput")
    yield project
    project.stop()


def stop(process) -> str:
    process.send_signal(signal.SIGINT)
    process.wait(15)
    return process.returncode


@pytest.mark.redis
def test_tail_prints_published_events_and_stops_cleanly_on_ctrl_c(example) -> None:
    example.env.update(REDIS_URL=shared_redis_url(), REDIS_PREFIX=unique_prefix())
    owner = uuid.uuid4()
    builds, builds_out, builds_err = tail(example.env, "all")
    events, events_out, events_err = tail(example.env, str(owner))
    try:
        builds_err.until("Watching workspace_updates:all; press Ctrl-C to stop.")
        events_err.until(f"Watching workspace_owner:{owner}; press Ctrl-C to stop.")
        published = example.manage(
            "workspace_events_publish",
            "all",
            "--name",
            "dev",
            "--workspace",
            str(W),
            "--build",
            str(B),
            "--status",
            "running",
            "--build-number",
            "7",
        )
        event_id = published.split(" as event ")[1].split(".")[0]
        line = builds_out.until(f"#{event_id} ")
        assert line.endswith(
            f" #{event_id} build #7 start/running   workspace={W} (dev) build={B}"
        )
        published = example.manage(
            "workspace_events_publish",
            str(owner),
            "--kind",
            "agt_lifecycle_update",
            "--workspace",
            str(W),
            "--agent",
            str(A),
        )
        event_id = published.split(" as event ")[1].split(".")[0]
        line = events_out.until(f"#{event_id} ")
        assert line.endswith(f"#{event_id} agt_lifecycle_update   workspace={W} agent={A}")
    finally:
        codes = (stop(builds), stop(events))
    assert codes == (0, 0)
    for err in (builds_err, events_err):
        rest = err.rest()
        assert rest[-1] == "Stopped."
        assert not any("Traceback" in line for line in err.seen)
    # Each saw only its own channel.
    assert builds_out.rest() == [] and events_out.rest() == []
    assert all(" build #" in line for line in builds_out.seen)
    assert all("agt_lifecycle_update" in line for line in events_out.seen)


@pytest.mark.redis
def test_tail_shows_lost_messages_when_redis_restarts(example, redis_server: RedisServer) -> None:
    example.env.update(
        REDIS_URL=redis_server.url, REDIS_PREFIX=unique_prefix(), EXAMPLE_PROBE_INTERVAL="0.1"
    )
    process, out, err = tail(example.env, "all")
    try:
        err.until("Watching workspace_updates:all")
        redis_server.kill()
        time.sleep(1)  # an outage of many probe intervals, which the tail's pubsub notices
        redis_server.start()
        out.until("!! DROPPED MESSAGES: events may have been missed", timeout=30)
        published = example.manage("workspace_events_publish", "all")
        event_id = published.split(" as event ")[1].split(".")[0]
        out.until(f"#{event_id} build #1 start/succeeded", timeout=30)
    finally:
        code = stop(process)
    assert code == 0
