from __future__ import annotations

from workspace_events import ProvisionerJobStatus, WorkspaceEventKind, WorkspaceTransition


def test_event_kind_members_and_wire_values() -> None:
    assert {member.name: member.value for member in WorkspaceEventKind} == {
        "STATE_CHANGE": "state_change",
        "STATS_UPDATE": "stats_update",
        "METADATA_UPDATE": "mtd_update",
        "APP_HEALTH_UPDATE": "app_health",
        "AGENT_LIFECYCLE_UPDATE": "agt_lifecycle_update",
        "AGENT_CONNECTION_UPDATE": "agt_connection_update",
        "AGENT_FIRST_LOGS": "agt_first_logs",
        "AGENT_LOGS_OVERFLOW": "agt_logs_overflow",
        "AGENT_TIMEOUT": "agt_timeout",
        "AGENT_APP_STATUS_UPDATE": "agt_app_status_update",
    }


def test_enums_are_str() -> None:
    assert isinstance(WorkspaceEventKind.STATE_CHANGE, str)
    assert WorkspaceEventKind.STATE_CHANGE == "state_change"
    assert str(WorkspaceEventKind.METADATA_UPDATE) == "mtd_update"
    assert f"{WorkspaceTransition.START}" == "start"


def test_transition_values() -> None:
    assert [member.value for member in WorkspaceTransition] == ["start", "stop", "delete"]


def test_job_status_values() -> None:
    assert [member.value for member in ProvisionerJobStatus] == [
        "pending",
        "running",
        "succeeded",
        "canceling",
        "canceled",
        "failed",
    ]
