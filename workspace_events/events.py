"""The two payloads of the wire format: ``WorkspaceEvent`` and ``WorkspaceBuildUpdate``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from . import wire
from .enums import ProvisionerJobStatus, WorkspaceEventKind, WorkspaceTransition
from .exceptions import InvalidMessage, InvalidWorkspaceEvent

_EVENT_FIELDS = ("kind", "workspace_id", "agent_id")
_BUILD_FIELDS = (
    "workspace_id",
    "workspace_name",
    "build_id",
    "transition",
    "job_status",
    "build_number",
)
# Pre-encoded JSON strings of the known enum values: the publish path never re-escapes them.
_ENCODED: dict[str, bytes] = {
    member.value: wire.json_string(member.value)
    for enum in (WorkspaceEventKind, WorkspaceTransition, ProvisionerJobStatus)
    for member in enum
}


def _encode(text: str) -> bytes:
    return _ENCODED.get(text) or wire.json_string(text)


def _member(enum: Any, value: str) -> str:
    """The enum member for a known wire value; unknown values stay plain strings."""
    try:
        return enum(value)  # type: ignore[no-any-return]
    except ValueError:
        return value


def _coerce_uuid(name: str, value: object) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        return wire.parse_uuid(value)
    raise TypeError(f"{name} must be a UUID, not {type(value).__name__}")


def workspace_id_of(message: bytes) -> uuid.UUID | None:
    """The ``workspace_id`` of an event or build update message, decoded as Go would."""
    found: uuid.UUID | None = None
    try:
        for key, value in wire.decode_object(message):
            if value is not None and wire.field_name(key, ("workspace_id",)):
                found = wire.uuid_field("workspace_id", value)
    except InvalidMessage:
        return None
    return found


@dataclass(frozen=True, slots=True)
class WorkspaceEvent:
    """Something changed in one workspace; published on its owner's channel.

    ``kind`` holds a :class:`WorkspaceEventKind` member for known values and the raw
    string otherwise, so events from newer publishers pass through unchanged.
    """

    kind: WorkspaceEventKind | str
    workspace_id: uuid.UUID
    agent_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str):
            raise TypeError(f"kind must be a string, not {type(self.kind).__name__}")
        object.__setattr__(self, "kind", _member(WorkspaceEventKind, self.kind))
        object.__setattr__(self, "workspace_id", _coerce_uuid("workspace_id", self.workspace_id))
        if self.agent_id is not None:
            object.__setattr__(self, "agent_id", _coerce_uuid("agent_id", self.agent_id))

    def validate(self) -> None:
        """Apply Coder's three rules, in Coder's order; raise ``InvalidWorkspaceEvent``."""
        if self.workspace_id == wire.NIL_UUID:
            raise InvalidWorkspaceEvent("workspaceID must be set")
        if self.kind == "":
            raise InvalidWorkspaceEvent("kind must be set")
        if self.kind == WorkspaceEventKind.AGENT_LIFECYCLE_UPDATE and self.agent_id is None:
            raise InvalidWorkspaceEvent("agentID must be set for Agent events")

    def to_json(self) -> bytes:
        """The compact JSON object Coder publishes; ``agent_id`` only when set."""
        agent = b"" if self.agent_id is None else b',"agent_id":"%s"' % str(self.agent_id).encode()
        return b'{"kind":%s,"workspace_id":"%s"%s}' % (
            _encode(self.kind),
            str(self.workspace_id).encode(),
            agent,
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> WorkspaceEvent:
        """Decode as Go's ``json.Unmarshal`` would; missing or null fields take zero values.

        Raises ``InvalidMessage`` for text that is not a JSON object or holds a field of
        the wrong type. Does not validate: see :meth:`validate`.
        """
        kind = ""
        workspace_id = wire.NIL_UUID
        agent_id: uuid.UUID | None = None
        for key, value in wire.decode_object(data):
            name = wire.field_name(key, _EVENT_FIELDS)
            if name == "agent_id":  # a Go pointer: null resets it
                agent_id = None if value is None else wire.uuid_field(name, value)
            elif value is None:  # Go leaves a non-pointer field as it was
                continue
            elif name == "kind":
                kind = wire.string_field(name, value)
            elif name == "workspace_id":
                workspace_id = wire.uuid_field(name, value)
        return cls(kind, workspace_id, agent_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkspaceBuildUpdate:
    """A workspace build moved on; published on ``workspace_updates:all``.

    ``transition`` and ``job_status`` hold enum members for known values; the API
    rejects unknown ones, but decoding keeps them so newer publishers pass through.
    """

    workspace_id: uuid.UUID
    workspace_name: str = ""
    build_id: uuid.UUID
    transition: WorkspaceTransition | str
    job_status: ProvisionerJobStatus | str
    build_number: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "workspace_id", _coerce_uuid("workspace_id", self.workspace_id))
        object.__setattr__(self, "build_id", _coerce_uuid("build_id", self.build_id))
        for name in ("workspace_name", "transition", "job_status"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string")
        object.__setattr__(self, "transition", _member(WorkspaceTransition, self.transition))
        object.__setattr__(self, "job_status", _member(ProvisionerJobStatus, self.job_status))
        number = self.build_number
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError("build_number must be an int")
        if not wire.INT32_MIN <= number <= wire.INT32_MAX:
            raise ValueError("build_number must fit in 32 bits")

    def to_json(self) -> bytes:
        """The compact JSON object, keys in declaration order."""
        return (
            b'{"workspace_id":"%s","workspace_name":%s,"build_id":"%s",'
            b'"transition":%s,"job_status":%s,"build_number":%d}'
            % (
                str(self.workspace_id).encode(),
                _encode(self.workspace_name),
                str(self.build_id).encode(),
                _encode(self.transition),
                _encode(self.job_status),
                self.build_number,
            )
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> WorkspaceBuildUpdate:
        """Decode as Go's ``json.Unmarshal`` would; missing or null fields take zero values.

        Raises ``InvalidMessage`` for text that is not a JSON object or holds a field of
        the wrong type (``build_number`` must be an int32).
        """
        fields: dict[str, Any] = {
            "workspace_id": wire.NIL_UUID,
            "workspace_name": "",
            "build_id": wire.NIL_UUID,
            "transition": "",
            "job_status": "",
            "build_number": 0,
        }
        for key, value in wire.decode_object(data):
            name = wire.field_name(key, _BUILD_FIELDS)
            if name is None or value is None:  # null leaves Go's field as it was
                continue
            if name in ("workspace_id", "build_id"):
                fields[name] = wire.uuid_field(name, value)
            elif name == "build_number":
                fields[name] = wire.int32_field(name, value)
            else:
                fields[name] = wire.string_field(name, value)
        return cls(**fields)
