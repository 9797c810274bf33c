"""One model: an entry of the security log, written once and never changed.

An entry points at accounts (``account``: whom it is about, ``by``: who acted) instead of
copying a name, so erasing a person (which pseudonymises the account) leaves no name behind.
``detail`` holds what else the entry needs (a role, a project's slug, a page's kind) and never
a person's name.

The app cannot change or delete an entry: ``save()`` refuses anything but the first insert,
``delete()`` refuses, and the queryset refuses ``update()`` and ``delete()``. On PostgreSQL a
trigger (migration 0002) refuses UPDATE too and allows DELETE only of entries older than the
retention period; :func:`workspace.audit.services.security_log_purge` is the one deletion.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: How the keys of ``detail`` read on the pages.
DETAIL_LABELS = {
    "project": _("Leitprojekt"),
    "role": _("Rolle"),
    "previous_role": _("vorher"),
    "municipality": _("Kommune"),
    "starts_on": _("Beginn"),
    "ends_on": _("Ende"),
    "page": _("Seite"),
    "provider": _("Anmeldedienst"),
    "fields": _("geänderte Felder"),
    "source": _("Herkunft"),
    "account_closed": _("Konto geschlossen"),
    "method": _("Verfahren"),
}


class ImmutableEntry(Exception):
    """An attempt to change or delete an entry of the security log."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableEntry("Einträge des Sicherheitsprotokolls sind unveränderlich.")

    def delete(self):
        raise ImmutableEntry("Einträge des Sicherheitsprotokolls werden nicht gelöscht.")

    def about(self, person) -> SecurityEventQuerySet:
        """Entries about ``person`` or written by them."""
        return self.filter(models.Q(account=person) | models.Q(by=person))

    def expired(self, now: datetime.datetime | None = None) -> SecurityEventQuerySet:
        days = settings.SECURITY_LOG_RETENTION_DAYS
        return self.filter(at__lt=(now or timezone.now()) - datetime.timedelta(days=days))


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Anmeldung")
        LOGIN_FAILED = "login_failed", _("Fehlgeschlagene Anmeldung")
        SECOND_FACTOR_ADDED = "second_factor_added", _("Zweiter Faktor eingerichtet")
        SECOND_FACTOR_REMOVED = "second_factor_removed", _("Zweiter Faktor entfernt")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Zweiter Faktor zurückgesetzt")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Wiederherstellungscodes erneuert")
        ROLE_GRANTED = "role_granted", _("Rolle vergeben")
        ROLE_REVOKED = "role_revoked", _("Rolle entzogen")
        SEAT_STARTED = "seat_started", _("Sitz im Steuerkreis vergeben")
        SEAT_ENDED = "seat_ended", _("Sitz im Steuerkreis beendet")
        ARCHIVE_EXPORTED = "archive_exported", _("Leitprojekt exportiert")
        ARCHIVE_IMPORTED = "archive_imported", _("Leitprojekt importiert")
        DATA_EXPORTED = "data_exported", _("Eigene Daten heruntergeladen")
        ACCOUNT_ERASED = "account_erased", _("Person gelöscht (pseudonymisiert)")
        OFFBOARDED = "offboarded", _("Mitarbeit beendet")
        PROVIDER_ADDED = "provider_added", _("Anmeldedienst hinzugefügt")
        PROVIDER_CHANGED = "provider_changed", _("Anmeldedienst geändert")
        PROVIDER_REMOVED = "provider_removed", _("Anmeldedienst entfernt")
        LEGAL_PAGE_CHANGED = "legal_page_changed", _("Rechtliche Seite geändert")

    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    kind = models.CharField(_("Ereignis"), max_length=40, choices=Kind, db_index=True)
    # PROTECT: accounts are pseudonymised, never deleted, while entries point at them.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Betroffenes Konto"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Ausgeführt von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider = models.CharField(_("Anmeldedienst"), max_length=100, blank=True)
    address = models.GenericIPAddressField(_("Adresse"), null=True, blank=True)
    detail = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("Eintrag im Sicherheitsprotokoll")
        verbose_name_plural = _("Sicherheitsprotokoll")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["account", "-at"], name="audit_event_account_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding or self.pk is not None:
            raise ImmutableEntry("Einträge des Sicherheitsprotokolls sind unveränderlich.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEntry("Einträge des Sicherheitsprotokolls werden nicht gelöscht.")

    def detail_items(self) -> list[tuple[str, str]]:
        items = []
        for key, value in sorted(self.detail.items()):
            if isinstance(value, bool):
                value = _("ja") if value else _("nein")
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            items.append((str(DETAIL_LABELS.get(key, key)), str(value)))
        return items
