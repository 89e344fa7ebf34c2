from __future__ import annotations

import contextlib
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workspace_events import (
    InvalidMessage,
    InvalidWorkspaceEvent,
    ProvisionerJobStatus,
    WorkspaceBuildUpdate,
    WorkspaceEvent,
    WorkspaceEventKind,
    WorkspaceTransition,
)

W = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
B = uuid.UUID("00000000-0000-4000-8000-00000000000b")
NIL = uuid.UUID(int=0)

uuids = st.uuids()
kinds = st.one_of(st.sampled_from(list(WorkspaceEventKind)), st.text())


# WorkspaceEvent: encoding


def test_event_json_without_agent() -> None:
    event = WorkspaceEvent(WorkspaceEventKind.STATE_CHANGE, W)
    assert event.to_json() == (
        b'{"kind":"state_change","workspace_id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}'
    )


def test_event_json_with_agent() -> None:
    event = WorkspaceEvent(WorkspaceEventKind.AGENT_LIFECYCLE_UPDATE, W, A)
    assert event.to_json() == (
        b'{"kind":"agt_lifecycle_update","workspace_id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8",'
        b'"agent_id":"00000000-0000-4000-8000-00000000000a"}'
    )


@pytest.mark.parametrize("kind", list(WorkspaceEventKind))
def test_every_kind_encodes_its_wire_value(kind: WorkspaceEventKind) -> None:
    assert json.loads(WorkspaceEvent(kind, W).to_json())["kind"] == kind.value


def test_unknown_kind_is_escaped_like_go() -> None:
    event = WorkspaceEvent("new<&>\u2028", W)
    assert event.to_json().startswith(b'{"kind":"new\\u003c\\u0026\\u003e\\u2028",')


def test_uuids_are_canonical_lowercase() -> None:
    event = WorkspaceEvent("state_change", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8")
    assert event.workspace_id == W
    assert b"6ba7b810-9dad-11d1-80b4-00c04fd430c8" in event.to_json()


def test_event_is_immutable_and_hashable() -> None:
    event = WorkspaceEvent("state_change", W)
    with pytest.raises(AttributeError):
        event.kind = "x"  # type: ignore[misc]
    assert {event, WorkspaceEvent(WorkspaceEventKind.STATE_CHANGE, W)} == {event}


def test_known_kind_strings_become_members() -> None:
    event = WorkspaceEvent("mtd_update", W)
    assert event.kind is WorkspaceEventKind.METADATA_UPDATE


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": 1, "workspace_id": W}, TypeError),
        ({"kind": "state_change", "workspace_id": 5}, TypeError),
        ({"kind": "state_change", "workspace_id": "nope"}, ValueError),
        ({"kind": "state_change", "workspace_id": W, "agent_id": b"x"}, TypeError),
    ],
)
def test_event_constructor_rejects_wrong_types(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        WorkspaceEvent(**kwargs)  # type: ignore[arg-type]


# WorkspaceEvent: validation, in Coder's order


def test_validate_accepts_a_full_event() -> None:
    WorkspaceEvent(WorkspaceEventKind.AGENT_LIFECYCLE_UPDATE, W, A).validate()


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (WorkspaceEvent("state_change", NIL), "workspaceID must be set"),
        (WorkspaceEvent("", NIL), "workspaceID must be set"),  # checked first
        (WorkspaceEvent("agt_lifecycle_update", NIL), "workspaceID must be set"),
        (WorkspaceEvent("", W), "kind must be set"),
        (WorkspaceEvent("agt_lifecycle_update", W), "agentID must be set for Agent events"),
    ],
)
def test_validate_rules_and_order(event: WorkspaceEvent, message: str) -> None:
    with pytest.raises(InvalidWorkspaceEvent) as info:
        event.validate()
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "event",
    [
        WorkspaceEvent("some_future_kind", W),  # unknown kinds pass: forward compatible
        WorkspaceEvent("agt_timeout", W),  # the only agent event without an agent id
        WorkspaceEvent("agt_connection_update", W),  # Coder checks lifecycle events only
        WorkspaceEvent("state_change", W, A),
    ],
)
def test_validate_rejects_nothing_else(event: WorkspaceEvent) -> None:
    event.validate()


# WorkspaceEvent: decoding


def test_from_json_round_trip() -> None:
    event = WorkspaceEvent(WorkspaceEventKind.AGENT_FIRST_LOGS, W, A)
    assert WorkspaceEvent.from_json(event.to_json()) == event
    assert WorkspaceEvent.from_json(event.to_json().decode()) == event


def test_from_json_keeps_unknown_kind() -> None:
    event = WorkspaceEvent.from_json(f'{{"kind":"brand_new","workspace_id":"{W}"}}')
    assert event.kind == "brand_new"
    assert not isinstance(event.kind, WorkspaceEventKind)


def test_from_json_missing_fields_take_zero_values() -> None:
    event = WorkspaceEvent.from_json(b"{}")
    assert (event.kind, event.workspace_id, event.agent_id) == ("", NIL, None)


def test_from_json_follows_go_field_rules() -> None:
    text = (
        f'{{"KIND":"stats_update","Workspace_ID":"{W}","extra":[1,{{"x":null}}],'
        f'"kind":null,"agent_id":"{A}","agent_id":null}}'
    )
    event = WorkspaceEvent.from_json(text)
    # Case-insensitive keys; null leaves a value field alone and resets a pointer field.
    assert event == WorkspaceEvent("stats_update", W, None)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"not json", "invalid JSON"),
        (b"[1,2]", "expected a JSON object, got array"),
        (b"null", "expected a JSON object, got null"),
        (b'{"kind": 5}', "field 'kind': expected a string, got number 5"),
        (b'{"kind": true}', "field 'kind': expected a string, got boolean"),
        (b'{"workspace_id": "abc"}', "field 'workspace_id': invalid UUID 'abc'"),
        (b'{"workspace_id": ""}', "field 'workspace_id': invalid UUID ''"),
        (b'{"agent_id": {}}', "field 'agent_id': expected a string, got object"),
        (b'{"workspace_id": ["x"]}', "field 'workspace_id': expected a string, got array"),
    ],
)
def test_from_json_errors(data: bytes, detail: str) -> None:
    with pytest.raises(InvalidMessage) as info:
        WorkspaceEvent.from_json(data)
    assert str(info.value) == detail or str(info.value).startswith(detail)


@given(kinds, uuids, st.one_of(st.none(), uuids))
def test_event_round_trips_for_any_values(
    kind: str, workspace: uuid.UUID, agent: uuid.UUID | None
) -> None:
    event = WorkspaceEvent(kind, workspace, agent)
    data = event.to_json()
    assert json.loads(data) == {
        "kind": "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in kind),
        "workspace_id": str(workspace),
        **({"agent_id": str(agent)} if agent else {}),
    }
    decoded = WorkspaceEvent.from_json(data)
    assert decoded.workspace_id == workspace and decoded.agent_id == agent


@given(st.one_of(st.binary(), st.text()))
def test_from_json_on_garbage_raises_only_invalid_message(data: bytes | str) -> None:
    with contextlib.suppress(InvalidMessage):
        WorkspaceEvent.from_json(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(["kind", "workspace_id", "agent_id", "KIND", "x"]), json_values
    )
)
def test_from_json_on_wrong_types_raises_only_invalid_message(obj: dict[str, object]) -> None:
    with contextlib.suppress(InvalidMessage):
        WorkspaceEvent.from_json(json.dumps(obj))


# WorkspaceBuildUpdate


def build(**overrides: object) -> WorkspaceBuildUpdate:
    fields: dict[str, object] = {
        "workspace_id": W,
        "workspace_name": "dev",
        "build_id": B,
        "transition": WorkspaceTransition.START,
        "job_status": ProvisionerJobStatus.RUNNING,
        "build_number": 7,
    }
    fields.update(overrides)
    return WorkspaceBuildUpdate(**fields)  # type: ignore[arg-type]


def test_build_update_json() -> None:
    assert build().to_json() == (
        b'{"workspace_id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","workspace_name":"dev",'
        b'"build_id":"00000000-0000-4000-8000-00000000000b","transition":"start",'
        b'"job_status":"running","build_number":7}'
    )


def test_build_update_name_defaults_to_empty() -> None:
    update = WorkspaceBuildUpdate(
        workspace_id=W, build_id=B, transition="stop", job_status="succeeded", build_number=1
    )
    assert json.loads(update.to_json())["workspace_name"] == ""
    assert update.transition is WorkspaceTransition.STOP
    assert update.job_status is ProvisionerJobStatus.SUCCEEDED


def test_build_update_round_trip() -> None:
    update = build(workspace_name='<mine> & "yours"', build_number=2**31 - 1)
    assert WorkspaceBuildUpdate.from_json(update.to_json()) == update


def test_build_update_from_json_zero_values() -> None:
    update = WorkspaceBuildUpdate.from_json("{}")
    assert update == WorkspaceBuildUpdate(
        workspace_id=NIL, build_id=NIL, transition="", job_status="", build_number=0
    )


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b'{"build_number": 2147483648}', "field 'build_number': expected an int32 integer"),
        (b'{"build_number": -2147483649}', "field 'build_number': expected an int32 integer"),
        (b'{"build_number": 1.0}', "field 'build_number': expected an int32 integer"),
        (b'{"build_number": 1e2}', "field 'build_number': expected an int32 integer"),
        (b'{"build_number": "1"}', "field 'build_number': expected an int32 integer"),
        (b'{"build_number": true}', "field 'build_number': expected an int32 integer"),
        (b'{"build_id": "x"}', "field 'build_id': invalid UUID"),
        (b'{"transition": 1}', "field 'transition': expected a string"),
        (b"[]", "expected a JSON object"),
    ],
)
def test_build_update_from_json_errors(data: bytes, detail: str) -> None:
    with pytest.raises(InvalidMessage, match=detail.replace("(", r"\(")):
        WorkspaceBuildUpdate.from_json(data)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"build_number": True}, TypeError),
        ({"build_number": 2**31}, ValueError),
        ({"workspace_name": None}, TypeError),
        ({"build_id": 3}, TypeError),
    ],
)
def test_build_update_constructor_rejects(overrides: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        build(**overrides)


@given(st.one_of(st.binary(), st.text()))
def test_build_update_from_json_on_garbage(data: bytes | str) -> None:
    with contextlib.suppress(InvalidMessage):
        WorkspaceBuildUpdate.from_json(data)


@given(
    st.dictionaries(
        st.sampled_from(["workspace_id", "build_id", "build_number", "transition", "Job_Status"]),
        json_values,
    )
)
def test_build_update_wrong_types_raise_only_invalid_message(obj: dict[str, object]) -> None:
    with contextlib.suppress(InvalidMessage):
        WorkspaceBuildUpdate.from_json(json.dumps(obj))
