"""``POST build-updates/``, ``POST events/`` and ``GET events/``."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.db import transaction
from django.utils.http import urlencode
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from .. import eventlog
from ..access import BadQuery, can_read, event_id_param, parse_query, uuid_param
from ..channels import ALL_WORKSPACE_EVENT_CHANNEL, owner_from_channel
from ..conf import conf
from ..emit import build_record, event_record
from ..enums import WorkspaceEventKind
from ..eventlog import Record
from ..events import WorkspaceEvent
from ..exceptions import PublishError
from ..pubsub import get_pubsub
from . import idempotency
from .idempotency import Claim
from .permissions import CanPublishBuildUpdates, CanPublishWorkspaceEvents
from .serializers import WorkspaceBuildUpdateSerializer, WorkspaceEventSerializer

logger = logging.getLogger("workspace_events.api")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An event written to the log (``id`` is None for unlogged kinds), to be published.

    Kept apart from the log's own rows so a 503's pending events can be stored as JSON.
    """

    channel: str
    payload: bytes
    id: int | None

    def as_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "payload": self.payload.decode(), "id": self.id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outgoing:
        return cls(data["channel"], data["payload"].encode(), data["id"])


class PublishView(APIView):
    """Validate a body, log the events it describes, publish them, answer 202."""

    parser_classes = [JSONParser]
    endpoint: ClassVar[str]
    serializer_class: ClassVar[type[Serializer[Any]]]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # Each log row must commit before its event is published, even with ATOMIC_REQUESTS.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_authenticators(self) -> list[Any]:
        # Token first: its WWW-Authenticate header turns "no credentials" into a 401.
        authenticators: list[Any] = [SessionAuthentication()]
        if apps.is_installed("rest_framework.authtoken"):
            authenticators.insert(0, TokenAuthentication())
        return authenticators

    def records(self, data: dict[str, Any]) -> list[Record]:
        """What to log and publish for a valid body; the first is the one answered."""
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return self.publish(request.data)[0]
        if not idempotency.valid_key(key):
            return Response(
                {idempotency.HEADER: ["Must be 1 to 255 printable ASCII characters."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        digest = idempotency.fingerprint(request.data)
        outcome, record = idempotency.claim(request.user, self.endpoint, key, digest)
        if outcome is Claim.MISMATCH:
            return Response(
                {"detail": "This Idempotency-Key was used with a different request body."},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if outcome is Claim.BUSY:
            return Response(
                {"detail": "A request with this Idempotency-Key is still being processed."},
                status=status.HTTP_409_CONFLICT,
            )
        if outcome is Claim.REPLAY:
            return replayed(json.loads(record.response), record.status_code or 0)
        if outcome is Claim.PENDING:  # logged by the first request; publish, do not log again
            body = json.loads(record.response)
            queued = [Outgoing.from_json(item) for item in json.loads(record.pending)]
            response, still_pending = self.deliver(queued, body)
            idempotency.finish(record, response.status_code, body, still_pending)
            return response
        response, pending = self.publish(request.data)
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            idempotency.abandon(record)  # nothing was done: a corrected retry starts afresh
        elif pending is None:
            idempotency.finish(record, response.status_code, response.data)
        else:
            idempotency.finish(record, response.status_code, response.data["accepted"], pending)
        return response

    def publish(self, data: Any) -> tuple[Response, list[Any] | None]:
        """Validate, log, publish; return the response and what is left unpublished."""
        serializer = self.serializer_class(data=data)
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST), None
        logged = [
            Outgoing(record.channel, record.payload, eventlog.write(record))
            for record in self.records(serializer.validated_data)
        ]
        first = logged[0]
        body = {"id": first.id, "channel": first.channel, "data": json.loads(first.payload)}
        return self.deliver(logged, body)

    def deliver(
        self, logged: list[Outgoing], body: dict[str, Any]
    ) -> tuple[Response, list[Any] | None]:
        pubsub = get_pubsub()
        for index, item in enumerate(logged):
            try:
                pubsub.publish(item.channel, item.payload, event_id=item.id)
            except PublishError as exc:
                logger.warning("workspace_events: could not publish on %s: %s", item.channel, exc)
                return unavailable(body, exc), [i.as_json() for i in logged[index:]]
        return Response(body, status=status.HTTP_202_ACCEPTED), None


def replayed(body: Any, code: int) -> Response:
    return Response(body, status=code, headers={"Idempotent-Replayed": "true"})


def unavailable(body: dict[str, Any], exc: Exception) -> Response:
    where = "" if body["id"] is None else f" (logged as event {body['id']})"
    return Response(
        {
            "detail": f"The event was accepted{where} but could not be published: {exc}. "
            "Clients that resume with last_event_id will receive it; retry with the same "
            "Idempotency-Key to publish it again without logging it twice.",
            "accepted": body,
        },
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


class BuildUpdateView(PublishView):
    """``POST build-updates/``: a provisioner reports a build's progress."""

    permission_classes = [IsAuthenticated, CanPublishBuildUpdates]
    endpoint = "build-updates"
    serializer_class = WorkspaceBuildUpdateSerializer

    def records(self, data: dict[str, Any]) -> list[Record]:
        update = data["update"]
        owner = workspace_owner(update.workspace_id)
        records = [build_record(update, owner)]
        if owner is not None:
            # As Coder does on a build transition: the owner's watchers hear of it too.
            event = WorkspaceEvent(WorkspaceEventKind.STATE_CHANGE, update.workspace_id)
            records.append(event_record(owner, event))
        return records


def workspace_owner(workspace_id: uuid.UUID) -> uuid.UUID | None:
    """The owner ``WORKSPACE_EVENTS_WORKSPACE_OWNER`` finds for a workspace, if configured."""
    lookup = conf.WORKSPACE_OWNER
    if lookup is None:
        return None
    try:
        owner = lookup(workspace_id)
    except Exception:
        logger.exception("workspace_events: WORKSPACE_OWNER failed for %s", workspace_id)
        return None
    if owner is not None and not isinstance(owner, uuid.UUID):
        logger.error("workspace_events: WORKSPACE_OWNER returned %r, not a UUID", owner)
        return None
    return owner


class EventView(PublishView):
    """``POST events/`` publishes a workspace event; ``GET events/`` pages through the log."""

    permission_classes = [IsAuthenticated, CanPublishWorkspaceEvents]
    endpoint = "events"
    serializer_class = WorkspaceEventSerializer

    def records(self, data: dict[str, Any]) -> list[Record]:
        return [event_record(data["owner_id"], data["event"])]

    def get(self, request: Request) -> Response:
        try:
            params = parse_query(
                request.META.get("QUERY_STRING", ""),
                ("channel", "after", "limit", "workspace_id"),
                strict=True,
            )
            channel = params.get("channel", "")
            if channel != ALL_WORKSPACE_EVENT_CHANNEL and owner_from_channel(channel) is None:
                raise BadQuery("channel must be workspace_updates:all or workspace_owner:<uuid>")
            after = event_id_param("after", params["after"]) if "after" in params else 0
            limit = event_id_param("limit", params["limit"]) if "limit" in params else 100
            if not 1 <= limit <= conf.HISTORY_LIMIT:
                raise BadQuery(f"limit must be from 1 to {conf.HISTORY_LIMIT}")
            workspace = (
                uuid_param("workspace_id", params["workspace_id"])
                if "workspace_id" in params
                else None
            )
        except BadQuery as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        if not can_read(request.user, channel):
            return Response(
                {"detail": "You do not have permission to read this channel."},
                status=status.HTTP_403_FORBIDDEN,
            )
        entries = list(eventlog.read_after(channel, after, workspace_id=workspace, limit=limit))
        results = [
            {
                "id": entry.id,
                "channel": entry.channel,
                "data": json.loads(entry.payload),
                "created_at": entry.created_at.isoformat(),
            }
            for entry in entries
        ]
        next_url = None
        if len(entries) == limit:
            query = {**params, "after": str(entries[-1].id), "channel": channel}
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response({"results": results, "next": next_url})
