"""Logical channel names, and the one mapping from them to Channels group names."""

from __future__ import annotations

import functools
import hashlib
import re
import uuid

from . import wire

ALL_WORKSPACE_EVENT_CHANNEL = "workspace_updates:all"
OWNER_CHANNEL_PREFIX = "workspace_owner:"

GROUP_PREFIX = "workspace_events."
# Channels refuses group names of 100 characters or more.
_MAX_GROUP_LENGTH = 99
_SPECIAL = re.compile(r"[^A-Za-z0-9_-]")


def workspace_event_channel(owner_id: uuid.UUID | str) -> str:
    """The logical channel carrying every ``WorkspaceEvent`` of one owner.

    ``owner_id`` is a ``UUID`` or UUID text; anything else raises ``ValueError``.
    """
    if isinstance(owner_id, str):
        owner_id = wire.parse_uuid(owner_id)
    elif not isinstance(owner_id, uuid.UUID):
        raise ValueError(f"owner_id must be a UUID, not {type(owner_id).__name__}")
    return f"{OWNER_CHANNEL_PREFIX}{owner_id}"


def owner_from_channel(channel: str) -> uuid.UUID | None:
    """The owner of a ``workspace_owner:<uuid>`` channel, or ``None`` for any other name."""
    if not channel.startswith(OWNER_CHANNEL_PREFIX):
        return None
    try:
        owner = wire.parse_uuid(channel[len(OWNER_CHANNEL_PREFIX) :])
    except ValueError:
        return None
    # Only the canonical spelling names a channel; anything else is a different string.
    return owner if channel == workspace_event_channel(owner) else None


def _escape(match: re.Match[str]) -> str:
    return f".{ord(match.group()):x}."


@functools.lru_cache(maxsize=65536)
def group_name(channel: str) -> str:
    """Map a logical channel name to a valid, unique Channels group name.

    Every backend and consumer goes through this function. Characters outside
    ``[A-Za-z0-9_-]`` (``:`` above all, and ``.`` itself) become ``.<hex code point>.``,
    which keeps the mapping one-to-one; ``workspace_owner:<uuid>`` becomes
    ``workspace_events.workspace_owner.3a.<uuid>``. Names that would exceed Channels' length
    limit become ``workspace_events.sha256.<digest>``.
    """
    name = GROUP_PREFIX + _SPECIAL.sub(_escape, channel)
    if len(name) <= _MAX_GROUP_LENGTH:
        return name
    digest = hashlib.sha256(channel.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{GROUP_PREFIX}sha256.{digest}"
