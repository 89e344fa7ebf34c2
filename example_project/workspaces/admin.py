from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from .models import Workspace, WorkspaceAgent, WorkspaceBuild

if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only
    WorkspaceAdminBase = admin.ModelAdmin[Workspace]
    BuildAdminBase = admin.ModelAdmin[WorkspaceBuild]
    AgentAdminBase = admin.ModelAdmin[WorkspaceAgent]
    BuildInline = admin.TabularInline[WorkspaceBuild, Workspace]
else:
    WorkspaceAdminBase = BuildAdminBase = AgentAdminBase = admin.ModelAdmin
    BuildInline = admin.TabularInline


class WorkspaceBuildInline(BuildInline):
    model = WorkspaceBuild
    fields = readonly_fields = ("build_number", "transition", "job_status", "created_at")
    ordering = ["-build_number"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceAdminBase):
    # Renaming here publishes a mtd_update to the owner, through the model bridge.
    list_display = ["name", "owner", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "owner__username", "id"]
    readonly_fields = ["status"]
    inlines = [WorkspaceBuildInline]


@admin.register(WorkspaceBuild)
class WorkspaceBuildAdmin(BuildAdminBase):
    list_display = ["workspace", "build_number", "transition", "job_status", "created_at"]
    list_filter = ["transition", "job_status"]
    readonly_fields = ["claimed_by", "heartbeat_at"]


@admin.register(WorkspaceAgent)
class WorkspaceAgentAdmin(AgentAdminBase):
    list_display = ["workspace", "name", "lifecycle_state", "connection", "app_health"]
    readonly_fields = ["claimed_by", "heartbeat_at"]
