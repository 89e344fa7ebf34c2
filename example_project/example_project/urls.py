from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("django-workspace-events example project: see /admin/")


urlpatterns = [
    path("", index),
    path("admin/", admin.site.urls),
]
