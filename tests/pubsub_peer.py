"""A second OS process on the same Redis, for cross-process tests.

python -m tests.pubsub_peer subscribe <backend> <redis url> <prefix> <event> <count>
    prints "ready", then one line per message received (``id message``), then exits.
python -m tests.pubsub_peer publish <backend> <redis url> <prefix> <event> <message>...
"""

from __future__ import annotations

import asyncio
import sys

import django
from django.conf import settings


def configure(backend: str, url: str, prefix: str) -> None:
    settings.configure(
        INSTALLED_APPS=["workspace_events"],
        CHANNEL_LAYERS={
            "default": {"BACKEND": backend, "CONFIG": {"hosts": [url], "prefix": prefix}}
        },
        WORKSPACE_EVENTS_PROBE_INTERVAL=0.1,
    )
    django.setup()


async def subscribe(event: str, count: int) -> None:
    from workspace_events.pubsub import ChannelLayerPubsub, Delivery

    pubsub = ChannelLayerPubsub()
    done = asyncio.Event()
    seen = 0

    async def listener(delivery: Delivery | None, err: Exception | None) -> None:
        nonlocal seen
        print(f"{delivery.event_id} {delivery.message.decode()}" if delivery else f"error {err}")
        sys.stdout.flush()
        seen += 1
        if seen >= count:
            done.set()

    await pubsub.asubscribe_deliveries(event, listener)
    print("ready", flush=True)
    await asyncio.wait_for(done.wait(), 30)
    await pubsub.aclose()


def publish(event: str, payloads: list[str]) -> None:
    from workspace_events.pubsub import ChannelLayerPubsub

    pubsub = ChannelLayerPubsub()
    for number, payload in enumerate(payloads, start=1):
        pubsub.publish(event, payload.encode(), event_id=number)
    pubsub.close()


def main(argv: list[str]) -> None:
    command, backend, url, prefix, event, *rest = argv
    configure(backend, url, prefix)
    if command == "subscribe":
        asyncio.run(subscribe(event, int(rest[0])))
    else:
        publish(event, rest)


if __name__ == "__main__":
    main(sys.argv[1:])
