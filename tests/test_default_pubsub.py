from __future__ import annotations

import pytest
from django.test import override_settings

from workspace_events import ConfigurationError
from workspace_events.pubsub import ChannelLayerPubsub, MemoryPubsub, get_pubsub

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def custom_pubsub() -> MemoryPubsub:
    return MemoryPubsub(queue_size=3)


def not_a_pubsub() -> object:
    return object()


def test_without_channel_layers_the_default_is_memory() -> None:
    assert isinstance(get_pubsub(), MemoryPubsub)


def test_is_shared_until_settings_change() -> None:
    first = get_pubsub()
    assert get_pubsub() is first
    with override_settings(CHANNEL_LAYERS=IN_MEMORY):
        second = get_pubsub()
        assert isinstance(second, ChannelLayerPubsub)
        assert second.alias == "default"
    assert get_pubsub() is not second


@override_settings(
    CHANNEL_LAYERS={"other": IN_MEMORY["default"]}, WORKSPACE_EVENTS_CHANNEL_LAYER="other"
)
def test_layer_alias_setting() -> None:
    pubsub = get_pubsub()
    assert isinstance(pubsub, ChannelLayerPubsub)
    assert pubsub.alias == "other"


@override_settings(WORKSPACE_EVENTS_PUBSUB="tests.test_default_pubsub.custom_pubsub")
def test_custom_factory() -> None:
    pubsub = get_pubsub()
    assert isinstance(pubsub, MemoryPubsub)
    assert pubsub.queue_size == 3


@override_settings(WORKSPACE_EVENTS_PUBSUB="tests.test_default_pubsub.not_a_pubsub")
def test_custom_factory_must_return_a_pubsub() -> None:
    with pytest.raises(ConfigurationError, match="returned object, not a Pubsub"):
        get_pubsub()


@override_settings(WORKSPACE_EVENTS_QUEUE_SIZE=16)
def test_queue_size_setting_is_read_lazily() -> None:
    assert get_pubsub().queue_size == 16
    with override_settings(WORKSPACE_EVENTS_QUEUE_SIZE=32):
        assert get_pubsub().queue_size == 32


@override_settings(WORKSPACE_EVENTS_QUEUE_SIZE=0)
def test_bad_queue_size_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="must be a positive integer"):
        _ = get_pubsub().queue_size
