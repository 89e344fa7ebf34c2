"""``ChannelLayerPubsub``: the pubsub over a configured Channels layer (Redis across processes)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from channels.layers import get_channel_layer

from ..conf import conf
from ..exceptions import ConfigurationError, PubsubError
from . import loops
from .base import AnyListener, AsyncCancel, Cancel, Mode, Pubsub, check_message
from .hub import LayerHub
from .subscription import make_subscription


class ChannelLayerPubsub(Pubsub):
    """Publishes through the ``CHANNEL_LAYERS[alias]`` layer; any layer with groups works.

    With ``channels_redis`` (``RedisChannelLayer`` or ``RedisPubSubChannelLayer``, plain,
    Sentinel or sharded hosts) messages cross processes and machines. Each event loop
    gets its own :class:`~workspace_events.pubsub.hub.LayerHub`; sync callers use the ASGI
    server's loop when there is one, else a private loop thread.
    """

    def __init__(
        self,
        alias: str = "default",
        *,
        queue_size: int | None = None,
        probe_interval: float | None = None,
        publish_timeout: float | None = None,
    ) -> None:
        super().__init__(queue_size=queue_size)
        self.alias = alias
        self._probe_interval = probe_interval
        self._publish_timeout = publish_timeout
        self._hubs: dict[asyncio.AbstractEventLoop, LayerHub] = {}
        self._lock = threading.Lock()
        self._portal = loops.Portal(f"workspace_events layer {alias}")
        self._closed = False

    @property
    def layer(self) -> Any:
        layer = get_channel_layer(self.alias)
        if layer is None:
            raise ConfigurationError(f"CHANNEL_LAYERS has no layer named {self.alias!r}")
        return layer

    def hub(self) -> LayerHub:
        """The running loop's hub, created on first use."""
        loop = asyncio.get_running_loop()
        hub = self._hubs.get(loop)
        if hub is not None:
            return hub
        with self._lock:
            if self._closed:
                raise PubsubError("the pubsub is closed")
            for stale in [other for other in self._hubs if other.is_closed()]:
                self._hubs.pop(stale).close_now()
            hub = self._hubs[loop] = LayerHub(
                self.layer,
                probe_interval=self._probe_interval or conf.PROBE_INTERVAL,
                publish_timeout=self._publish_timeout or conf.PUBLISH_TIMEOUT,
            )
        return hub

    def _sync_loop(self) -> asyncio.AbstractEventLoop:
        """Where a sync call runs: the server's loop, a loop already hosting a hub, or ours."""
        loop = loops.server_loop()
        if loop is not None:
            return loop
        for candidate in list(self._hubs):
            if candidate.is_running():
                return candidate
        return self._portal.loop

    # Publishing

    async def apublish(self, event: str, message: bytes, *, event_id: int | None = None) -> None:
        message = check_message(event, message)
        await self.hub().publish(event, message, event_id)

    def publish(self, event: str, message: bytes, *, event_id: int | None = None) -> None:
        loops.require_sync_context("publish")
        message = check_message(event, message)
        loops.run_on(self._sync_loop(), self.apublish(event, message, event_id=event_id))

    # Subscribing

    async def _asubscribe(self, event: str, listener: AnyListener, mode: Mode) -> AsyncCancel:
        hub = self.hub()
        loop = asyncio.get_running_loop()
        subscription = make_subscription(event, listener, mode, self.queue_size, lambda: loop)
        await hub.add(subscription)
        subscription.start()

        async def acancel() -> None:
            await loops.await_on(loop, hub.remove(subscription))

        return acancel

    def _subscribe(self, event: str, listener: AnyListener, mode: Mode) -> Cancel:
        loops.require_sync_context("subscribe")
        loop = self._sync_loop()
        acancel = loops.run_on(loop, self._asubscribe(event, listener, mode))

        def cancel() -> None:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                loops.run_on(loop, acancel())
            else:  # called from a listener on a loop: do not block it
                loops.call_soon(loop, lambda: loop.create_task(acancel()))

        return cancel

    # Lifetime

    def _detach_hubs(self) -> list[tuple[asyncio.AbstractEventLoop, LayerHub]]:
        with self._lock:
            self._closed = True
            hubs = list(self._hubs.items())
            self._hubs.clear()
        return hubs

    async def aclose(self) -> None:
        for loop, hub in self._detach_hubs():
            if loop.is_closed() or not loop.is_running():
                hub.close_now()
            else:
                await loops.await_on(loop, hub.aclose())
        self._portal.stop()

    def close(self) -> None:
        loops.require_sync_context("close")
        for loop, hub in self._detach_hubs():
            if loop.is_running():
                loops.run_on(loop, hub.aclose())
            else:
                hub.close_now()
        self._portal.stop()
