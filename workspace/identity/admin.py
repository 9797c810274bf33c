from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workspace.identity.models import IdentityProvider
from workspace.identity.services import provider_remove


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """The office configures the municipalities' providers here (``/verwaltung/``)."""

    list_display = ("name", "issuer", "municipality", "municipality_claim")
    search_fields = ("name", "issuer")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["municipality"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "button_text")}),
        (_("Verbindung"), {"fields": ("issuer", "client_id", "client_secret")}),
        (_("Kommune"), {"fields": ("municipality", "municipality_claim")}),
    )

    def delete_model(self, request, obj) -> None:
        ended = provider_remove(provider=obj)
        self.message_user(
            request,
            ngettext(
                "%(n)d Sitzung über diesen Anmeldedienst wurde beendet.",
                "%(n)d Sitzungen über diesen Anmeldedienst wurden beendet.",
                ended,
            )
            % {"n": ended},
            messages.INFO,
        )

    def delete_queryset(self, request, queryset) -> None:
        for provider in queryset:
            provider_remove(provider=provider)
