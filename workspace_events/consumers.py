"""One-way WebSocket streams of workspace events and build updates.

A consumer authorises in ``connect`` (refusing before accept, so the client sees HTTP 403
and learns nothing), subscribes through the pubsub, accepts, sends ``{"type":"ping"}``
once the subscription is live, replays from the event log when asked to resume, then
streams. Its pubsub subscription is its bounded outgoing queue: a client that reads too
slowly gets ``dropped messages`` and the stream goes on.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Set as AbstractSet
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import DenyConnection
from channels.generic.websocket import AsyncWebsocketConsumer

from . import eventlog, frames
from .access import BadQuery, Stream, can_read, event_id_param, parse_query, uuid_param
from .channels import ALL_WORKSPACE_EVENT_CHANNEL, workspace_event_channel
from .conf import conf
from .events import workspace_id_of
from .exceptions import PubsubError
from .owners import owner_id_for
from .pubsub import AsyncCancel, Delivery, Pubsub, get_pubsub

logger = logging.getLogger("workspace_events.consumers")

# RFC 6455: the endpoint received data it does not accept (this socket is one-way).
PROTOCOL_ERROR = 1002
INTERNAL_ERROR = 1011


class EventStreamConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """The machinery shared by both streams; subclasses say which channel a user may watch."""

    # Deliveries come through the pubsub, which joins one layer group per process: no
    # per-socket layer channel.
    channel_layer_alias = None
    query_parameters: tuple[str, ...] = ("workspace_id", "last_event_id")

    stream: Stream
    # Class-level defaults: an idle socket that does not resume allocates none of these.
    _closed = False
    _cancel: AsyncCancel | None = None
    _heartbeat: asyncio.TimerHandle | None = None
    _ping: asyncio.Task[None] | None = None
    _needle: bytes | None = None
    _replaying: asyncio.Event | None = None
    _replayed: AbstractSet[int] = frozenset()

    def get_pubsub(self) -> Pubsub:
        """The pubsub to watch; override to use another."""
        return get_pubsub()

    async def get_channel(self, user: Any, params: dict[str, str]) -> str:
        """The logical channel this connection watches (raise ``BadQuery`` if malformed)."""
        raise NotImplementedError

    async def connect(self) -> None:
        user = self.scope.get("user")
        try:
            params = parse_query(self.scope.get("query_string", b""), self.query_parameters)
            channel = await self.get_channel(user, params)
            self.stream = Stream(
                channel=channel,
                workspace_id=(
                    uuid_param("workspace_id", params["workspace_id"])
                    if "workspace_id" in params
                    else None
                ),
                last_event_id=(
                    event_id_param("last_event_id", params["last_event_id"])
                    if "last_event_id" in params
                    else None
                ),
            )
        except BadQuery as exc:
            logger.debug("refused a WebSocket: %s", exc)
            raise DenyConnection from exc
        if not await database_sync_to_async(can_read)(user, channel):
            logger.debug("refused a WebSocket: %r may not read %s", user, channel)
            raise DenyConnection
        await self._start()

    async def _start(self) -> None:
        stream = self.stream
        if stream.workspace_id is not None:
            self._needle = b'"workspace_id":"%s"' % str(stream.workspace_id).encode()
        if stream.last_event_id is not None:
            self._replaying = asyncio.Event()  # live events wait behind the replay
        try:
            self._cancel = await self.get_pubsub().asubscribe_deliveries(
                stream.channel, self.workspace_events_message
            )
        except PubsubError as exc:
            logger.warning("workspace_events: cannot subscribe to %s: %s", stream.channel, exc)
            await self.accept()
            await self.send(text_data=frames.error("unavailable", "the event stream is down"))
            await self.close(code=INTERNAL_ERROR)
            return
        await self.accept()
        await self.send(text_data=frames.PING)
        self._schedule_heartbeat()
        if stream.last_event_id is not None:
            try:
                await self._replay(stream.last_event_id)
            finally:
                self._end_replay()

    def _end_replay(self) -> None:
        replaying, self._replaying = self._replaying, None
        if replaying is not None:
            replaying.set()

    async def _replay(self, after: int) -> None:
        limit = conf.REPLAY_LIMIT
        entries = await database_sync_to_async(
            lambda: list(
                eventlog.read_after(
                    self.stream.channel,
                    after,
                    workspace_id=self.stream.workspace_id,
                    limit=limit + 1,
                )
            )
        )()
        if len(entries) > limit:
            await self.send(
                text_data=frames.error(
                    frames.DROPPED_MESSAGES,
                    f"more than {limit} events since last_event_id {after}: resync",
                )
            )
            return
        self._replayed = {entry.id for entry in entries}
        for entry in entries:
            await self.send(text_data=frames.data(entry.id, entry.payload.encode()))

    async def workspace_events_message(
        self, delivery: Delivery | None, error: Exception | None
    ) -> None:
        """Forward one delivery (or loss) from the pubsub to the client."""
        replaying = self._replaying
        if replaying is not None:
            await replaying.wait()
        if self._closed:
            return
        if delivery is None:
            text = frames.error(frames.DROPPED_MESSAGES, "resync, or reconnect with last_event_id")
        elif delivery.event_id in self._replayed or not self._wanted(delivery.message):
            return
        else:
            text = frames.data(delivery.event_id, delivery.message)
        await self.send(text_data=text)

    def _wanted(self, message: bytes) -> bool:
        needle = self._needle
        if needle is None or needle in message:
            return True
        # Not in canonical form (another publisher's spelling): decode to be sure.
        return workspace_id_of(message) == self.stream.workspace_id

    def _schedule_heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        self._heartbeat = loop.call_later(conf.HEARTBEAT_INTERVAL, self._beat)

    def _beat(self) -> None:
        if self._closed:
            return
        if self._ping is not None and not self._ping.done():
            self._ping.cancel()  # the client has not taken the last one yet
        self._ping = asyncio.get_running_loop().create_task(self.send(text_data=frames.PING))
        self._schedule_heartbeat()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.close(code=PROTOCOL_ERROR)

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        if self._closed:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:
            # ASGI servers raise an OSError once the client has gone: nothing to deliver to.
            self._closed = True

    async def disconnect(self, code: int) -> None:
        self._closed = True
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._ping is not None:
            self._ping.cancel()
        self._end_replay()  # release a delivery waiting for the replay
        if self._cancel is not None:
            await self._cancel()


class WorkspaceEventsConsumer(EventStreamConsumer):
    """``/ws/workspace-events/``: an owner's workspace events; one's own unless permitted."""

    query_parameters = ("owner_id", "workspace_id", "last_event_id")

    async def get_channel(self, user: Any, params: dict[str, str]) -> str:
        if "owner_id" in params:
            owner: uuid.UUID = uuid_param("owner_id", params["owner_id"])
        elif user is not None and user.is_authenticated:
            owner = owner_id_for(user)
        else:
            raise BadQuery("anonymous")
        return workspace_event_channel(owner)


class WorkspaceBuildsConsumer(EventStreamConsumer):
    """``/ws/workspace-builds/``: every build update (``workspace_updates:all``)."""

    async def get_channel(self, user: Any, params: dict[str, str]) -> str:
        return ALL_WORKSPACE_EVENT_CHANNEL
