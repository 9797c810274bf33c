"""Joining the network: requests of municipalities and invitations of their staff.

Cohorts (*Klassen*) and municipalities themselves are the core's (``workspace.models``); this
app only brings people and towns in.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspace.models import Membership, Municipality

# The privacy notice the join form asks consent to; a changed text gets a new version, and each
# request keeps the version its sender agreed to.
CONSENT_VERSION = "2026-11"


class JoinRequestQuerySet(models.QuerySet):
    def open(self) -> JoinRequestQuerySet:
        return self.filter(status=JoinRequest.Status.OPEN)

    def first_requests(self) -> JoinRequestQuerySet:
        """Requests that stand for themselves (a repeated request is joined to its first)."""
        return self.filter(first_request__isnull=True)


class JoinRequest(models.Model):
    """A municipality's wish to take part, sent through ``/mitmachen/``."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        ACCEPTED = "accepted", _("angenommen")
        DECLINED = "declined", _("abgelehnt")

    municipality_name = models.CharField(_("Kommune"), max_length=100)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune im Klassenraum"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="join_requests",
        help_text=_("Gesetzt, sobald die Kommune im Klassenraum angelegt oder gefunden ist."),
    )
    contact_name = models.CharField(_("Ansprechperson"), max_length=150)
    function = models.CharField(_("Funktion"), max_length=150)
    email = models.EmailField(_("E-Mail-Adresse"))
    message = models.TextField(_("Nachricht"), blank=True)
    consent_version = models.CharField(_("Fassung des Datenschutzhinweises"), max_length=20)
    created_at = models.DateTimeField(_("Eingegangen am"), default=timezone.now)
    status = models.CharField(_("Stand"), max_length=10, choices=Status, default=Status.OPEN)
    first_request = models.ForeignKey(
        "self",
        verbose_name=_("Erste Anfrage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        help_text=_("Eine wiederholte Anfrage wird der ersten zugeordnet und mit ihr entschieden."),
    )
    decided_at = models.DateTimeField(_("Entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Entschieden von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("Nachricht zur Entscheidung"), blank=True)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Beitrittsanfrage")
        verbose_name_plural = _("Beitrittsanfragen")
        # A person's requests by their address, whatever its case (their data, Art. 15 GDPR).
        indexes = [models.Index(Upper("email"), name="joining_request_email")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_at__isnull=False),
                name="joining_joinrequest_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_name} ({self.contact_name})"

    def get_absolute_url(self) -> str:
        return reverse("joining:request-detail", kwargs={"pk": self.pk})


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link by mail that makes a person staff of a municipality.

    Only the SHA-256 of the token is stored: whoever reads the database cannot use the links.
    """

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    name = models.CharField(_("Name"), max_length=150)
    role = models.CharField(
        _("Rolle"), max_length=10, choices=Membership.Role, default=Membership.Role.STAFF
    )
    function = models.CharField(_("Funktion"), max_length=150, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Eingeladen von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    join_request = models.ForeignKey(
        JoinRequest,
        verbose_name=_("Beitrittsanfrage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("Verschickt am"), default=timezone.now)
    expires_at = models.DateTimeField(_("Gültig bis"))
    accepted_at = models.DateTimeField(_("Angenommen am"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Angenommen von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        indexes = [models.Index(Upper("email"), name="joining_invitation_email")]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="joining_invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> – {self.municipality}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh token for the mail and its hash for the database."""
        token = secrets.token_urlsafe(32)
        return token, _token_hash(token)

    @staticmethod
    def find_hash(token: str) -> str:
        """What the database holds for ``token``."""
        return _token_hash(token)

    @classmethod
    def find(cls, token: str) -> Invitation | None:
        """The invitation behind ``token`` (one query), used or not; ``None`` if forged."""
        return (
            cls.objects.select_related("municipality", "invited_by")
            .filter(token_hash=_token_hash(token))
            .first()
        )

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
