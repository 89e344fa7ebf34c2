from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("api/workspace-events/", include("workspace_events.api.urls"))]
