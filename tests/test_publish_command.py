"""``workspace_events_publish``: what it publishes and logs, and every input it refuses."""

from __future__ import annotations

import re
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from workspace_events import ALL_WORKSPACE_EVENT_CHANNEL, workspace_event_channel
from workspace_events.models import EventLogEntry

pytestmark = pytest.mark.django_db

OWNER = "11111111-2222-4333-8444-555555555555"
W = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
A = "00000000-0000-4000-8000-00000000000a"
B = "00000000-0000-4000-8000-00000000000b"


def publish(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("workspace_events_publish", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def published_id(out: str) -> int:
    found = re.search(r" as event (\d+)\.", out)
    assert found, out
    return int(found[1])


def test_a_workspace_event_is_logged_then_published(watch) -> None:
    channel = workspace_event_channel(OWNER)
    recorder = watch(channel)
    out, err = publish(OWNER, "--kind", "agt_lifecycle_update", "--workspace", W, "--agent", A)
    payload = f'{{"kind":"agt_lifecycle_update","workspace_id":"{W}","agent_id":"{A}"}}'
    event_id = published_id(out)
    assert out == f"Published agt_lifecycle_update on {channel} as event {event_id}.\n{payload}\n"
    ((delivery, error),) = recorder.wait(1)
    assert error is None
    assert (delivery.message, delivery.event_id) == (payload.encode(), event_id)
    entry = EventLogEntry.objects.get(pk=event_id)
    assert (entry.channel, entry.kind, entry.payload) == (channel, "agt_lifecycle_update", payload)
    assert str(entry.owner_id) == OWNER
    # The tests' settings have no channel layer: the user learns other processes see nothing.
    assert "Note: no cross-process channel layer." in err


def test_defaults_are_a_state_change_of_a_new_workspace(watch) -> None:
    recorder = watch(workspace_event_channel(OWNER))
    out, _ = publish(OWNER)
    assert "Published state_change on" in out
    ((delivery, _),) = recorder.wait(1)
    workspace = re.search(rb'"workspace_id":"([0-9a-f-]+)"', delivery.message)
    assert workspace is not None and uuid.UUID(workspace[1].decode()).version == 4


def test_a_build_update_goes_to_all(watch) -> None:
    recorder = watch(ALL_WORKSPACE_EVENT_CHANNEL)
    out, _ = publish(
        "all",
        "--workspace",
        W,
        "--build",
        B,
        "--name",
        "dev",
        "--transition",
        "stop",
        "--status",
        "failed",
        "--build-number",
        "2147483647",
    )
    payload = (
        f'{{"workspace_id":"{W}","workspace_name":"dev","build_id":"{B}","transition":"stop",'
        f'"job_status":"failed","build_number":2147483647}}'
    )
    event_id = published_id(out)
    assert out.splitlines() == [
        f"Published build_update on workspace_updates:all as event {event_id}.",
        payload,
    ]
    ((delivery, _),) = recorder.wait(1)
    assert delivery.message == payload.encode()
    assert EventLogEntry.objects.get(pk=event_id).kind == "build_update"


def test_a_build_update_has_defaults(watch) -> None:
    recorder = watch(ALL_WORKSPACE_EVENT_CHANNEL)
    publish("all")
    ((delivery, _),) = recorder.wait(1)
    assert b'"transition":"start","job_status":"succeeded","build_number":1}' in delivery.message
    assert b'"workspace_name":""' in delivery.message


@override_settings(WORKSPACE_EVENTS_UNLOGGED_KINDS={"stats_update"})
def test_an_unlogged_kind_is_published_without_an_id(watch) -> None:
    recorder = watch(workspace_event_channel(OWNER))
    out, _ = publish(OWNER, "--kind", "stats_update", "--workspace", W)
    assert out.startswith(f"Published stats_update on workspace_owner:{OWNER} as not logged.")
    ((delivery, _),) = recorder.wait(1)
    assert delivery.event_id is None
    assert not EventLogEntry.objects.exists()


@override_settings(WORKSPACE_EVENTS_PUBSUB="tests.command_support.closed_pubsub")
def test_a_failed_publish_is_an_error_and_the_event_stays_logged() -> None:
    with pytest.raises(CommandError, match=r"could not publish \(it stays in the event log\)"):
        publish(OWNER, "--workspace", W)
    assert EventLogEntry.objects.get().channel == workspace_event_channel(OWNER)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["someone"], "the owner must be a UUID, not 'someone'"),
        (["00000000-0000-0000-0000-000000000000"], "the owner must not be the nil UUID"),
        ([OWNER, "--workspace", "w"], "--workspace must be a UUID, not 'w'"),
        (
            [OWNER, "--workspace", "00000000-0000-0000-0000-000000000000"],
            "--workspace must not be the nil UUID",
        ),
        ([OWNER, "--agent", "a"], "--agent must be a UUID, not 'a'"),
        (["all", "--build", "b"], "--build must be a UUID, not 'b'"),
        (
            [OWNER, "--kind", "agt_lifecycle_update"],
            "invalid event: agentID must be set for Agent events",
        ),
        ([OWNER, "--kind", "exploded"], "argument --kind: invalid choice: 'exploded'"),
        (["all", "--status", "done"], "argument --status: invalid choice: 'done'"),
        (["all", "--build-number", "-1"], "--build-number must be from 0 to 2147483647, not -1"),
        (["all", "--build-number", "2147483648"], "must be from 0 to 2147483647"),
        (["all", "--build-number", "seven"], "argument --build-number: invalid int value"),
        (
            [OWNER, "--status", "failed", "--name", "dev"],
            "--status, --name only apply to a build update",
        ),
        (["all", "--kind", "state_change"], "--kind only apply to an owner's workspace event"),
        (["all", "--agent", A], "--agent only apply to an owner's workspace event"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(watch, args: list[str], message: str) -> None:
    recorder = watch(ALL_WORKSPACE_EVENT_CHANNEL)
    with pytest.raises(CommandError, match=re.escape(message)):
        publish(*args)
    assert not EventLogEntry.objects.exists()
    assert recorder.calls == []
