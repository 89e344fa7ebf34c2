from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from workspace_events.pubsub import MemoryPubsub, reset_pubsub

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
