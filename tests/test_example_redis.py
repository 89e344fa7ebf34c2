"""The example project as several server processes sharing Redis (and one database)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from .example_support import (
    AGENT_STARTUP,
    FAST,
    kinds,
    of,
    read_until,
    session,
    socket,
    statuses,
)
from .redis_support import shared_redis_url, unique_prefix
from .servers import ExampleProject

pytestmark = [pytest.mark.e2e, pytest.mark.redis]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExampleProject, str]]:
    example = ExampleProject(
        tmp_path_factory.mktemp("cluster"),
        **FAST,
        REDIS_URL=shared_redis_url(),
        REDIS_PREFIX=unique_prefix(),
    )
    example.manage("migrate", "--noinput")
    seeded = example.manage("seed_demo")
    yield example, seeded
    example.stop()


def test_seed_demo_says_events_go_through_redis(cluster) -> None:
    _, seeded = cluster
    assert f"Events travel over: RedisPubSubChannelLayer on {shared_redis_url()}" in seeded


async def test_a_build_started_through_one_process_is_watched_through_another(cluster) -> None:
    example, _ = cluster
    one = await asyncio.to_thread(example.serve, "uvicorn")
    other = await asyncio.to_thread(example.serve, "uvicorn")
    ada_one = await asyncio.to_thread(session, one, "ada")
    ada_other = await asyncio.to_thread(session, other, "ada")
    operator = await asyncio.to_thread(session, other, "operator")
    wid = (await asyncio.to_thread(ada_other.workspace, "dev"))["id"]
    async with (
        socket(other, ada_other, "/ws/workspace-events/") as events,
        socket(other, operator, "/ws/workspace-builds/") as builds,
    ):
        for ws in (events, builds):
            assert json.loads(await ws.recv()) == {"type": "ping"}
        assert (await asyncio.to_thread(ada_one.act, "dev", "start"))[0] == 202
        updates = of(wid, await read_until(builds, lambda f: "succeeded" in statuses(of(wid, f))))
        frames = of(
            wid, await read_until(events, lambda f: "stats_update" in kinds(of(wid, f)), 30)
        )
    assert statuses(updates) == ["pending", "running", "succeeded"]
    assert kinds(frames) == ["state_change"] * 3 + AGENT_STARTUP + ["stats_update"]
    # The database rows moved on too: either process shows the same state.
    for client in (ada_one, ada_other):
        state = await asyncio.to_thread(client.workspace, "dev")
        assert state["status"] == "running"
        assert state["agent"]["lifecycle_state"] == "ready"
