from django.contrib import admin

from network.dates.models import Appointment, FeedToken, Registration, Series, TopicSuggestion


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    # Seats and the waiting list change through the services (locks, moving up, mails).
    readonly_fields = ["user", "status", "created_at", "moved_up_at", "cancelled_at", "reminded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "speaker_municipality", "capacity")
    list_filter = ("kind",)
    search_fields = ("title", "speaker_name", "description")
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]

    def get_readonly_fields(self, request, obj=None):
        # Dates change on their pages, through the services (reminders, waiting list, SEQUENCE).
        return [f.name for f in Appointment._meta.fields] + ["topics"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "rule", "created_at")
    readonly_fields = ("title", "rule", "created_by", "created_at")


@admin.register(TopicSuggestion)
class TopicSuggestionAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "name", "created_at", "appointment")
    list_filter = ("status",)
    search_fields = ("title", "description", "name")
    readonly_fields = ("sender_hash", "submitted_by", "created_at")


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    # The secret itself is not shown, not even to the administration.
    exclude = ("token",)
    readonly_fields = ("user", "created_at")

    def has_add_permission(self, request) -> bool:
        return False
