from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workspace.identity.models import IdentityProvider
from workspace.identity.services import provider_remove, second_factor_reset


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


@admin.action(description=_("Zweiten Faktor zurücksetzen (verlorene App oder Schlüssel)"))
def reset_second_factor(modeladmin, request, queryset) -> None:
    for person in queryset:
        second_factor_reset(person=person, by=request.user, request=request)
        modeladmin.message_user(
            request,
            _("Der zweite Faktor von %(person)s ist zurückgesetzt; die Sitzungen sind beendet.")
            % {"person": person},
        )


def _offer_reset_on_people() -> None:
    """The action joins the core's person admin (registered by workspace.admin)."""
    from django.contrib.auth import get_user_model

    person_admin = admin.site._registry.get(get_user_model())
    if person_admin is not None and reset_second_factor not in person_admin.actions:
        person_admin.actions = [*person_admin.actions, reset_second_factor]


_offer_reset_on_people()

# The administration's own login form would log in with a password alone, past the second
# factor: it sends to the one login page instead (allauth's guard for exactly this).
admin.site.login = secure_admin_login(admin.site.login)
