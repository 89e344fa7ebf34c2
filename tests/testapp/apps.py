from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def agent_kind(agent: Any, created: bool | None) -> str | None:
    """Connection changes only; a deleted agent reports nothing."""
    return None if created is None else "agt_connection_update"


class TestAppConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register_bindings()


def register_bindings() -> None:
    """The test models' bridge registrations (tests that change them restore them so)."""
    from workspace_events import bridge

    from .models import Agent, Workspace

    bridge.register(Workspace, kind="state_change", owner="owner")
    bridge.register(
        Agent,
        kind=agent_kind,
        owner="workspace__owner",
        workspace="workspace_id",
        agent="pk",
        on=["save"],
    )
