"""Publish/subscribe of byte messages under event names, in process or across processes."""

from __future__ import annotations

from .base import (
    AsyncCancel,
    Cancel,
    Delivery,
    DeliveryListener,
    Listener,
    ListenerWithErr,
    Pubsub,
)
from .default import build_pubsub, get_pubsub, reset_pubsub
from .layer import ChannelLayerPubsub
from .memory import MemoryPubsub

__all__ = [
    "AsyncCancel",
    "Cancel",
    "ChannelLayerPubsub",
    "Delivery",
    "DeliveryListener",
    "Listener",
    "ListenerWithErr",
    "MemoryPubsub",
    "Pubsub",
    "build_pubsub",
    "get_pubsub",
    "reset_pubsub",
]
