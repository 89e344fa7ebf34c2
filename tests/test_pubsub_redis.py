"""ChannelLayerPubsub against the real Redis server, through both channels_redis layers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from workspace_events import DroppedMessages, PublishError
from workspace_events.pubsub import ChannelLayerPubsub, Delivery

from .helpers import Recorder, until
from .redis_support import RedisServer, unique_prefix

pytestmark = pytest.mark.redis

CORE = "channels_redis.core.RedisChannelLayer"
PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"
BACKENDS = [pytest.param(CORE, id="core"), pytest.param(PUBSUB, id="pubsub")]
ROOT = Path(__file__).resolve().parent.parent


def layers(backend: str, url: str, prefix: str, **config: Any) -> dict[str, Any]:
    hosts: list[Any] = [url]
    if backend == CORE:
        # A socket timeout above the 5 s blocking pop, as the README advises (issue #422).
        hosts = [{"address": url, "socket_timeout": 30}]
    return {
        "default": {"BACKEND": backend, "CONFIG": {"hosts": hosts, "prefix": prefix, **config}}
    }


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def shared_layer(backend: str, redis_url: str) -> Iterator[str]:
    prefix = unique_prefix()
    with override_settings(CHANNEL_LAYERS=layers(backend, redis_url, prefix)):
        yield prefix


async def test_publish_and_receive(shared_layer: str) -> None:
    subscriber, publisher = ChannelLayerPubsub(), ChannelLayerPubsub()
    got = Recorder()
    await subscriber.asubscribe_deliveries("workspace_owner:a", got.acall)
    for n in range(50):
        await publisher.apublish("workspace_owner:a", b"%d" % n, event_id=n)
    calls = await got.await_calls(50)
    assert calls == [(Delivery("workspace_owner:a", b"%d" % n, n), None) for n in range(50)]
    await publisher.aclose()
    await subscriber.aclose()


def run_peer(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.pubsub_peer", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_message_published_here_reaches_another_process(backend: str, redis_url: str) -> None:
    prefix = unique_prefix()
    peer = run_peer("subscribe", backend, redis_url, prefix, "workspace_updates:all", "3")
    try:
        assert peer.stdout is not None
        assert peer.stdout.readline().strip() == "ready", peer.stderr.read() if peer.stderr else ""
        with override_settings(CHANNEL_LAYERS=layers(backend, redis_url, prefix)):
            pubsub = ChannelLayerPubsub()
            for n in range(3):
                pubsub.publish("workspace_updates:all", b'{"n":%d}' % n, event_id=100 + n)
            pubsub.close()
        out, err = peer.communicate(timeout=30)
    finally:
        peer.kill()
    assert peer.returncode == 0, err
    assert out.splitlines() == ['100 {"n":0}', '101 {"n":1}', '102 {"n":2}']


async def test_a_message_published_in_another_process_arrives_here(
    backend: str, redis_url: str
) -> None:
    prefix = unique_prefix()
    with override_settings(CHANNEL_LAYERS=layers(backend, redis_url, prefix)):
        pubsub = ChannelLayerPubsub()
        got = Recorder()
        await pubsub.asubscribe_deliveries("workspace_owner:b", got.acall)
        peer = run_peer("publish", backend, redis_url, prefix, "workspace_owner:b", "x", "y")
        _, err = await asyncio.to_thread(peer.communicate, timeout=30)
        assert peer.returncode == 0, err
        assert await got.await_calls(2) == [
            (Delivery("workspace_owner:b", b"x", 1), None),
            (Delivery("workspace_owner:b", b"y", 2), None),
        ]
        await pubsub.aclose()


async def test_redis_killed_and_restarted_mid_stream(
    backend: str, redis_server: RedisServer
) -> None:
    prefix = unique_prefix()
    with override_settings(CHANNEL_LAYERS=layers(backend, redis_server.url, prefix)):
        subscriber = ChannelLayerPubsub(probe_interval=0.05, publish_timeout=1)
        publisher = ChannelLayerPubsub(publish_timeout=1)
        got, plain = Recorder(), Recorder()
        await subscriber.asubscribe_with_err("workspace_owner:c", got.acall)
        await subscriber.asubscribe("workspace_owner:c", plain.acall)
        await publisher.apublish("workspace_owner:c", b"before")
        assert await got.await_calls(1) == [(b"before", None)]

        redis_server.kill()
        with pytest.raises(PublishError):
            await publisher.apublish("workspace_owner:c", b"during")
        await until(lambda: not subscriber.hub().connected, timeout=10)
        await asyncio.to_thread(redis_server.start)

        calls = await got.await_calls(2, timeout=20)
        assert calls[1][0] is None and isinstance(calls[1][1], DroppedMessages)
        # Delivery resumes without anyone subscribing again.
        deadline = time.monotonic() + 20
        while True:
            try:
                await publisher.apublish("workspace_owner:c", b"after")
                break
            except PublishError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        calls = await got.await_calls(3, timeout=20)
        assert calls[2] == (b"after", None)
        assert [call[0] for call in await plain.await_calls(2)] == [b"before", b"after"]
        await publisher.aclose()
        await subscriber.aclose()


async def test_core_layer_with_default_socket_timeout_survives_idling(redis_url: str) -> None:
    # redis-py's 5 s socket timeout equals the layer's 5 s blocking pop (channels_redis #422).
    config = {"hosts": [redis_url], "prefix": unique_prefix()}
    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": CORE, "CONFIG": config}}):
        pubsub = ChannelLayerPubsub(probe_interval=60)
        got = Recorder()
        await pubsub.asubscribe_with_err("e", got.acall)
        await asyncio.sleep(6)
        await pubsub.apublish("e", b"still here")
        assert await got.await_calls(1, timeout=10) == [(b"still here", None)]
        assert pubsub.hub().connected
        await pubsub.aclose()


async def test_a_burst_of_new_subscriptions_fits_the_connection_pool(shared_layer: str) -> None:
    # redis-py refuses a 101st simultaneous connection from one pool; 300 sockets of 300
    # owners opening at once must not each take one.
    pubsub = ChannelLayerPubsub()
    got = Recorder()
    cancels = await asyncio.gather(
        *(pubsub.asubscribe(f"workspace_owner:{n}", got.acall) for n in range(300))
    )
    await pubsub.apublish("workspace_owner:299", b"last")
    assert await got.await_calls(1) == [(b"last",)]
    await asyncio.gather(*(cancel() for cancel in cancels))
    await pubsub.aclose()
