from __future__ import annotations

import uuid
from typing import Any

import pytest

from workspace_events import (
    DroppedMessages,
    InvalidMessage,
    InvalidWorkspaceEvent,
    PubsubError,
    WorkspaceBuildUpdate,
    WorkspaceEvent,
    handle_workspace_build_update,
    handle_workspace_event,
)

W = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
B = uuid.UUID("00000000-0000-4000-8000-00000000000b")


class Calls:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, Exception | None]] = []

    def __call__(self, payload: Any, err: Exception | None) -> None:
        self.calls.append((payload, err))

    async def acall(self, payload: Any, err: Exception | None) -> None:
        self.calls.append((payload, err))

    def only(self) -> tuple[Any, Exception | None]:
        assert len(self.calls) == 1, self.calls
        return self.calls[0]


# handle_workspace_event


def test_event_ok() -> None:
    calls = Calls()
    event = WorkspaceEvent("state_change", W)
    handle_workspace_event(calls)(event.to_json(), None)
    assert calls.only() == (event, None)


def test_event_pubsub_error_is_wrapped_with_cause() -> None:
    calls = Calls()
    cause = DroppedMessages()
    handle_workspace_event(calls)(None, cause)
    payload, err = calls.only()
    assert payload is None
    assert isinstance(err, PubsubError)
    assert str(err) == "workspace event pubsub: dropped messages"
    assert err.__cause__ is cause


def test_event_pubsub_error_wins_over_a_message() -> None:
    calls = Calls()
    cause = RuntimeError("boom")
    handle_workspace_event(calls)(b'{"kind":"state_change"}', cause)
    payload, err = calls.only()
    assert payload is None and str(err).startswith("workspace event pubsub: ")
    assert err is not None and err.__cause__ is cause


@pytest.mark.parametrize(
    "message", [b"not json", b"[]", b'"x"', b'{"workspace_id":"bad"}', b'{"kind":1}', None]
)
def test_event_unmarshal_error(message: bytes | None) -> None:
    calls = Calls()
    handle_workspace_event(calls)(message, None)
    payload, err = calls.only()
    assert payload is None
    assert isinstance(err, InvalidMessage)
    assert str(err) == "unmarshal workspace event"
    assert isinstance(err.__cause__, InvalidMessage)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (b"{}", "workspaceID must be set"),
        (b'{"workspace_id":"%s"}' % str(W).encode(), "kind must be set"),
        (
            b'{"kind":"agt_lifecycle_update","workspace_id":"%s"}' % str(W).encode(),
            "agentID must be set for Agent events",
        ),
    ],
)
def test_event_validate_error_passes_the_event(message: bytes, reason: str) -> None:
    calls = Calls()
    handle_workspace_event(calls)(message, None)
    payload, err = calls.only()
    assert payload == WorkspaceEvent.from_json(message)
    assert isinstance(err, InvalidMessage)
    assert str(err) == "validate workspace event"
    assert isinstance(err.__cause__, InvalidWorkspaceEvent)
    assert str(err.__cause__) == reason


async def test_event_async_callback_makes_async_listener() -> None:
    calls = Calls()
    listener = handle_workspace_event(calls.acall)
    event = WorkspaceEvent("stats_update", W)
    result = listener(event.to_json(), None)
    assert calls.calls == []  # nothing happens until awaited
    await result  # type: ignore[misc]
    assert calls.only() == (event, None)
    await listener(None, DroppedMessages())  # type: ignore[misc]
    assert str(calls.calls[1][1]) == "workspace event pubsub: dropped messages"


def test_event_callback_errors_propagate() -> None:
    def cb(payload: object, err: object) -> None:
        raise KeyError("cb")

    with pytest.raises(KeyError):
        handle_workspace_event(cb)(b"{}", None)


# handle_workspace_build_update


def update() -> WorkspaceBuildUpdate:
    return WorkspaceBuildUpdate(
        workspace_id=W, build_id=B, transition="start", job_status="pending", build_number=1
    )


def test_build_update_ok_without_validation() -> None:
    calls = Calls()
    handle_workspace_build_update(calls)(b"{}", None)  # zero values: no validation step
    payload, err = calls.only()
    assert err is None and payload.build_number == 0
    handle_workspace_build_update(calls)(update().to_json(), None)
    assert calls.calls[1] == (update(), None)


def test_build_update_pubsub_error() -> None:
    calls = Calls()
    cause = DroppedMessages()
    handle_workspace_build_update(calls)(None, cause)
    payload, err = calls.only()
    assert payload is None
    assert str(err) == "workspace build update pubsub: dropped messages"
    assert err is not None and err.__cause__ is cause


def test_build_update_unmarshal_error_chains_cause() -> None:
    calls = Calls()
    handle_workspace_build_update(calls)(b'{"build_number": "7"}', None)
    payload, err = calls.only()
    assert payload is None
    assert isinstance(err, InvalidMessage)
    assert str(err).startswith("unmarshal workspace build update: ")
    assert str(err) == f"unmarshal workspace build update: {err.__cause__}"
    assert "build_number" in str(err.__cause__)


async def test_build_update_async_callback() -> None:
    calls = Calls()
    await handle_workspace_build_update(calls.acall)(b"nope", None)  # type: ignore[misc]
    payload, err = calls.only()
    assert payload is None and str(err).startswith(
        "unmarshal workspace build update: invalid JSON"
    )
