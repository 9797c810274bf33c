from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from workspace.mail import outgoing_mail_resend
from workspace.models import (
    Cohort,
    District,
    Membership,
    Municipality,
    OutgoingMail,
    State,
    Topic,
    User,
)
from workspace.personal_data import person_erase

admin.site.site_header = _("Klassenraum – Verwaltung")
admin.site.site_title = _("Klassenraum")
admin.site.index_title = _("Verwaltung des Netzwerks")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.action(description=_("Personenbezogene Daten löschen (durch Pseudonym ersetzen)"))
def erase_people(modeladmin, request, queryset) -> None:
    for person in queryset:
        pseudonym = person_erase(person, by=request.user)
        modeladmin.message_user(request, _("Ersetzt durch %(p)s.") % {"p": pseudonym})


@admin.register(User)
class KlassenraumUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (
        (
            _("Klassenraum"),
            {"fields": ("display_name", "public_name", "language", "mail_frequency")},
        ),
    )
    actions = [erase_people]
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "is_pioneer", "is_member", "cohort", "joined_on")
    list_filter = ("district__state", "is_pioneer", "is_member", "cohort")
    list_select_related = ("district", "cohort")
    search_fields = ("name", "official_key", "district__name")
    autocomplete_fields = ("district",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ("name", "official_key")
    search_fields = ("name", "official_key")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "state", "official_key")
    list_filter = ("state", "kind")
    list_select_related = ("state",)
    search_fields = ("name", "official_key")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("year",)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "municipality", "role", "started_on", "ended_on")
    list_filter = ("role", "municipality")
    search_fields = ("user__username", "user__display_name", "municipality__name")
    autocomplete_fields = ["user", "municipality"]


@admin.action(description=_("Erneut versuchen"))
def resend_mails(modeladmin, request, queryset) -> None:
    for outgoing in queryset.filter(state=OutgoingMail.State.FAILED):
        outgoing_mail_resend(outgoing=outgoing)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox: read only; the worker sends, the office may only ask for another round."""

    list_display = ("subject", "recipients", "state", "attempts", "next_attempt_at", "created_at")
    list_filter = ("state",)
    search_fields = ("subject", "recipients")
    actions = [resend_mails]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
