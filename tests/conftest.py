from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from workspace_events.pubsub import MemoryPubsub, get_pubsub, reset_pubsub

from .helpers import Recorder
from .redis_support import RedisServer, shared_redis_url


@pytest.fixture
async def memory_pubsub() -> AsyncIterator[MemoryPubsub]:
    pubsub = MemoryPubsub()
    yield pubsub
    await pubsub.aclose()


@pytest.fixture
def sync_memory_pubsub() -> Iterator[MemoryPubsub]:
    pubsub = MemoryPubsub()
    yield pubsub
    pubsub.close()


@pytest.fixture(autouse=True)
def _fresh_default_pubsub() -> Iterator[None]:
    """Each test starts and ends without a cached default pubsub."""
    reset_pubsub()
    yield
    reset_pubsub()


@pytest.fixture
def redis_url() -> str:
    return shared_redis_url()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def watch() -> Iterator[Callable[[str], Recorder]]:
    """Subscribe a recorder of deliveries to a channel of the default pubsub."""
    cancels: list[Callable[[], None]] = []

    def subscribe(channel: str) -> Recorder:
        recorder = Recorder()
        cancels.append(get_pubsub().subscribe_deliveries(channel, recorder))
        return recorder

    yield subscribe
    for cancel in cancels:
        cancel()


def only_marker_follows(recorder: Recorder, channel: str) -> list[tuple[Any, ...]]:
    """Publish a marker and return what arrived up to it (publish order is kept)."""
    get_pubsub().publish(channel, b"marker")
    calls = recorder.wait(1)
    while calls[-1][0].message != b"marker":
        calls = recorder.wait(len(calls) + 1)
    return calls[:-1]
