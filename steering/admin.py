"""The administration shows the committee's records; every change goes through the services."""

from django.contrib import admin

from steering.models import Agreement, Approval, Committee, Meeting, Proposal, Seat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    """The committee's rules (quorum, whether the chair votes) are set here by the office."""

    list_display = ("name", "quorum_percent", "chair_votes")

    def has_add_permission(self, request, obj=None) -> bool:
        return not Committee.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("person", "municipality", "role", "starts_on", "ends_on")
    list_filter = ("role", "municipality")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "starts_at", "state")


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "state", "project")
    list_filter = ("kind", "state")


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "kind", "project", "adopted_on")
    list_filter = ("kind",)
    search_fields = ("number", "title")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "result", "history_row")
