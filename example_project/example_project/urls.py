from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("django-workspace-events example project: see /admin/")


urlpatterns = [
    path("", index),
    path("admin/", admin.site.urls),
    path("api/workspace-events/", include("workspace_events.api.urls")),
]
