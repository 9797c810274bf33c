"""The admin shows the Schülerzeitung's records; changes go through the pages (services)."""

from django.contrib import admin

from network.newsletter.models import Delivery, Issue, NewsItem, Subscriber, SubscriptionLog


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LogInline(admin.TabularInline):
    model = SubscriptionLog
    extra = 0
    can_delete = False
    readonly_fields = ["action", "at", "consent_version", "via"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(_ReadOnly):
    list_display = ["email", "state", "signed_up_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["state", "consent_version"]
    search_fields = ["email"]
    exclude = ["confirm_token_hash", "unsubscribe_key"]
    inlines = [LogInline]


@admin.register(Issue)
class IssueAdmin(_ReadOnly):
    list_display = ["title", "number", "state", "published_at"]
    list_filter = ["state"]


@admin.register(NewsItem)
class NewsItemAdmin(_ReadOnly):
    list_display = ["title", "municipality", "state", "submitted_at", "issue"]
    list_filter = ["state"]
    search_fields = ["title"]


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    list_display = ["email", "issue", "state", "attempts", "sent_at", "resent"]
    list_filter = ["state", "resent", "issue"]
    search_fields = ["email"]
