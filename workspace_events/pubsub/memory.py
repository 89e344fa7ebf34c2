"""``MemoryPubsub``: in-process, no server, for tests and single-process deployments."""

from __future__ import annotations

import asyncio

from ..exceptions import PublishError, PubsubError
from . import loops
from .base import AnyListener, AsyncCancel, Cancel, Delivery, Mode, Pubsub, check_message
from .fanout import Fanout
from .subscription import make_subscription


class MemoryPubsub(Pubsub):
    """Delivers within this process only; publishing never blocks and never fails while open.

    Safe across threads and event loops: async listeners run on the loop they subscribed
    from (sync callers get the server's loop or a private one), plain functions on a thread
    of their own.
    """

    def __init__(self, *, queue_size: int | None = None) -> None:
        super().__init__(queue_size=queue_size)
        self._fanout = Fanout()
        self._portal = loops.Portal("workspace_events memory pubsub")
        self._closed = False

    def publish(self, event: str, message: bytes, *, event_id: int | None = None) -> None:
        message = check_message(event, message)
        if self._closed:
            raise PublishError(f"publish {event!r}: the pubsub is closed")
        self._fanout.dispatch(Delivery(event, message, event_id))

    async def apublish(self, event: str, message: bytes, *, event_id: int | None = None) -> None:
        self.publish(event, message, event_id=event_id)

    def _loop_for_listener(self) -> asyncio.AbstractEventLoop:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return loops.server_loop() or self._portal.loop

    def _subscribe(self, event: str, listener: AnyListener, mode: Mode) -> Cancel:
        if self._closed:
            raise PubsubError(f"subscribe {event!r}: the pubsub is closed")
        subscription = make_subscription(
            event, listener, mode, self.queue_size, self._loop_for_listener
        )
        self._fanout.add(subscription)
        subscription.start()

        def cancel() -> None:
            self._fanout.remove(subscription)
            subscription.close()

        return cancel

    async def _asubscribe(self, event: str, listener: AnyListener, mode: Mode) -> AsyncCancel:
        cancel = self._subscribe(event, listener, mode)

        async def acancel() -> None:
            cancel()

        return acancel

    def close(self) -> None:
        self._closed = True
        self._fanout.close_all()
        self._portal.stop()

    async def aclose(self) -> None:
        self.close()
