from __future__ import annotations

from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces (example)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import bridges

        bridges.register()
