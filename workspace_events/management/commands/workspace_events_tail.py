"""Print a channel's events live, one readable line each, until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...channels import ALL_WORKSPACE_EVENT_CHANNEL, workspace_event_channel
from ...conf import conf
from ...events import WorkspaceBuildUpdate, WorkspaceEvent
from ...exceptions import DroppedMessages, PubsubError
from ...handlers import handle_workspace_build_update, handle_workspace_event
from ...pubsub import Delivery, DeliveryListener, MemoryPubsub, Pubsub, get_pubsub
from ...wire import NIL_UUID, parse_uuid

CROSS_PROCESS_NOTE = (
    "A separate process sees the server's events only through a channel layer that spans "
    "processes (channels_redis): with the in-memory layer, or none, events stay inside the "
    "process that published them."
)


def channel_for(target: str) -> str:
    """``all`` or an owner UUID, as the logical channel to watch; ``CommandError`` otherwise."""
    if target == "all":
        return ALL_WORKSPACE_EVENT_CHANNEL
    try:
        owner = parse_uuid(target)
    except ValueError:
        raise CommandError(f"{target!r} is neither an owner UUID nor 'all'") from None
    if owner == NIL_UUID:
        raise CommandError("the owner UUID must not be the nil UUID")
    return workspace_event_channel(owner)


def process_local(pubsub: Pubsub) -> bool:
    """Whether ``pubsub`` delivers only inside this process."""
    if isinstance(pubsub, MemoryPubsub):
        return True
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get(conf.CHANNEL_LAYER, {})
    return str(layer.get("BACKEND", "")).endswith("InMemoryChannelLayer")


def describe_event(
    event: WorkspaceEvent | None, event_id: int | None, err: Exception | None
) -> str:
    """One line for a delivery on an owner channel."""
    if event is None:
        return describe_error(err)
    line = f"#{_id(event_id)} {event.kind:<22} workspace={event.workspace_id}"
    if event.agent_id is not None:
        line += f" agent={event.agent_id}"
    if err is not None:  # decoded but invalid: shown, and flagged
        line += f"  !! {err}"
    return line


def describe_build_update(
    update: WorkspaceBuildUpdate | None, event_id: int | None, err: Exception | None
) -> str:
    """One line for a delivery on ``workspace_updates:all``."""
    if update is None:
        return describe_error(err)
    name = f" ({update.workspace_name})" if update.workspace_name else ""
    return (
        f"#{_id(event_id)} build #{update.build_number} "
        f"{update.transition}/{update.job_status:<9} "
        f"workspace={update.workspace_id}{name} build={update.build_id}"
    )


def describe_error(err: Exception | None) -> str:
    """A loss of continuity stands out; other errors (undecodable messages) say what failed."""
    if isinstance(err, DroppedMessages) or isinstance(err and err.__cause__, DroppedMessages):
        return "!! DROPPED MESSAGES: events may have been missed; resync what you show"
    return f"!! {err}"


def _id(event_id: int | None) -> str:
    return "-" if event_id is None else str(event_id)


def delivery_printer(channel: str, write: Callable[[str], None]) -> DeliveryListener:
    """A listener that decodes each delivery with the app's handler and writes one line."""

    def on_delivery(delivery: Delivery | None, err: Exception | None) -> None:
        event_id = None if delivery is None else delivery.event_id
        message = None if delivery is None else delivery.message
        if channel == ALL_WORKSPACE_EVENT_CHANNEL:

            def on_update(update: WorkspaceBuildUpdate | None, error: Exception | None) -> None:
                write(describe_build_update(update, event_id, error))

            handle_workspace_build_update(on_update)(message, err)
        else:

            def on_event(event: WorkspaceEvent | None, error: Exception | None) -> None:
                write(describe_event(event, event_id, error))

            handle_workspace_event(on_event)(message, err)

    return on_delivery


class Command(BaseCommand):
    help = (
        "Print the events of an owner's channel (workspace_owner:<uuid>), or every build "
        "update (all: workspace_updates:all), as they are published, until Ctrl-C. "
        + CROSS_PROCESS_NOTE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="an owner UUID, or 'all' for every build update")

    def handle(self, *args: Any, **options: Any) -> None:
        channel = channel_for(options["target"])
        stop = threading.Event()
        lock = threading.Lock()

        def write(line: str) -> None:
            now = datetime.now(timezone.utc).strftime("%H:%M:%S.%f")[:-3]
            with lock:  # listeners run on a thread of their own
                self.stdout.write(f"{now}Z {line}")
                self.stdout.flush()

        pubsub = get_pubsub()
        if process_local(pubsub):
            self.stderr.write(f"Note: no cross-process channel layer. {CROSS_PROCESS_NOTE}")
        # Ctrl-C only sets a flag: it cannot interrupt the subscription half-way.
        previous = {
            number: signal.signal(number, lambda signum, frame: stop.set())
            for number in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            try:
                cancel = pubsub.subscribe_deliveries(channel, delivery_printer(channel, write))
            except PubsubError as exc:
                raise CommandError(f"cannot subscribe to {channel}: {exc}") from exc
            try:
                self.stderr.write(f"Watching {channel}; press Ctrl-C to stop.")
                self.stderr.flush()
                while not stop.wait(0.5):
                    pass
            finally:
                cancel()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        self.stderr.write("Stopped.")
