from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "workspaces"

urlpatterns = [
    path("", views.workspaces_page, name="home"),
    path("operator/", views.operator_page, name="operator"),
    path("workspaces/state/", views.state, name="state"),
    path("workspaces/new/", views.create_workspace, name="create"),
    path(
        "workspaces/<uuid:workspace_id>/<slug:action>/",
        views.workspace_action,
        name="action",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="workspaces/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
