"""A small workspace platform: workspaces, their builds and their agent.

Saves become workspace events through ``workspace_events.bridge`` (see ``bridges.py``);
each model remembers the values it was loaded with so the bridge can tell what changed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from workspace_events import ProvisionerJobStatus, WorkspaceTransition

from . import plan


class TrackedModel(models.Model):
    """Remembers ``tracked_fields`` as last loaded or saved, to tell what a save changes."""

    tracked_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)  # post_save (and so the bridge) sees the old values
        self.remember()

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Any:
        instance = super().from_db(*args, **kwargs)
        instance.remember()
        return instance

    def remember(self) -> None:
        deferred = self.get_deferred_fields()  # reading those would cost a query each
        self._saved = {
            name: getattr(self, name) for name in self.tracked_fields if name not in deferred
        }

    def changed(self) -> set[str]:
        """Tracked fields that differ from the database (all of them for a new instance)."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            return set(self.tracked_fields)
        return {name for name, value in saved.items() if getattr(self, name) != value}


class Workspace(TrackedModel):
    """A user's workspace; ``status`` follows its latest build."""

    class Status(models.TextChoices):
        PENDING = "pending"
        STARTING = "starting"
        RUNNING = "running"
        STOPPING = "stopping"
        STOPPED = "stopped"
        FAILED = "failed"
        CANCELING = "canceling"
        CANCELED = "canceled"

    tracked_fields = ("name",)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspaces"
    )
    name = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.STOPPED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["owner", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="workspaces_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"

    def latest_build(self) -> WorkspaceBuild | None:
        return self.builds.order_by("-build_number").first()


class Lease(models.Model):
    """Which simulator process works on a row, alive as long as it renews ``heartbeat_at``."""

    claimed_by = models.CharField(max_length=100, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class WorkspaceBuild(TrackedModel, Lease):
    """One start or stop of a workspace, carried out by the provisioner."""

    tracked_fields = ("job_status", "cancel_requested")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="builds")
    build_number = models.PositiveIntegerField()
    transition = models.CharField(max_length=16, choices=WorkspaceTransition.choices)
    job_status = models.CharField(
        max_length=16,
        choices=ProvisionerJobStatus.choices,
        default=ProvisionerJobStatus.PENDING,
    )
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "build_number"], name="workspaces_unique_build_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workspace} #{self.build_number} {self.transition} {self.job_status}"

    @property
    def active(self) -> bool:
        return self.job_status in plan.ACTIVE_JOB_STATUSES


class WorkspaceAgent(TrackedModel, Lease):
    """The agent inside a workspace; the agent simulator reports its progress here."""

    class Lifecycle(models.TextChoices):
        CREATED = "created"
        STARTING = "starting"
        READY = "ready"
        SHUTTING_DOWN = "shutting_down"
        OFF = "off"

    class Connection(models.TextChoices):
        CONNECTING = "connecting"
        CONNECTED = "connected"
        DISCONNECTED = "disconnected"

    class AppHealth(models.TextChoices):
        INITIALIZING = "initializing"
        HEALTHY = "healthy"
        UNHEALTHY = "unhealthy"

    tracked_fields = ("lifecycle_state", "connection", "first_log_at", "app_health")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="agent")
    name = models.CharField(max_length=64, default="main")
    lifecycle_state = models.CharField(
        max_length=16, choices=Lifecycle.choices, default=Lifecycle.CREATED
    )
    connection = models.CharField(
        max_length=16, choices=Connection.choices, default=Connection.CONNECTING
    )
    first_log_at = models.DateTimeField(null=True, blank=True)
    app_health = models.CharField(
        max_length=16, choices=AppHealth.choices, default=AppHealth.INITIALIZING
    )

    def __str__(self) -> str:
        return f"{self.workspace}.{self.name}"

    def report(self, field: str, value: Any) -> bool:
        """Save one changed field, so each change is one event; False if nothing changed."""
        if getattr(self, field) == value:
            return False
        setattr(self, field, value)
        self.save(update_fields=[field])
        return True
