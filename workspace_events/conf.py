"""Settings of workspace_events, read lazily on every access (``override_settings`` works).

Each setting is ``WORKSPACE_EVENTS_<NAME>`` in the Django settings; the defaults below are
documented in the README's settings table. ``checks`` reports values of the wrong type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .exceptions import ConfigurationError

PREFIX = "WORKSPACE_EVENTS_"

DEFAULTS: dict[str, Any] = {
    # Dotted path to a callable returning the default Pubsub; None picks one automatically.
    "PUBSUB": None,
    # The CHANNEL_LAYERS alias ChannelLayerPubsub uses.
    "CHANNEL_LAYER": "default",
    # Messages held per subscriber (and per WebSocket) before "dropped messages".
    "QUEUE_SIZE": 2048,
    # Seconds between liveness probes of the channel layer.
    "PROBE_INTERVAL": 2.0,
    # Seconds a publish may take before it fails.
    "PUBLISH_TIMEOUT": 5.0,
    # Dotted path to callable(user) -> UUID naming a user's owner channel.
    "OWNER_ID": None,
    # Record published events in the event log (the source of ids and resume).
    "LOG": True,
    # Kinds never recorded, e.g. {"stats_update"} on a busy platform.
    "UNLOGGED_KINDS": (),
    # Age after which workspace_events_prune removes a logged event.
    "RETENTION": timedelta(days=30),
    # Seconds between {"type": "ping"} frames on a WebSocket.
    "HEARTBEAT_INTERVAL": 15.0,
    # Most events a WebSocket replays for last_event_id; beyond it the client must resync.
    "REPLAY_LIMIT": 1000,
    # Largest page GET events/ returns.
    "HISTORY_LIMIT": 500,
    # Dotted path to callable(workspace_id) -> owner UUID or None: lets a build update also
    # publish state_change on the owner's channel, as Coder does.
    "WORKSPACE_OWNER": None,
    # How long an Idempotency-Key is remembered.
    "IDEMPOTENCY_TTL": timedelta(hours=24),
}


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{PREFIX}{name} must be a positive number, not {value!r}")
    return float(value)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"{PREFIX}{name} must be a positive integer, not {value!r}")
    return value


def _duration(name: str, value: Any) -> timedelta:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = timedelta(seconds=value)
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ConfigurationError(
            f"{PREFIX}{name} must be a positive timedelta or number of seconds, not {value!r}"
        )
    return value


def load_callable(name: str, path: Any) -> Callable[..., Any]:
    """Import the callable a dotted-path setting names, as a ``ConfigurationError`` if it fails."""
    if not isinstance(path, str):
        raise ConfigurationError(f"{PREFIX}{name} must be a dotted path, not {path!r}")
    try:
        target = import_string(path)
    except ImportError as exc:
        raise ConfigurationError(f"{PREFIX}{name}: cannot import {path!r}: {exc}") from exc
    if not callable(target):
        raise ConfigurationError(f"{PREFIX}{name}: {path!r} is not callable")
    return target  # type: ignore[no-any-return]


class Settings:
    """The settings of workspace_events; every attribute reads Django's settings anew."""

    def raw(self, name: str) -> Any:
        return getattr(settings, PREFIX + name, DEFAULTS[name])

    def names(self) -> Iterable[str]:
        return DEFAULTS.keys()

    @property
    def PUBSUB(self) -> str | None:
        value = self.raw("PUBSUB")
        return None if value is None else str(value)

    @property
    def CHANNEL_LAYER(self) -> str:
        value = self.raw("CHANNEL_LAYER")
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"{PREFIX}CHANNEL_LAYER must be a layer alias, not {value!r}")
        return value

    @property
    def QUEUE_SIZE(self) -> int:
        return _count("QUEUE_SIZE", self.raw("QUEUE_SIZE"))

    @property
    def PROBE_INTERVAL(self) -> float:
        return _number("PROBE_INTERVAL", self.raw("PROBE_INTERVAL"))

    @property
    def PUBLISH_TIMEOUT(self) -> float:
        return _number("PUBLISH_TIMEOUT", self.raw("PUBLISH_TIMEOUT"))

    @property
    def OWNER_ID(self) -> Callable[..., Any] | None:
        path = self.raw("OWNER_ID")
        return None if path is None else load_callable("OWNER_ID", path)

    @property
    def LOG(self) -> bool:
        value = self.raw("LOG")
        if not isinstance(value, bool):
            raise ConfigurationError(f"{PREFIX}LOG must be True or False, not {value!r}")
        return value

    @property
    def UNLOGGED_KINDS(self) -> frozenset[str]:
        value = self.raw("UNLOGGED_KINDS")
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ConfigurationError(
                f"{PREFIX}UNLOGGED_KINDS must be a collection of kinds, not {value!r}"
            )
        kinds = frozenset(value)
        if not all(isinstance(kind, str) for kind in kinds):
            raise ConfigurationError(f"{PREFIX}UNLOGGED_KINDS must hold strings, not {value!r}")
        return kinds

    @property
    def RETENTION(self) -> timedelta:
        return _duration("RETENTION", self.raw("RETENTION"))

    @property
    def HEARTBEAT_INTERVAL(self) -> float:
        return _number("HEARTBEAT_INTERVAL", self.raw("HEARTBEAT_INTERVAL"))

    @property
    def REPLAY_LIMIT(self) -> int:
        return _count("REPLAY_LIMIT", self.raw("REPLAY_LIMIT"))

    @property
    def HISTORY_LIMIT(self) -> int:
        return _count("HISTORY_LIMIT", self.raw("HISTORY_LIMIT"))

    @property
    def WORKSPACE_OWNER(self) -> Callable[..., Any] | None:
        path = self.raw("WORKSPACE_OWNER")
        return None if path is None else load_callable("WORKSPACE_OWNER", path)

    @property
    def IDEMPOTENCY_TTL(self) -> timedelta:
        return _duration("IDEMPOTENCY_TTL", self.raw("IDEMPOTENCY_TTL"))


conf = Settings()
