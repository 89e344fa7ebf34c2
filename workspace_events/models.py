"""The event log: every recorded event, its channel and its id (the resume cursor)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventLogEntry(models.Model):
    """One published event, as it went out on its channel.

    ``id`` is the event's ``"id"`` on the wire: monotonic, and what clients resume from.
    """

    id = models.BigAutoField(primary_key=True)
    channel = models.CharField(_("channel"), max_length=200)
    kind = models.CharField(_("kind"), max_length=64)
    owner_id = models.UUIDField(_("owner"), null=True, blank=True, db_index=True)
    workspace_id = models.UUIDField(_("workspace"), null=True, blank=True, db_index=True)
    agent_id = models.UUIDField(_("agent"), null=True, blank=True, db_index=True)
    build_id = models.UUIDField(_("build"), null=True, blank=True, db_index=True)
    # The exact bytes published (UTF-8 JSON): JSON columns would reorder or respace them.
    payload = models.TextField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("event log")
        ordering = ["-id"]
        indexes = [models.Index(fields=["channel", "id"], name="workspace_events_channel_id")]
        # The log is written by the app only: nobody can be granted add, change or delete.
        default_permissions = ("view",)
        permissions = [
            ("watch_any_owner", _("Can watch any owner's workspace events")),
            ("watch_all_builds", _("Can watch every workspace build update")),
            ("publish_build_update", _("Can publish workspace build updates")),
            ("publish_workspace_event", _("Can publish workspace events")),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.kind} on {self.channel}"


class IdempotencyKey(models.Model):
    """A POST made with an ``Idempotency-Key``, remembered so a retry is answered, not redone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    endpoint = models.CharField(max_length=32)
    key = models.CharField(max_length=255)
    # SHA-256 of the request body in canonical JSON: the same key with another body is a 422.
    fingerprint = models.CharField(max_length=64)
    # None while the first request is under way.
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.TextField(blank=True)
    # Events logged but not yet published (after a 503), as JSON; a retry publishes them.
    pending = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="workspace_events_idempotency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
