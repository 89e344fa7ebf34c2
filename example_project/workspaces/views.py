"""Pages (my workspaces, operator) and the small JSON API their JavaScript calls."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from workspace_events import ALL_WORKSPACE_EVENT_CHANNEL
from workspace_events.eventlog import BUILD_UPDATE_KIND
from workspace_events.models import EventLogEntry

from . import builds
from .models import Workspace

WATCH_ALL_BUILDS = "workspace_events.watch_all_builds"
RECENT_BUILD_UPDATES = 50
View = Callable[..., HttpResponse]


def user_of(request: HttpRequest) -> User:
    """The logged-in user (the views below are only reached when logged in)."""
    assert isinstance(request.user, User)
    return request.user


def json_login_required(view: View) -> View:
    """Like ``login_required``, but a 401 in JSON: fetch() would follow a redirect."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Log in first."}, status=401)
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@login_required
def workspaces_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "workspaces/workspaces.html", {"state": builds.owner_state(request.user)}
    )


@require_GET
@json_login_required
def state(request: HttpRequest) -> HttpResponse:
    return JsonResponse(builds.owner_state(request.user))


@require_POST
@json_login_required
def create_workspace(request: HttpRequest) -> HttpResponse:
    try:
        name = str(json.loads(request.body or b"{}").get("name", "")).strip()
    except (ValueError, AttributeError):
        return JsonResponse({"detail": "Send a JSON object with a name."}, status=400)
    if not name or len(name) > Workspace._meta.get_field("name").max_length:  # type: ignore[operator]
        return JsonResponse({"detail": "The name must be 1 to 64 characters."}, status=400)
    try:
        workspace = Workspace.objects.create(owner=user_of(request), name=name)
    except IntegrityError:
        return JsonResponse({"detail": f"You already have a workspace named {name}."}, status=409)
    return JsonResponse(builds.snapshot(workspace), status=201)


ACTIONS: dict[str, Callable[[uuid.UUID], Any]] = {
    "start": lambda pk: builds.request_build(pk, "start"),
    "stop": lambda pk: builds.request_build(pk, "stop"),
    "cancel": builds.request_cancel,
}


@require_POST
@json_login_required
def workspace_action(request: HttpRequest, workspace_id: uuid.UUID, action: str) -> HttpResponse:
    # Someone else's workspace is "not found", so its existence does not leak.
    workspace = Workspace.objects.filter(pk=workspace_id, owner=user_of(request)).first()
    if workspace is None or action not in ACTIONS:
        return JsonResponse({"detail": "Not found."}, status=404)
    try:
        ACTIONS[action](workspace.pk)
    except builds.Conflict as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    workspace.refresh_from_db()
    return JsonResponse(builds.snapshot(workspace), status=202)


@require_GET
@login_required
@permission_required(WATCH_ALL_BUILDS, raise_exception=True)
def operator_page(request: HttpRequest) -> HttpResponse:
    # The cursor first: the stream resumes after it, so nothing falls in between.
    cursor = builds.last_event_id(ALL_WORKSPACE_EVENT_CHANNEL)
    recent = list(
        EventLogEntry.objects.filter(
            channel=ALL_WORKSPACE_EVENT_CHANNEL, kind=BUILD_UPDATE_KIND, id__lte=cursor
        ).values_list("id", "payload", "created_at")[:RECENT_BUILD_UPDATES]
    )
    updates = [
        {"id": pk, "data": json.loads(payload), "created_at": created.isoformat()}
        for pk, payload, created in reversed(recent)
    ]
    return render(
        request,
        "workspaces/operator.html",
        {
            "initial": {"last_event_id": cursor, "updates": updates},
        },
    )
