"""Wrap typed callbacks into pubsub listeners (Coder's ``HandleWorkspaceEvent`` and friends)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

from .events import WorkspaceBuildUpdate, WorkspaceEvent
from .exceptions import InvalidMessage, PubsubError, WorkspaceEventsError, wrap_error
from .pubsub.loops import iscoroutinefunction

P = TypeVar("P")
SyncCallback = Callable[[P | None, Exception | None], None]
AsyncCallback = Callable[[P | None, Exception | None], Awaitable[None]]
SyncListener = Callable[[bytes | None, Exception | None], None]
AsyncListener = Callable[[bytes | None, Exception | None], Awaitable[None]]


def _event(message: bytes | None, err: Exception | None) -> tuple[Any, Exception | None]:
    if err is not None:
        return None, wrap_error(PubsubError, "workspace event pubsub: ", err)
    try:
        event = WorkspaceEvent.from_json(message)  # type: ignore[arg-type]
    except InvalidMessage as exc:
        error: WorkspaceEventsError = InvalidMessage("unmarshal workspace event")
        error.__cause__ = exc
        return None, error
    try:
        event.validate()
    except ValueError as exc:
        error = InvalidMessage("validate workspace event")
        error.__cause__ = exc
        return event, error
    return event, None


def _build_update(message: bytes | None, err: Exception | None) -> tuple[Any, Exception | None]:
    if err is not None:
        return None, wrap_error(PubsubError, "workspace build update pubsub: ", err)
    try:
        return WorkspaceBuildUpdate.from_json(message), None  # type: ignore[arg-type]
    except InvalidMessage as exc:
        return None, wrap_error(InvalidMessage, "unmarshal workspace build update: ", exc)


def _wrap(parse: Callable[..., tuple[Any, Exception | None]], cb: Any) -> Any:
    if iscoroutinefunction(cb):

        async def alistener(message: bytes | None, err: Exception | None) -> None:
            await cb(*parse(message, err))

        return alistener

    def listener(message: bytes | None, err: Exception | None) -> None:
        cb(*parse(message, err))

    return listener


@overload
def handle_workspace_event(cb: AsyncCallback[WorkspaceEvent]) -> AsyncListener: ...
@overload
def handle_workspace_event(cb: SyncCallback[WorkspaceEvent]) -> SyncListener: ...
def handle_workspace_event(cb: Any) -> Any:
    """Turn ``cb(event, err)`` into a with-error listener for an owner channel.

    ``cb`` is called exactly once per message: ``(None, err)`` when the pubsub reported an
    error (``str(err)`` starts ``"workspace event pubsub: "``, ``err.__cause__`` is the
    pubsub's error) or the message is not an event (``"unmarshal workspace event"``);
    ``(event, err)`` when the event fails validation (``"validate workspace event"``);
    ``(event, None)`` otherwise. A coroutine ``cb`` makes an async listener.
    """
    return _wrap(_event, cb)


@overload
def handle_workspace_build_update(cb: AsyncCallback[WorkspaceBuildUpdate]) -> AsyncListener: ...
@overload
def handle_workspace_build_update(cb: SyncCallback[WorkspaceBuildUpdate]) -> SyncListener: ...
def handle_workspace_build_update(cb: Any) -> Any:
    """Turn ``cb(update, err)`` into a with-error listener for ``workspace_updates:all``.

    Errors: ``"workspace build update pubsub: …"`` for pubsub errors and
    ``"unmarshal workspace build update: …"`` for undecodable messages, each chaining its
    cause. There is no validation step.
    """
    return _wrap(_build_update, cb)
