from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from network.discussion.models import Comment


@admin.register(Comment)
class CommentAdmin(SimpleHistoryAdmin):
    """For looking up; comments change through the pages (edit, hide), never deleted here."""

    list_display = ["__str__", "project", "result", "created_at", "hidden_at"]
    list_filter = ["hidden_at"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["project", "result", "parent", "author", "hidden_by", "quoted_row"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
