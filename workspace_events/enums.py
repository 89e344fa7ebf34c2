"""The string enums of the wire format: event kinds, build transitions, job statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceEventKind(models.TextChoices):
    """What changed in a workspace; the ``kind`` of a ``WorkspaceEvent``."""

    STATE_CHANGE = "state_change", _("State change")
    STATS_UPDATE = "stats_update", _("Stats update")
    METADATA_UPDATE = "mtd_update", _("Metadata update")
    APP_HEALTH_UPDATE = "app_health", _("App health update")
    AGENT_LIFECYCLE_UPDATE = "agt_lifecycle_update", _("Agent lifecycle update")
    AGENT_CONNECTION_UPDATE = "agt_connection_update", _("Agent connection update")
    AGENT_FIRST_LOGS = "agt_first_logs", _("Agent first logs")
    AGENT_LOGS_OVERFLOW = "agt_logs_overflow", _("Agent logs overflow")
    AGENT_TIMEOUT = "agt_timeout", _("Agent timeout")
    AGENT_APP_STATUS_UPDATE = "agt_app_status_update", _("Agent app status update")


class WorkspaceTransition(models.TextChoices):
    """What a workspace build does."""

    START = "start", _("Start")
    STOP = "stop", _("Stop")
    DELETE = "delete", _("Delete")


class ProvisionerJobStatus(models.TextChoices):
    """Where the provisioner job behind a build stands."""

    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    CANCELING = "canceling", _("Canceling")
    CANCELED = "canceled", _("Canceled")
    FAILED = "failed", _("Failed")
