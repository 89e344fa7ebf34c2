"""Who may read which stream, and the query parameters that choose it.

Shared by the WebSocket consumers and ``GET events/`` so both apply the same rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from .channels import ALL_WORKSPACE_EVENT_CHANNEL, owner_from_channel
from .owners import owner_id_for
from .wire import NIL_UUID, parse_uuid

WATCH_ANY_OWNER = "workspace_events.watch_any_owner"
WATCH_ALL_BUILDS = "workspace_events.watch_all_builds"
PUBLISH_BUILD_UPDATE = "workspace_events.publish_build_update"
PUBLISH_WORKSPACE_EVENT = "workspace_events.publish_workspace_event"
MAX_EVENT_ID = 2**63 - 1


class BadQuery(ValueError):
    """A query parameter is missing, repeated or malformed."""


@dataclass(frozen=True, slots=True)
class Stream:
    """What a watcher asked for: a channel, optionally one workspace, optionally a resume point."""

    channel: str
    workspace_id: uuid.UUID | None = None
    last_event_id: int | None = None


def parse_query(
    query_string: bytes | str, allowed: Iterable[str], *, strict: bool = False
) -> dict[str, str]:
    """The ``allowed`` parameters of a query string, each at most once.

    Other parameters are ignored, or refused when ``strict``.
    """
    if isinstance(query_string, bytes):
        try:
            query_string = query_string.decode("ascii")
        except UnicodeDecodeError as exc:
            raise BadQuery("the query string is not ASCII") from exc
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadQuery(f"malformed query string: {exc}") from exc
    wanted = set(allowed)
    found: dict[str, str] = {}
    for name, value in pairs:
        if name not in wanted:
            if strict:
                raise BadQuery(f"unknown parameter {name!r}")
            continue
        if name in found:
            raise BadQuery(f"{name} is given more than once")
        found[name] = value
    return found


def uuid_param(name: str, value: str) -> uuid.UUID:
    """A UUID parameter; the all-zero UUID is refused."""
    try:
        parsed = parse_uuid(value)
    except ValueError as exc:
        raise BadQuery(f"{name} must be a UUID") from exc
    if parsed == NIL_UUID:
        raise BadQuery(f"{name} must not be the nil UUID")
    return parsed


def event_id_param(name: str, value: str) -> int:
    """A non-negative event id in decimal digits."""
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        raise BadQuery(f"{name} must be a non-negative integer")
    number = int(value)
    if number > MAX_EVENT_ID:
        raise BadQuery(f"{name} is too large")
    return number


def can_read(user: Any, channel: str) -> bool:
    """Whether ``user`` may read ``channel``: its own owner channel, or by permission."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if channel == ALL_WORKSPACE_EVENT_CHANNEL:
        return bool(user.has_perm(WATCH_ALL_BUILDS))
    owner = owner_from_channel(channel)
    if owner is None:
        return False
    return owner == owner_id_for(user) or bool(user.has_perm(WATCH_ANY_OWNER))
