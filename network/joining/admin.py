from django.contrib import admin

from network.joining.models import Invitation, JoinRequest


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["municipality_name", "contact_name", "email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["municipality_name", "contact_name", "email"]
    readonly_fields = ["consent_version", "created_at", "decided_at", "decided_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "municipality", "role", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["name", "email", "municipality__name"]
    # The token is never shown: only its hash is stored, and the admin cannot resend it.
    exclude = ["token_hash"]
    readonly_fields = ["created_at", "accepted_at", "accepted_by", "invited_by", "join_request"]
