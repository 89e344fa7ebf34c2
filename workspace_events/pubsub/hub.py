"""One event loop's link to a channel layer: publishing, group membership and loss detection.

Per loop, the hub owns one layer channel that joins one group per subscribed event, and one
receive task that fans each message out to the local subscribers. A thousand sockets
watching one owner therefore cost Redis one group member, not a thousand.

The layer itself never says when messages were lost, so the hub finds out three ways:
- a receive that raises (``RedisChannelLayer`` after a connection loss);
- probes it sends to its own channel every ``probe_interval`` that fail to send, come
  back out of sequence, or do not come back in time (``RedisPubSubChannelLayer``,
  whose receiver swallows connection errors);
- per-publisher sequence numbers with a gap (a full channel, a lost member, a race).
Once probes come back the hub re-joins every group (Redis may have lost them all), then
tells every with-error subscriber ``DroppedMessages``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from typing import Any

from ..channels import group_name
from ..exceptions import PublishError, PubsubError, wrap_error
from . import loops
from .base import Delivery
from .fanout import Fanout
from .subscription import Subscription

logger = logging.getLogger("workspace_events.pubsub")

MESSAGE_TYPE = "workspace_events.message"
PROBE_TYPE = "workspace_events.probe"
CHANNEL_PREFIX = "workspace_events"
# Publishes of one event are serialised so they reach the layer in call order; events hash
# onto a fixed set of lanes so unrelated events rarely wait for each other.
_LANES = 32
# Group joins and leaves under way at once: a burst of new sockets must not take every
# connection of the layer's Redis pool (redis-py refuses past 100 by default).
_MEMBERSHIP_SLOTS = 16
# Bounds on bookkeeping that grows with the number of distinct events.
_MAX_SEQUENCES = 100_000
_MAX_PENDING_PROBES = 64

try:  # channels_redis issue #422: an idle blocking pop can outlive redis-py's socket timeout.
    from redis.exceptions import TimeoutError as _IdleTimeout
except ImportError:  # pragma: no cover - Redis is an optional extra
    _IdleTimeout = None  # type: ignore[assignment,misc]


class LayerHub:
    """The pubsub machinery of one event loop over one channel layer."""

    def __init__(self, layer: Any, *, probe_interval: float, publish_timeout: float) -> None:
        self.layer = layer
        # Looked up once: RedisPubSubChannelLayer builds a new proxy on every attribute access.
        self._receive = layer.receive
        self._group_send = layer.group_send
        self.fanout = Fanout()
        self.probe_interval = probe_interval
        self.publish_timeout = publish_timeout
        self.connected = True
        self.channel: str | None = None
        self._origin = uuid.uuid4().hex
        self._sequences: dict[str, int] = {}
        self._lanes = [asyncio.Lock() for _ in range(_LANES)]
        self._last_seen: dict[tuple[str, str], int] = {}
        self._joined: set[str] = set()
        self._membership: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._pending_probes: deque[tuple[int, float]] = deque()
        self._probes_sent = 0
        self._restoring: asyncio.Task[None] | None = None
        self._joined_at = time.monotonic()
        self._starting = asyncio.Lock()
        self._membership_slots = asyncio.Semaphore(_MEMBERSHIP_SLOTS)

    # Publishing

    async def publish(self, event: str, message: bytes, event_id: int | None) -> None:
        group = group_name(event)
        async with self._lanes[hash(event) % _LANES]:
            sequence = self._sequences.get(event, 0) + 1
            if sequence == 1 and len(self._sequences) >= _MAX_SEQUENCES:
                # A new origin starts every sequence afresh; receivers treat it as a new source.
                self._sequences.clear()
                self._origin = uuid.uuid4().hex
            self._sequences[event] = sequence
            payload = {
                "type": MESSAGE_TYPE,
                "event": event,
                "message": message,
                "id": event_id,
                "origin": self._origin,
                "seq": sequence,
            }
            try:
                async with loops.timeout_after(self.publish_timeout):
                    await self._group_send(group, payload)
            except TimeoutError as exc:
                raise PublishError(
                    f"publish {event!r}: no answer from the channel layer "
                    f"within {self.publish_timeout:g}s"
                ) from exc
            except Exception as exc:
                raise wrap_error(PublishError, f"publish {event!r}: ", exc) from exc

    # Subscribing

    async def add(self, subscription: Subscription) -> None:
        """Register ``subscription``; the layer delivers its event once this returns."""
        await self._start()
        event = subscription.event
        async with self._membership_lock(event):
            if self.fanout.add(subscription):
                try:
                    await self._join(event)
                except BaseException:
                    self.fanout.remove(subscription)
                    raise

    async def remove(self, subscription: Subscription) -> None:
        subscription.close()
        event = subscription.event
        async with self._membership_lock(event):
            if self.fanout.remove(subscription) and event in self._joined:
                self._joined.discard(event)
                self._forget(event)
                try:
                    async with self._membership_slots, loops.timeout_after(self.publish_timeout):
                        await self.layer.group_discard(group_name(event), self.channel)
                except Exception:
                    # The membership lapses with the channel (group_expiry) anyway.
                    logger.warning("workspace_events: could not leave %r", event, exc_info=True)

    async def _join(self, event: str) -> None:
        try:
            async with self._membership_slots, loops.timeout_after(self.publish_timeout):
                await self.layer.group_add(group_name(event), self.channel)
        except Exception as exc:
            raise wrap_error(PubsubError, f"subscribe {event!r}: ", exc) from exc
        self._joined.add(event)

    @contextlib.asynccontextmanager
    async def _membership_lock(self, event: str) -> Any:
        # Joins and leaves of one event are serialised so a leave cannot undo a later join.
        lock, users = self._membership.setdefault(event, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._membership[event]

    def _forget(self, event: str) -> None:
        for key in [key for key in self._last_seen if key[1] == event]:
            del self._last_seen[key]

    # Receiving

    async def _start(self) -> None:
        if self.channel is not None:
            return
        async with self._starting:
            if self.channel is None:
                self.channel = await self.layer.new_channel(CHANNEL_PREFIX)
                loop = asyncio.get_running_loop()
                self._tasks = [
                    loop.create_task(self._receive_forever(), name="workspace_events receive"),
                    loop.create_task(self._probe_forever(), name="workspace_events probe"),
                ]

    async def _receive_forever(self) -> None:
        failures, channel, receive = 0, self.channel, self._receive
        while True:
            try:
                message = await receive(channel)
            except Exception as exc:
                if _IdleTimeout is not None and isinstance(exc, _IdleTimeout):
                    continue
                self._lose(exc)
                failures += 1
                await asyncio.sleep(min(0.05 * 2**failures, 1.0))
                continue
            failures = 0
            try:
                self._on_message(message)
            except Exception:
                logger.exception("workspace_events: unreadable layer message %r", message)

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == MESSAGE_TYPE:
            event = message["event"]
            key = (message["origin"], event)
            sequence = message["seq"]
            last = self._last_seen.get(key)
            if last is not None:
                if sequence <= last:  # a redelivery
                    return
                if sequence != last + 1:
                    logger.warning("workspace_events: messages of %r went missing", event)
                    self.fanout.drop(event)
            if event in self._joined:
                self._last_seen[key] = sequence
            self.fanout.dispatch(Delivery(event, message["message"], message["id"]))
        elif kind == PROBE_TYPE:
            self._on_probe(message["n"])

    # Loss detection

    async def _probe_forever(self) -> None:
        while True:
            await asyncio.sleep(self.probe_interval)
            try:
                await self.probe()
            except Exception:
                logger.exception("workspace_events: probe failed")

    async def probe(self) -> None:
        """Send one probe through the layer to this hub's own channel."""
        now = time.monotonic()
        deadline = max(5 * self.probe_interval, 2.0)
        if self._pending_probes and now - self._pending_probes[0][1] > deadline:
            self._lose("a probe did not come back")
        self._probes_sent += 1
        probe = (self._probes_sent, now)
        pending = self._pending_probes
        # Registered before sending: the echo can be received before the send returns.
        pending.append(probe)
        if len(pending) > _MAX_PENDING_PROBES:
            pending.popleft()
        try:
            async with loops.timeout_after(self.publish_timeout):
                await self.layer.send(self.channel, {"type": PROBE_TYPE, "n": probe[0]})
        except Exception as exc:
            with contextlib.suppress(ValueError):
                pending.remove(probe)
            self._lose(exc)
            return
        expiry = getattr(self.layer, "group_expiry", None)
        if self.connected and expiry and now - self._joined_at > expiry / 2:
            try:
                await self._renew()
            except Exception as exc:
                self._lose(exc)

    def _on_probe(self, number: int) -> None:
        pending = self._pending_probes
        while pending and pending[0][0] < number:
            pending.popleft()
            self._lose("a probe was lost")
        if pending and pending[0][0] == number:
            pending.popleft()
        if not self.connected and (self._restoring is None or self._restoring.done()):
            self._restoring = asyncio.get_running_loop().create_task(self._restore())

    def _lose(self, reason: object) -> None:
        if self.connected:
            self.connected = False
            logger.warning(
                "workspace_events: lost contact with the channel layer (%s); subscribers "
                "will be told 'dropped messages' when it is back",
                reason or type(reason).__name__,
            )

    async def _restore(self) -> None:
        try:
            await self._renew()
        except Exception:
            logger.warning("workspace_events: could not re-join groups yet", exc_info=True)
            return
        self.connected = True
        self._last_seen.clear()
        self.fanout.drop_all()
        logger.warning("workspace_events: channel layer is back; told subscribers")

    async def _renew(self) -> None:
        """Join every group again: after a Redis restart, and before memberships expire."""
        for event in list(self._joined):
            async with self._membership_slots, loops.timeout_after(self.publish_timeout):
                await self.layer.group_add(group_name(event), self.channel)
        self._joined_at = time.monotonic()

    # Lifetime

    async def aclose(self) -> None:
        tasks = [*self._tasks, *([self._restoring] if self._restoring else [])]
        self._tasks = []
        await loops.stop_tasks(tasks)
        events = list(self._joined)
        self._joined.clear()
        self.fanout.close_all()
        for event in events:
            with contextlib.suppress(Exception):
                async with loops.timeout_after(self.publish_timeout):
                    await self.layer.group_discard(group_name(event), self.channel)

    def close_now(self) -> None:
        """Close without the loop (it has stopped): subscribers just stop."""
        self.fanout.close_all()
