from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

from workspace_events.checks import check_channel_layer, check_settings

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CORE = "channels_redis.core.RedisChannelLayer"


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [message.id for message in messages if message.id]


def test_defaults_pass_with_debug() -> None:
    with override_settings(DEBUG=True):
        assert check_settings() == []
        assert check_channel_layer() == []


def test_no_layers_with_debug_off_warns_in_process_only() -> None:
    (warning,) = check_channel_layer()
    assert warning.id == "workspace_events.W001"
    assert "MemoryPubsub" in warning.msg
    assert warning.hint


@override_settings(CHANNEL_LAYERS=IN_MEMORY)
def test_in_memory_layer_with_debug_off_warns() -> None:
    assert ids(check_channel_layer()) == ["workspace_events.W001"]
    with override_settings(DEBUG=True):
        assert check_channel_layer() == []


@override_settings(CHANNEL_LAYERS={"other": IN_MEMORY["default"]})
def test_missing_alias_is_an_error() -> None:
    (error,) = check_channel_layer()
    assert error.id == "workspace_events.E001"
    assert "'default'" in error.msg
    assert "['other']" in error.hint


@override_settings(WORKSPACE_EVENTS_CHANNEL_LAYER="events")
def test_explicit_alias_without_any_layers_is_an_error() -> None:
    assert ids(check_channel_layer()) == ["workspace_events.E001"]


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "no.such.Layer"}})
def test_unbuildable_layer_is_an_error() -> None:
    (error,) = check_channel_layer()
    assert error.id == "workspace_events.E002"


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "tests.layers.NoGroupsLayer"}})
def test_layer_without_groups_is_an_error() -> None:
    assert ids(check_channel_layer()) == ["workspace_events.E003"]


@pytest.mark.parametrize(
    ("host", "warns"),
    [
        ("redis://127.0.0.1:6379", True),  # redis-py's default 5 s socket timeout
        ({"address": "redis://127.0.0.1:6379", "socket_timeout": 5}, True),
        ({"address": "redis://127.0.0.1:6379", "socket_timeout": 30}, False),
        ("redis://127.0.0.1:6379?socket_timeout=30", False),
        ({"address": "redis://127.0.0.1:6379", "socket_timeout": None}, False),
    ],
)
def test_core_redis_layer_socket_timeout(host: object, warns: bool) -> None:
    layers = {"default": {"BACKEND": CORE, "CONFIG": {"hosts": [host]}}}
    with override_settings(CHANNEL_LAYERS=layers):
        assert ids(check_channel_layer()) == (["workspace_events.W002"] if warns else [])


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:6379"]},
        }
    }
)
def test_pubsub_redis_layer_passes() -> None:
    assert check_channel_layer() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QUEUE_SIZE", 0),
        ("QUEUE_SIZE", "10"),
        ("PROBE_INTERVAL", -1),
        ("PUBLISH_TIMEOUT", True),
        ("CHANNEL_LAYER", ""),
        ("OWNER_ID", "no.such.function"),
        ("OWNER_ID", 12),
        ("LOG", "yes"),
        ("UNLOGGED_KINDS", "stats_update"),
        ("UNLOGGED_KINDS", [1]),
        ("RETENTION", "a week"),
        ("RETENTION", 0),
    ],
)
def test_invalid_settings_are_errors(name: str, value: object) -> None:
    with override_settings(**{f"WORKSPACE_EVENTS_{name}": value}):
        (error,) = check_settings()
    assert error.id == "workspace_events.E004"
    assert f"WORKSPACE_EVENTS_{name}" in error.msg


def test_manage_py_check_runs_the_checks() -> None:
    root = Path(__file__).resolve().parent.parent
    script = (
        "import django, sys;"
        "from django.conf import settings;"
        "settings.configure(INSTALLED_APPS=['workspace_events'], DEBUG=False,"
        " WORKSPACE_EVENTS_QUEUE_SIZE=-5);"
        "django.setup();"
        "from django.core.management import call_command;"
        "call_command('check')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "workspace_events.E004" in result.stderr
    assert "workspace_events.W001" in result.stderr


def test_token_authentication_check() -> None:
    from workspace_events.checks import check_token_authentication

    assert check_token_authentication() == []
    with override_settings(
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "workspace_events",
        ]
    ):
        assert ids(check_token_authentication()) == ["workspace_events.W003"]
