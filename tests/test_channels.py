from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workspace_events import ALL_WORKSPACE_EVENT_CHANNEL, group_name, workspace_event_channel
from workspace_events.channels import owner_from_channel

OWNER = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
VALID_GROUP = re.compile(r"^[A-Za-z0-9_.-]+$")


def test_all_channel_name() -> None:
    assert ALL_WORKSPACE_EVENT_CHANNEL == "workspace_updates:all"


@pytest.mark.parametrize(
    "owner",
    [OWNER, str(OWNER), str(OWNER).upper(), "6ba7b8109dad11d180b400c04fd430c8", f"{{{OWNER}}}"],
)
def test_owner_channel_is_canonical(owner: uuid.UUID | str) -> None:
    assert workspace_event_channel(owner) == f"workspace_owner:{OWNER}"


@pytest.mark.parametrize("owner", ["", "nope", 42, None, b"x", OWNER.int, ["x"]])
def test_owner_channel_rejects_non_uuids(owner: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the input, any is fine
        workspace_event_channel(owner)  # type: ignore[arg-type]


def test_owner_from_channel() -> None:
    assert owner_from_channel(f"workspace_owner:{OWNER}") == OWNER
    assert owner_from_channel(f"workspace_owner:{str(OWNER).upper()}") is None
    assert owner_from_channel("workspace_owner:nope") is None
    assert owner_from_channel(ALL_WORKSPACE_EVENT_CHANNEL) is None


def test_group_names_of_the_logical_channels() -> None:
    assert (
        group_name(workspace_event_channel(OWNER))
        == f"workspace_events.workspace_owner.3a.{OWNER}"
    )
    assert group_name(ALL_WORKSPACE_EVENT_CHANNEL) == "workspace_events.workspace_updates.3a.all"


@given(st.text(min_size=1, max_size=300))
def test_group_name_is_always_valid_for_channels(channel: str) -> None:
    name = group_name(channel)
    assert VALID_GROUP.match(name)
    assert len(name) < 100


@given(st.text(min_size=1, max_size=120), st.text(min_size=1, max_size=120))
def test_group_name_is_one_to_one(first: str, second: str) -> None:
    if first != second:
        assert group_name(first) != group_name(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("a:b", "a.3a.b"), ("a.b", "a.2e.b"), ("a.b", "a_b"), ("x" * 200, "x" * 201)],
)
def test_group_name_escapes_the_escape(first: str, second: str) -> None:
    assert group_name(first) != group_name(second)


def test_group_names_accepted_by_channels_layers() -> None:
    from channels.layers import InMemoryChannelLayer

    layer = InMemoryChannelLayer()
    for channel in (workspace_event_channel(OWNER), ALL_WORKSPACE_EVENT_CHANNEL, "é" * 90):
        assert layer.require_valid_group_name(group_name(channel))
