"""System checks (``manage.py check``): settings, and the channel layer they name.

IDs are never reused: E001 unknown layer alias, E002 layer cannot be built, E003 layer
without groups, E004 invalid setting, W001 in-process delivery with DEBUG off, W002
``RedisChannelLayer`` whose socket timeout kills idle receivers, W003 DRF tokens not
installed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core import checks

from .conf import PREFIX, conf
from .exceptions import ConfigurationError

TAG = "workspace_events"


def register() -> None:
    checks.register(check_settings, TAG)
    checks.register(check_channel_layer, TAG)
    checks.register(check_token_authentication, TAG)


def check_token_authentication(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from django.apps import apps

    if apps.is_installed("rest_framework.authtoken"):
        return []
    return [
        checks.Warning(
            "rest_framework.authtoken is not installed: the API and the WebSockets accept "
            "session authentication only, and refuse 'Authorization: Token' headers.",
            hint="Add 'rest_framework.authtoken' to INSTALLED_APPS and migrate.",
            id="workspace_events.W003",
        )
    ]


def check_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for name in conf.names():
        try:
            getattr(conf, name)
        except ConfigurationError as exc:
            errors.append(
                checks.Error(
                    str(exc),
                    hint=f"See the settings table in the README for {PREFIX}{name}.",
                    id="workspace_events.E004",
                )
            )
    return errors


def check_channel_layer(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    try:
        if conf.PUBSUB is not None:
            return []  # a custom pubsub: nothing here to inspect
        alias = conf.CHANNEL_LAYER
    except ConfigurationError:
        return []  # reported by check_settings
    layers = getattr(settings, "CHANNEL_LAYERS", None) or {}
    if alias not in layers:
        if layers or hasattr(settings, f"{PREFIX}CHANNEL_LAYER"):
            return [
                checks.Error(
                    f"CHANNEL_LAYERS has no layer named {alias!r}.",
                    hint=f"Add it to CHANNEL_LAYERS or set {PREFIX}CHANNEL_LAYER to one of "
                    f"{sorted(layers)}.",
                    id="workspace_events.E001",
                )
            ]
        return _in_process("no CHANNEL_LAYERS are configured, so events use MemoryPubsub")
    from channels.layers import get_channel_layer

    try:
        layer = get_channel_layer(alias)
    except Exception as exc:
        return [
            checks.Error(
                f"The channel layer {alias!r} cannot be built: {exc}",
                hint="Check its BACKEND and CONFIG, and that its package is installed.",
                id="workspace_events.E002",
            )
        ]
    if "groups" not in _extensions(layer):
        return [
            checks.Error(
                f"The channel layer {alias!r} ({type(layer).__name__}) does not support groups.",
                hint="Use channels_redis (RedisPubSubChannelLayer or RedisChannelLayer).",
                id="workspace_events.E003",
            )
        ]
    messages = []
    if type(layer).__name__ == "InMemoryChannelLayer":
        messages += _in_process(f"the channel layer {alias!r} is InMemoryChannelLayer")
    messages += _idle_timeout(alias, layer)
    return messages


def _extensions(layer: Any) -> Sequence[str]:
    found = getattr(type(layer), "extensions", None)
    if found is not None:
        return found  # type: ignore[no-any-return]

    # RedisPubSubChannelLayer is a proxy that resolves attributes within an event loop.
    async def read() -> Sequence[str]:
        return getattr(layer, "extensions", ())

    try:
        return asyncio.run(read())
    except RuntimeError:  # called inside a running loop
        return ()


def _in_process(reason: str) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    return [
        checks.Warning(
            f"Workspace events reach only this process: {reason}.",
            hint="With several server processes, configure a channels_redis layer "
            "(see 'Deployment' in the README).",
            id="workspace_events.W001",
        )
    ]


def _idle_timeout(alias: str, layer: Any) -> list[checks.CheckMessage]:
    """channels_redis issue #422: a receive idle for ``brpop_timeout`` dies at that timeout."""
    pop_timeout = getattr(type(layer), "brpop_timeout", None)
    if pop_timeout is None:  # only RedisChannelLayer blocks on a pop
        return []
    default: float | None
    try:
        from redis._defaults import DEFAULT_SOCKET_TIMEOUT as default
    except ImportError:  # older redis-py: no socket timeout by default
        default = None
    for host in getattr(layer, "hosts", ()):
        timeout = _socket_timeout(host, default)
        if timeout is not None and timeout <= pop_timeout:
            return [
                checks.Warning(
                    f"The channel layer {alias!r} has a Redis socket timeout of {timeout}s, "
                    f"not above its {pop_timeout}s blocking pop: idle receivers fail with "
                    "TimeoutError (channels_redis issue #422).",
                    hint='Give each host a larger timeout, e.g. {"address": "redis://...", '
                    '"socket_timeout": 30}, or use RedisPubSubChannelLayer.',
                    id="workspace_events.W002",
                )
            ]
    return []


def _socket_timeout(host: dict[str, Any], default: float | None) -> float | None:
    if "socket_timeout" in host:
        value = host["socket_timeout"]
        return None if value is None else float(value)
    query = parse_qs(urlsplit(str(host.get("address", ""))).query)
    if "socket_timeout" in query:
        return float(query["socket_timeout"][-1])
    return default
