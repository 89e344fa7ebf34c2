"""The ``Pubsub`` interface, shared by every backend (Coder's ``pubsub.Pubsub``)."""

from __future__ import annotations

import abc
import enum
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeAlias

from ..conf import conf


@dataclass(frozen=True, slots=True)
class Delivery:
    """One published message as a subscriber receives it.

    ``event_id`` is the event log id assigned before publishing, when the event was logged.
    """

    event: str
    message: bytes
    event_id: int | None = None


# Listeners may be plain functions or coroutine functions; the pubsub awaits the latter.
Listener: TypeAlias = Callable[[bytes], Awaitable[None] | None]
ListenerWithErr: TypeAlias = Callable[[bytes | None, Exception | None], Awaitable[None] | None]
DeliveryListener: TypeAlias = Callable[[Delivery | None, Exception | None], Awaitable[None] | None]
AnyListener: TypeAlias = Listener | ListenerWithErr | DeliveryListener
Cancel: TypeAlias = Callable[[], None]
AsyncCancel: TypeAlias = Callable[[], Coroutine[Any, Any, None]]


class Mode(enum.Enum):
    """How a subscription calls its listener."""

    PLAIN = "plain"  # listener(message); never told about errors
    WITH_ERR = "with_err"  # listener(message, None) or listener(None, error)
    DELIVERY = "delivery"  # listener(delivery, None) or listener(None, error)


def check_message(event: str, message: bytes) -> bytes:
    """Validate publish arguments; a ``bytearray`` or ``memoryview`` becomes ``bytes``."""
    if not isinstance(event, str) or not event:
        raise ValueError("event must be a non-empty string")
    if type(message) is bytes:
        return message
    if isinstance(message, bytes | bytearray | memoryview):
        return bytes(message)
    raise TypeError(f"message must be bytes, not {type(message).__name__}")


class Pubsub(abc.ABC):
    """Publish bytes under an event name; subscribers get them in publish order.

    Each subscriber has a bounded queue (``queue_size``, default
    ``WORKSPACE_EVENTS_QUEUE_SIZE``) drained by its own worker, so a slow listener delays
    nobody else. When the queue is full, or the backend lost messages, with-error listeners
    are called with ``(None, DroppedMessages())``; plain listeners never see errors.
    Every method has an ``a``-prefixed async twin; subscribing returns a cancel function
    (an async one from the async twins).
    """

    def __init__(self, *, queue_size: int | None = None) -> None:
        self._queue_size = queue_size

    @property
    def queue_size(self) -> int:
        return self._queue_size or conf.QUEUE_SIZE

    # Publishing

    @abc.abstractmethod
    def publish(self, event: str, message: bytes, *, event_id: int | None = None) -> None:
        """Publish ``message`` to every subscriber of ``event``."""

    @abc.abstractmethod
    async def apublish(self, event: str, message: bytes, *, event_id: int | None = None) -> None:
        """Async twin of :meth:`publish`."""

    # Subscribing

    def subscribe(self, event: str, listener: Listener) -> Cancel:
        """Call ``listener(message)`` for each message of ``event``."""
        return self._subscribe(event, listener, Mode.PLAIN)

    def subscribe_with_err(self, event: str, listener: ListenerWithErr) -> Cancel:
        """Call ``listener(message, None)`` per message, ``listener(None, error)`` on loss."""
        return self._subscribe(event, listener, Mode.WITH_ERR)

    def subscribe_deliveries(self, event: str, listener: DeliveryListener) -> Cancel:
        """Like :meth:`subscribe_with_err`, passing the whole :class:`Delivery` (with its id)."""
        return self._subscribe(event, listener, Mode.DELIVERY)

    async def asubscribe(self, event: str, listener: Listener) -> AsyncCancel:
        """Async twin of :meth:`subscribe`: live when it returns."""
        return await self._asubscribe(event, listener, Mode.PLAIN)

    async def asubscribe_with_err(self, event: str, listener: ListenerWithErr) -> AsyncCancel:
        """Async twin of :meth:`subscribe_with_err`: live when it returns."""
        return await self._asubscribe(event, listener, Mode.WITH_ERR)

    async def asubscribe_deliveries(self, event: str, listener: DeliveryListener) -> AsyncCancel:
        """Async twin of :meth:`subscribe_deliveries`: live when it returns."""
        return await self._asubscribe(event, listener, Mode.DELIVERY)

    @abc.abstractmethod
    def _subscribe(self, event: str, listener: AnyListener, mode: Mode) -> Cancel: ...

    @abc.abstractmethod
    async def _asubscribe(self, event: str, listener: AnyListener, mode: Mode) -> AsyncCancel: ...

    # Lifetime

    @abc.abstractmethod
    def close(self) -> None:
        """End every subscription and release connections; later calls fail."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
