"""Personal access tokens: a person's key for the API, shown once and kept only as a hash."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "kr_" + an 8-character lookup prefix + "_" + the secret: the prefix finds the row without
# knowing the secret, the hash of the whole token proves it.
TOKEN_START = "kr_"  # noqa: S105 – a marker, not a secret
PREFIX_LENGTH = 8


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else ``None``."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, _sep, secret = token[len(TOKEN_START) :].partition("_")
    if len(prefix) != PREFIX_LENGTH or not secret:
        return None
    return prefix


def new_token() -> tuple[str, str]:
    """A fresh token and its prefix (``secrets``: 32 random bytes)."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}", prefix


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime.datetime | None = None) -> AccessTokenQuerySet:
        """Neither revoked nor expired, of an account that is still active."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class AccessToken(models.Model):
    """A personal access token for ``/api/v1/``."""

    class Scope(models.TextChoices):
        READ = "read", _("Lesen")
        WRITE = "write", _("Lesen und Schreiben")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("Person"),
    )
    name = models.CharField(_("Name"), max_length=100)
    scope = models.CharField(_("Berechtigung"), max_length=5, choices=Scope, default=Scope.READ)
    prefix = models.CharField(_("Kennung"), max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("Angelegt am"), default=timezone.now)
    expires_at = models.DateTimeField(_("Gültig bis"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("Zuletzt benutzt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        app_label = "workspace"
        verbose_name = _("Zugang zur Schnittstelle")
        verbose_name_plural = _("Zugänge zur Schnittstelle")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @staticmethod
    def digest_of(token: str) -> str:
        return token_digest(token)

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.digest, token_digest(token))

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired and self.user.is_active

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
