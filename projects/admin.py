from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import LeadProject, ProjectActivity, Result, TeamMembership


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]
    # Roles carry permissions: they change on the team page, through the permission service.
    readonly_fields = ["user", "role", "added_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LeadProject)
class LeadProjectAdmin(GuardedModelAdmin, SimpleHistoryAdmin):
    list_display = ("title", "lead_municipality", "status", "visibility", "kind")
    list_filter = ("status", "visibility", "kind", "lead_municipality")
    search_fields = ("title", "summary")
    filter_horizontal = ("topics", "participants")

    def get_readonly_fields(self, request, obj=None):
        # Content, lifecycle and team change on the project pages, through the services that
        # record activity and check the rules; the admin shows them and guards permissions.
        return [f.name for f in LeadProject._meta.fields] + ["topics", "participants"]

    inlines = [TeamMembershipInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Lead projects are archived, never deleted.
        return False


@admin.register(ProjectActivity)
class ProjectActivityAdmin(admin.ModelAdmin):
    list_display = ("project", "kind", "actor", "at")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in ProjectActivity._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Result)
class ResultAdmin(SimpleHistoryAdmin):
    """Read-only: results change on their pages, where a stale save is refused with a diff."""

    list_display = ("title", "project", "kind", "maturity", "revision", "is_archived")
    list_filter = ("kind", "maturity", "is_archived")
    search_fields = ("title", "summary")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Result._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
