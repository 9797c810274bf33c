from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workspace.models import Municipality

# allauth's own provider types; a provider's short name must not be mistaken for one.
RESERVED_SLUGS = ("openid_connect",)
WELL_KNOWN = "/.well-known/openid-configuration"


class IdentityProvider(models.Model):
    """An OpenID provider a municipality's staff log in with, configured by the network office.

    It speaks either for one municipality (a town hall's Keycloak or ADFS) or, as a regional
    broker, names the municipality in a claim of each person's ID token.
    """

    name = models.CharField(_("Name"), max_length=100)
    slug = models.SlugField(
        _("Kurzname"),
        max_length=40,
        unique=True,
        help_text=_("Teil der Adressen der Anmeldung, z. B. „arnsberg“."),
    )
    issuer = models.URLField(
        _("Aussteller (Issuer)"),
        unique=True,
        help_text=_(
            "Die Issuer-URL des Anmeldedienstes; seine Beschreibung wird unter "
            "…/.well-known/openid-configuration gelesen."
        ),
    )
    client_id = models.CharField(_("Client-ID"), max_length=191)
    client_secret = models.CharField(_("Client-Geheimnis"), max_length=191)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_providers",
        help_text=_("Die Kommune, für die der Anmeldedienst spricht."),
    )
    municipality_claim = models.CharField(
        _("Claim mit der Kommune"),
        max_length=100,
        blank=True,
        help_text=_(
            "Für einen regionalen Dienst statt einer Kommune: der Name des Claims im ID-Token, "
            "der den Kurznamen oder den Gemeindeschlüssel der Kommune enthält."
        ),
    )
    button_text = models.CharField(
        _("Beschriftung der Schaltfläche"),
        max_length=100,
        help_text=_("Auf der Anmeldeseite, z. B. „Mit dem Konto der Stadt Arnsberg anmelden“."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Anmeldedienst")
        verbose_name_plural = _("Anmeldedienste")
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False) & Q(municipality_claim=""))
                | (Q(municipality__isnull=True) & ~Q(municipality_claim="")),
                name="identity_identityprovider_municipality_or_claim",
            ),
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SLUGS),
                name="identity_identityprovider_slug_not_reserved",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + WELL_KNOWN

    def as_social_app(self):
        """allauth's view of this provider (never saved: this model is the one record)."""
        from allauth.socialaccount.models import SocialApp

        return SocialApp(
            provider="openid_connect",
            provider_id=self.slug,
            name=self.name,
            client_id=self.client_id,
            secret=self.client_secret,
            settings={
                "server_url": self.discovery_url,
                "oauth_pkce_enabled": True,
                "identity_provider_pk": self.pk,
            },
        )


class ProviderSession(models.Model):
    """A session that began with a login through a provider: it ends with the provider."""

    provider = models.ForeignKey(
        IdentityProvider,
        verbose_name=_("Anmeldedienst"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="provider_sessions",
    )
    session_key = models.CharField(_("Sitzung"), max_length=40, unique=True)
    expires_at = models.DateTimeField(_("Gültig bis"))

    class Meta:
        verbose_name = _("Sitzung über einen Anmeldedienst")
        verbose_name_plural = _("Sitzungen über Anmeldedienste")

    def __str__(self) -> str:
        return f"{self.user} – {self.provider}"
