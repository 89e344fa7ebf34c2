"""A publisher process: publishes events at a fixed rate through ChannelLayerPubsub.

Each payload carries the step number and its publish time for the clients' figures.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from workspace_events import workspace_event_channel  # noqa: E402
from workspace_events.pubsub import ChannelLayerPubsub  # noqa: E402

from .procs import self_cpu  # noqa: E402
from .worker import serve  # noqa: E402

TICK = 0.005


async def run(command: dict[str, Any]) -> dict[str, Any]:
    pubsub = ChannelLayerPubsub()
    channels = itertools.cycle([workspace_event_channel(owner) for owner in command["owners"]])
    workspace = command["owners"][0]
    rate, seconds, step = command["rate"], command["seconds"], command["step"]
    cpu = self_cpu()
    sent = 0
    behind = 0.0
    started = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
        due = int(elapsed * rate) - sent
        if due > 0:
            now = time.time()
            batch = [
                pubsub.apublish(
                    next(channels),
                    b'{"kind":"stats_update","workspace_id":"%s","step":%d,"ts":%.6f}'
                    % (workspace.encode(), step, now),
                )
                for _ in range(due)
            ]
            await asyncio.gather(*batch)
            sent += due
            behind = max(behind, time.perf_counter() - started - (sent / rate))
        await asyncio.sleep(TICK)
    await pubsub.aclose()
    return {"published": sent, "cpu": self_cpu() - cpu, "behind": behind}


if __name__ == "__main__":
    asyncio.run(serve({"run": run}))
