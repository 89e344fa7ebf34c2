"""Which owner channel belongs to a user: the one mapping every endpoint uses."""

from __future__ import annotations

import uuid
from typing import Any

from .conf import conf
from .exceptions import ConfigurationError


def default_owner_id(user: Any) -> uuid.UUID:
    """A UUID primary key as it is; an integer primary key ``n`` as ``UUID(int=n)``."""
    pk = user.pk
    if isinstance(pk, uuid.UUID):
        return pk
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**128:
        return uuid.UUID(int=pk)
    raise ConfigurationError(
        f"cannot derive an owner UUID from primary key {pk!r}; "
        "set WORKSPACE_EVENTS_OWNER_ID to a callable(user) -> UUID"
    )


def owner_id_for(user: Any) -> uuid.UUID:
    """The UUID naming ``user``'s owner channel, through ``WORKSPACE_EVENTS_OWNER_ID``."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValueError("an anonymous user owns no workspace channel")
    mapping = conf.OWNER_ID
    if mapping is None:
        return default_owner_id(user)
    owner = mapping(user)
    if not isinstance(owner, uuid.UUID):
        raise ConfigurationError(
            f"WORKSPACE_EVENTS_OWNER_ID returned {type(owner).__name__}, not a UUID"
        )
    return owner
