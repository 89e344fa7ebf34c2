from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from workspace_events import WorkspaceEvent, bridge, owner_id_for
from workspace_events.models import EventLogEntry

from .conftest import only_marker_follows
from .testapp.apps import register_bindings
from .testapp.models import Agent, Workspace

transactional = pytest.mark.django_db(transaction=True, databases=["default", "other"])


@pytest.fixture
def owner():  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user("ada", password="pw")


def channel_of(user) -> str:  # type: ignore[no-untyped-def]
    return f"workspace_owner:{owner_id_for(user)}"


@transactional
def test_save_and_delete_of_a_host_model_emit_events(owner, watch) -> None:
    got = watch(channel_of(owner))
    with transaction.atomic():
        workspace = Workspace.objects.create(owner=owner, name="dev")
    workspace.status = "running"
    workspace.save()
    workspace_id = workspace.id
    workspace.delete()
    calls = got.wait(3)
    assert [WorkspaceEvent.from_json(d.message) for d, _ in calls] == [
        WorkspaceEvent("state_change", workspace_id)
    ] * 3
    # The default User has an integer key: its owner channel is UUID(int=pk).
    assert channel_of(owner) == f"workspace_owner:{uuid.UUID(int=owner.pk)}"
    assert EventLogEntry.objects.filter(workspace_id=workspace_id).count() == 3


@transactional
def test_rolled_back_save_emits_nothing(owner, watch) -> None:
    got = watch(channel_of(owner))
    with pytest.raises(RuntimeError), transaction.atomic():
        Workspace.objects.create(owner=owner, name="dev")
        raise RuntimeError("roll back")
    assert only_marker_follows(got, channel_of(owner)) == []


@transactional
def test_kind_rule_and_related_paths(owner, watch) -> None:
    workspace = Workspace.objects.create(owner=owner, name="dev")
    got = watch(channel_of(owner))
    agent = Agent.objects.create(workspace=workspace)
    agent_id = agent.id
    agent.delete()  # the rule returns None on delete: no event
    calls = only_marker_follows(got, channel_of(owner))
    assert [WorkspaceEvent.from_json(d.message) for d, _ in calls] == [
        WorkspaceEvent("agt_connection_update", workspace.id, agent_id)
    ]


@transactional
def test_bridge_follows_the_alias_of_the_write(owner, watch) -> None:
    got = watch(channel_of(owner))
    workspace = Workspace(owner=owner, name="dev")
    with transaction.atomic(using="default"):
        workspace.save()
        assert only_marker_follows(got, channel_of(owner)) == []
        got.calls.clear()
    assert len(got.wait(1)) == 1


@transactional
def test_a_resolver_reaching_none_is_an_error(watch) -> None:
    bridge.register(Agent, kind="agt_connection_update", owner="workspace__owner", on=["save"])
    try:
        agent = Agent(workspace=None)
        with pytest.raises(ValueError, match="found nothing"):
            bridge.binding_for(Agent).event_for(agent, True)  # type: ignore[union-attr]
    finally:
        register_bindings()


def test_register_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="'save' and/or 'delete'"):
        bridge.register(Workspace, kind="state_change", owner="owner", on=["update"])
    with pytest.raises(TypeError, match="kind must be"):
        bridge.register(Workspace, kind=5, owner="owner")  # type: ignore[arg-type]
    assert bridge.binding_for(Workspace) is not None  # the earlier registration stands


@transactional
def test_unregister_stops_events(owner, watch) -> None:
    got = watch(channel_of(owner))
    bridge.unregister(Workspace)
    assert bridge.binding_for(Workspace) is None
    try:
        Workspace.objects.create(owner=owner, name="quiet")
        assert only_marker_follows(got, channel_of(owner)) == []
    finally:
        register_bindings()


@transactional
def test_owner_as_uuid_text_and_callable(watch) -> None:
    owner = uuid.uuid4()
    got = watch(f"workspace_owner:{owner}")
    binding = bridge.Binding(Workspace, "mtd_update", owner=lambda w: str(owner))
    found = binding.event_for(Workspace(name="x"), False)
    assert found is not None
    assert found[0] == owner
    with pytest.raises(ValueError, match="must be a UUID"):
        bridge.Binding(Workspace, "mtd_update", owner=lambda w: 42).event_for(Workspace(), False)
    assert only_marker_follows(got, f"workspace_owner:{owner}") == []


def test_an_agent_path_may_find_nothing() -> None:
    owner, workspace = uuid.uuid4(), uuid.uuid4()
    binding = bridge.Binding(
        Agent,
        "agt_timeout",
        owner=lambda a: owner,
        workspace=lambda a: workspace,
        agent="workspace__owner",
    )
    assert binding.event_for(Agent(workspace=None), True) == (
        owner,
        WorkspaceEvent("agt_timeout", workspace),
    )
