from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from network.guides.models import Authorship, Guide, Term


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    readonly_fields = ["person", "municipality"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Guide)
class GuideAdmin(SimpleHistoryAdmin):
    list_display = ("title", "status", "published_in", "revision")
    list_filter = ("status", "topics")
    search_fields = ("title", "summary")
    inlines = [AuthorshipInline]

    def get_readonly_fields(self, request, obj=None):
        # Guides change on their pages, through the services that keep every version and
        # refuse lost updates; the admin shows them.
        return [f.name for f in Guide._meta.fields] + ["topics", "lead_projects", "results"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "updated_at")
    search_fields = ("name", "synonyms", "definition")

    def get_readonly_fields(self, request, obj=None):
        # Terms change on the glossary's pages, through the services that keep names and
        # synonyms unique; deleting one here still drops the cached term list (signals).
        return [f.name for f in Term._meta.fields] + ["related"]

    def has_add_permission(self, request) -> bool:
        return False
