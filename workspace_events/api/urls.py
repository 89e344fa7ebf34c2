"""Mount with ``path("api/workspace-events/", include("workspace_events.api.urls"))``."""

from __future__ import annotations

from django.urls import path

from .views import BuildUpdateView, EventView

app_name = "workspace_events"

urlpatterns = [
    path("build-updates/", BuildUpdateView.as_view(), name="build-updates"),
    path("events/", EventView.as_view(), name="events"),
]
