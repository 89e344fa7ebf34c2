from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceEventsConfig(AppConfig):
    name = "workspace_events"
    verbose_name = _("Workspace events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers, signals

        checks.register()
        signals.workspace_event.connect(
            receivers.on_workspace_event, dispatch_uid="workspace_events.workspace_event"
        )
        signals.build_update.connect(
            receivers.on_build_update, dispatch_uid="workspace_events.build_update"
        )
