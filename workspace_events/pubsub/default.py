"""``get_pubsub()``: the process-wide pubsub the settings describe."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from ..conf import PREFIX, conf, load_callable
from ..exceptions import ConfigurationError
from .base import Pubsub
from .layer import ChannelLayerPubsub
from .memory import MemoryPubsub

logger = logging.getLogger("workspace_events.pubsub")

_lock = threading.Lock()
_pubsub: Pubsub | None = None


def build_pubsub() -> Pubsub:
    """A new pubsub as configured.

    ``WORKSPACE_EVENTS_PUBSUB`` names a factory when set; otherwise a
    :class:`ChannelLayerPubsub` over ``WORKSPACE_EVENTS_CHANNEL_LAYER`` when
    ``CHANNEL_LAYERS`` defines that alias, else a :class:`MemoryPubsub`.
    """
    path = conf.PUBSUB
    if path is not None:
        pubsub = load_callable("PUBSUB", path)()
        if not isinstance(pubsub, Pubsub):
            raise ConfigurationError(
                f"{PREFIX}PUBSUB: {path!r} returned {type(pubsub).__name__}, not a Pubsub"
            )
        return pubsub
    alias = conf.CHANNEL_LAYER
    if alias in getattr(settings, "CHANNEL_LAYERS", {}):
        return ChannelLayerPubsub(alias)
    return MemoryPubsub()


def get_pubsub() -> Pubsub:
    """The configured default pubsub, shared by the whole process."""
    global _pubsub
    pubsub = _pubsub
    if pubsub is None:
        with _lock:
            if _pubsub is None:
                _pubsub = build_pubsub()
            pubsub = _pubsub
    return pubsub


def reset_pubsub() -> None:
    """Close the default pubsub; the next ``get_pubsub()`` builds a new one."""
    global _pubsub
    with _lock:
        old, _pubsub = _pubsub, None
    if old is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        with contextlib.suppress(Exception):
            old.close()
    else:
        task = loop.create_task(old.aclose())
        task.add_done_callback(_report)


def _report(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("workspace_events: closing the old pubsub failed: %s", task.exception())


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(PREFIX) or setting == "CHANNEL_LAYERS":
        reset_pubsub()
