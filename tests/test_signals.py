from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from workspace_events import InvalidWorkspaceEvent, WorkspaceBuildUpdate, WorkspaceEvent
from workspace_events.models import EventLogEntry
from workspace_events.signals import build_update, workspace_event

from .conftest import only_marker_follows

OWNER = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
CHANNEL = f"workspace_owner:{OWNER}"
W = uuid.UUID(int=1)

transactional = pytest.mark.django_db(transaction=True, databases=["default", "other"])


@transactional
def test_workspace_event_signal_logs_and_publishes_after_commit(watch) -> None:
    got = watch(CHANNEL)
    with transaction.atomic():
        workspace_event.send(
            sender=None, owner_id=str(OWNER), event=WorkspaceEvent("state_change", W)
        )
        assert only_marker_follows(got, CHANNEL) == []
        got.calls.clear()
    ((delivery, _),) = got.wait(1)
    assert delivery.message == WorkspaceEvent("state_change", W).to_json()
    assert delivery.event_id == EventLogEntry.objects.get().id


@transactional
def test_build_update_signal(watch) -> None:
    got = watch("workspace_updates:all")
    update = WorkspaceBuildUpdate(
        workspace_id=W,
        build_id=uuid.UUID(int=2),
        transition="stop",
        job_status="failed",
        build_number=4,
    )
    build_update.send(sender=None, update=update, owner_id=OWNER, using="other")
    ((delivery, _),) = got.wait(1)
    assert delivery.message == update.to_json()
    assert EventLogEntry.objects.get().owner_id == OWNER


@transactional
def test_signals_reject_bad_input_and_change_nothing(watch) -> None:
    got = watch(CHANNEL)
    with pytest.raises(InvalidWorkspaceEvent, match="workspaceID must be set"):
        workspace_event.send(
            sender=None, owner_id=OWNER, event=WorkspaceEvent("state_change", uuid.UUID(int=0))
        )
    with pytest.raises(TypeError, match="event must be a WorkspaceEvent"):
        workspace_event.send(sender=None, owner_id=OWNER, event={"kind": "state_change"})
    with pytest.raises(TypeError, match="update must be a WorkspaceBuildUpdate"):
        build_update.send(sender=None, update=b"{}")
    with pytest.raises(TypeError):
        workspace_event.send(sender=None, event=WorkspaceEvent("state_change", W))  # no owner
    assert only_marker_follows(got, CHANNEL) == []
    assert EventLogEntry.objects.count() == 0
