"""Request bodies, checked strictly: exact types, known values, no unknown fields."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..enums import ProvisionerJobStatus, WorkspaceEventKind, WorkspaceTransition
from ..events import WorkspaceBuildUpdate, WorkspaceEvent
from ..exceptions import InvalidWorkspaceEvent
from .fields import BuildNumberField, StrictCharField, StrictChoiceField, StrictUUIDField


class StrictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Refuses fields it does not declare."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class WorkspaceEventSerializer(StrictSerializer):
    owner_id = StrictUUIDField()
    kind = StrictChoiceField(choices=WorkspaceEventKind.choices)
    workspace_id = StrictUUIDField()
    agent_id = StrictUUIDField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        event = WorkspaceEvent(attrs["kind"], attrs["workspace_id"], attrs.get("agent_id"))
        try:
            event.validate()
        except InvalidWorkspaceEvent as exc:
            raise serializers.ValidationError({"agent_id": [str(exc)]}) from exc
        attrs["event"] = event
        return attrs


class WorkspaceBuildUpdateSerializer(StrictSerializer):
    workspace_id = StrictUUIDField()
    workspace_name = StrictCharField(
        required=False, allow_blank=True, max_length=255, trim_whitespace=False
    )
    build_id = StrictUUIDField()
    transition = StrictChoiceField(choices=WorkspaceTransition.choices)
    job_status = StrictChoiceField(choices=ProvisionerJobStatus.choices)
    build_number = BuildNumberField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["update"] = WorkspaceBuildUpdate(
            workspace_id=attrs["workspace_id"],
            workspace_name=attrs.get("workspace_name", ""),
            build_id=attrs["build_id"],
            transition=attrs["transition"],
            job_status=attrs["job_status"],
            build_number=attrs["build_number"],
        )
        return attrs
