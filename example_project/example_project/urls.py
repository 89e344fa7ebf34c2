from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("workspaces.urls")),
    path("admin/", admin.site.urls),
    path("api/workspace-events/", include("workspace_events.api.urls")),
]
