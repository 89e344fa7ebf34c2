"""Publish one test event, logged then published as the app does, and report its id."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...emit import build_record, event_record, send
from ...enums import ProvisionerJobStatus, WorkspaceEventKind, WorkspaceTransition
from ...eventlog import Record, is_logged
from ...events import WorkspaceBuildUpdate, WorkspaceEvent
from ...exceptions import PublishError
from ...pubsub import get_pubsub
from ...wire import INT32_MAX, NIL_UUID, parse_uuid
from .workspace_events_tail import CROSS_PROCESS_NOTE, process_local

EVENT_OPTIONS = ("kind", "agent")
BUILD_OPTIONS = ("transition", "status", "build_number", "name", "build")


def uuid_option(name: str, value: str | None) -> uuid.UUID | None:
    """A UUID given on the command line; the nil UUID and malformed text are refused."""
    if value is None:
        return None
    try:
        parsed = parse_uuid(value)
    except ValueError:
        raise CommandError(f"{name} must be a UUID, not {value!r}") from None
    if parsed == NIL_UUID:
        raise CommandError(f"{name} must not be the nil UUID")
    return parsed


class Command(BaseCommand):
    help = (
        "Publish a test event through the app's log-then-publish path and print its event "
        "id: a WorkspaceEvent on an owner's channel (target: the owner UUID), or a build "
        "update on workspace_updates:all (target: all). Watch it arrive with "
        "workspace_events_tail, a WebSocket client or the admin's event log. " + CROSS_PROCESS_NOTE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="an owner UUID, or 'all' for a build update")
        parser.add_argument(
            "--workspace", help="the workspace UUID (default: a new random one)", metavar="UUID"
        )
        events = parser.add_argument_group("workspace events (target: an owner UUID)")
        events.add_argument(
            "--kind",
            choices=[kind.value for kind in WorkspaceEventKind],
            help="the event kind (default: state_change)",
        )
        events.add_argument(
            "--agent", metavar="UUID", help="the agent UUID (agt_lifecycle_update needs one)"
        )
        builds = parser.add_argument_group("build updates (target: all)")
        builds.add_argument(
            "--transition",
            choices=[value.value for value in WorkspaceTransition],
            help="default: start",
        )
        builds.add_argument(
            "--status",
            choices=[value.value for value in ProvisionerJobStatus],
            help="the job status (default: succeeded)",
        )
        builds.add_argument("--build-number", type=int, help="0 to 2147483647 (default: 1)")
        builds.add_argument("--name", help="the workspace name (default: empty)")
        builds.add_argument("--build", metavar="UUID", help="the build UUID (default: random)")

    def handle(self, *args: Any, **options: Any) -> None:
        target: str = options["target"]
        workspace = uuid_option("--workspace", options["workspace"]) or uuid.uuid4()
        if target == "all":
            record = self.build_update(workspace, options)
        else:
            record = self.workspace_event(target, workspace, options)
        pubsub = get_pubsub()
        if process_local(pubsub):
            self.stderr.write(f"Note: no cross-process channel layer. {CROSS_PROCESS_NOTE}")
        try:
            event_id = send(record, pubsub=pubsub)
        except PublishError as exc:
            logged = " (it stays in the event log)" if is_logged(record.kind) else ""
            raise CommandError(f"could not publish{logged}: {exc}") from exc
        where = "not logged" if event_id is None else f"event {event_id}"
        self.stdout.write(f"Published {record.kind} on {record.channel} as {where}.")
        self.stdout.write(record.payload.decode())

    def workspace_event(
        self, target: str, workspace: uuid.UUID, options: dict[str, Any]
    ) -> Record:
        self._refuse(options, BUILD_OPTIONS, "a build update (target: all)")
        owner = uuid_option("the owner", target)
        assert owner is not None
        event = WorkspaceEvent(
            options["kind"] or WorkspaceEventKind.STATE_CHANGE,
            workspace,
            uuid_option("--agent", options["agent"]),
        )
        try:
            return event_record(owner, event)
        except ValueError as exc:  # InvalidWorkspaceEvent: e.g. a lifecycle event without agent
            raise CommandError(f"invalid event: {exc}") from exc

    def build_update(self, workspace: uuid.UUID, options: dict[str, Any]) -> Record:
        self._refuse(options, EVENT_OPTIONS, "an owner's workspace event (target: owner UUID)")
        number = 1 if options["build_number"] is None else options["build_number"]
        if not 0 <= number <= INT32_MAX:
            raise CommandError(f"--build-number must be from 0 to {INT32_MAX}, not {number}")
        update = WorkspaceBuildUpdate(
            workspace_id=workspace,
            workspace_name=options["name"] or "",
            build_id=uuid_option("--build", options["build"]) or uuid.uuid4(),
            transition=options["transition"] or WorkspaceTransition.START,
            job_status=options["status"] or ProvisionerJobStatus.SUCCEEDED,
            build_number=number,
        )
        return build_record(update)

    @staticmethod
    def _refuse(options: dict[str, Any], names: tuple[str, ...], applies_to: str) -> None:
        given = [f"--{name.replace('_', '-')}" for name in names if options[name] is not None]
        if given:
            raise CommandError(f"{', '.join(given)} only apply to {applies_to}")
