from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from ..access import PUBLISH_BUILD_UPDATE, PUBLISH_WORKSPACE_EVENT


class CanPublishBuildUpdates(BasePermission):
    """Holds ``workspace_events.publish_build_update``."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.has_perm(PUBLISH_BUILD_UPDATE))


class CanPublishWorkspaceEvents(BasePermission):
    """Holds ``workspace_events.publish_workspace_event`` to POST; GET checks each channel."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method != "POST":
            return True
        return bool(request.user and request.user.has_perm(PUBLISH_WORKSPACE_EVENT))
