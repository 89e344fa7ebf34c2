"""The event log in the Django admin: read-only, searchable by any UUID."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import EventLogEntry
from .wire import parse_uuid

if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only
    ModelAdmin = admin.ModelAdmin[EventLogEntry]
else:
    ModelAdmin = admin.ModelAdmin


@admin.register(EventLogEntry)
class EventLogEntryAdmin(ModelAdmin):
    list_display = ["id", "created_at", "kind", "channel", "owner_id", "workspace_id"]
    list_filter = ["kind", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["channel"]
    search_help_text = _("An owner, workspace, agent or build UUID, or part of a channel name.")
    readonly_fields = fields = (
        "id",
        "created_at",
        "channel",
        "kind",
        "owner_id",
        "workspace_id",
        "agent_id",
        "build_id",
        "formatted_payload",
    )
    list_per_page = 100
    show_full_result_count = False  # COUNT(*) on a large log is slow

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[EventLogEntry], search_term: str
    ) -> tuple[QuerySet[EventLogEntry], bool]:
        term = search_term.strip()
        try:
            value: uuid.UUID | None = parse_uuid(term)
        except ValueError:
            value = None
        if value is not None:
            return queryset.filter(
                Q(owner_id=value) | Q(workspace_id=value) | Q(agent_id=value) | Q(build_id=value)
            ), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("payload"))
    def formatted_payload(self, entry: EventLogEntry) -> SafeString:
        try:
            text = json.dumps(json.loads(entry.payload), indent=2, ensure_ascii=False)
        except ValueError:
            text = entry.payload
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
