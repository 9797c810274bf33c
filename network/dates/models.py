"""The network's dates: Klassentreffen (with registration), Pausenhof (open to all), others.

Times are stored as aware datetimes (UTC in the database) and shown, entered and exported in
Europe/Berlin. Only the network office creates and edits dates; who gives the impulse is data
(a name, optionally an account, and the municipality).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspace.models import Municipality, Topic

# The Pausenhof's video link appears this long before the start, for everyone.
VIDEO_LINK_LEAD = datetime.timedelta(minutes=15)


class Series(models.Model):
    """Dates planned at once, e.g. the Pausenhof every second Tuesday from 12 to 13 o'clock."""

    title = models.CharField(_("Titel"), max_length=200)
    rule = models.CharField(_("Regel"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Terminreihe")
        verbose_name_plural = _("Terminreihen")

    def __str__(self) -> str:
        return f"{self.title} ({self.rule})"


class AppointmentQuerySet(models.QuerySet):
    def upcoming(self, now: datetime.datetime | None = None) -> AppointmentQuerySet:
        """Dates that have not ended yet, soonest first."""
        return self.filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now: datetime.datetime | None = None) -> AppointmentQuerySet:
        """Dates that are over, the latest first (by their end, so the index on ``ends_at``
        reads the latest few backwards and never the whole history)."""
        return self.filter(ends_at__lte=now or timezone.now()).order_by("-ends_at", "-pk")

    def of_kind(self, kind: str | None) -> AppointmentQuerySet:
        return self.filter(kind=kind) if kind else self


class Appointment(models.Model):
    """A date of the network (*Termin*)."""

    class Kind(models.TextChoices):
        KLASSENTREFFEN = "klassentreffen", _("Klassentreffen")
        PAUSENHOF = "pausenhof", _("Pausenhof")
        OTHER = "sonstiges", _("Sonstiger Termin")

        @property
        def takes_registrations(self) -> bool:
            return self is Appointment.Kind.KLASSENTREFFEN

    kind = models.CharField(_("Art"), max_length=20, choices=Kind, default=Kind.KLASSENTREFFEN)
    title = models.CharField(_("Titel"), max_length=200)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    place = models.CharField(_("Ort"), max_length=300, blank=True)
    video_url = models.URLField(_("Videolink"), blank=True)
    speaker_name = models.CharField(
        _("Impuls von"),
        max_length=150,
        blank=True,
        help_text=_("Die Kollegin oder der Kollege, die oder der den Impuls gibt."),
    )
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto der impulsgebenden Person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="impulses",
    )
    speaker_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune der impulsgebenden Person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="impulses",
    )
    description = models.TextField(_("Beschreibung"), blank=True, help_text=_("Markdown"))
    topics = models.ManyToManyField(
        Topic, verbose_name=_("Themen"), blank=True, related_name="appointments"
    )
    capacity = models.PositiveIntegerField(
        _("Plätze"),
        null=True,
        blank=True,
        help_text=_("Nur für Klassentreffen; leer heißt unbegrenzt."),
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("Terminreihe"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    sequence = models.PositiveIntegerField(
        _("Änderungszähler"), default=0, help_text=_("Für Kalender (SEQUENCE)")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)
    updated_at = models.DateTimeField(_("geändert am"), default=timezone.now)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        indexes = [
            models.Index(fields=["kind", "starts_at"], name="dates_appointment_kind_start"),
            # What is to come (ends_at > now) and the latest past, without reading the history.
            models.Index(fields=["ends_at", "id"], name="dates_appointment_end"),
            models.Index(fields=["kind", "ends_at"], name="dates_appointment_kind_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="dates_appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="dates_appointment_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dates:detail", kwargs={"pk": self.pk})

    @property
    def takes_registrations(self) -> bool:
        return Appointment.Kind(self.kind).takes_registrations

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    def video_link_from(self) -> datetime.datetime:
        return self.starts_at - VIDEO_LINK_LEAD

    def video_link_visible(self, now: datetime.datetime | None = None) -> bool:
        """The one rule for the video link: from shortly before the start until the end."""
        now = now or timezone.now()
        return bool(self.video_url) and self.video_link_from() <= now < self.ends_at

    def reminder_due_at(self) -> datetime.datetime:
        """The reminder goes out the day before, at nine in the morning (Berlin)."""
        local = timezone.localtime(self.starts_at)
        day_before = local.date() - datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day_before, datetime.time(9, 0)))


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self) -> RegistrationQuerySet:
        """The waiting list, in the order people joined it."""
        return self.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")


class Registration(models.Model):
    """A person's registration for a Klassentreffen: a seat, or a place on the waiting list."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("angemeldet")
        WAITING = "waiting", _("auf der Warteliste")
        CANCELLED = "cancelled", _("abgemeldet")

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("Termin"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="date_registrations",
    )
    status = models.CharField(_("Status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(_("angemeldet am"), default=timezone.now)
    moved_up_at = models.DateTimeField(_("nachgerückt am"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("abgemeldet am"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("erinnert am"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "user"],
                condition=~Q(status="cancelled"),
                name="dates_registration_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.appointment} ({self.get_status_display()})"


class TopicSuggestion(models.Model):
    """A topic someone (anonymous, too) suggests for a Pausenhof; the office schedules it."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        SCHEDULED = "scheduled", _("eingeplant")
        DECLINED = "declined", _("abgelehnt")

    title = models.CharField(_("Thema"), max_length=200)
    description = models.TextField(_("Worum soll es gehen?"), blank=True)
    name = models.CharField(_("Ihr Name"), max_length=150, blank=True)
    email = models.EmailField(_("Ihre E-Mail-Adresse"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eingereicht von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A keyed hash of the sender's address: enough to limit the rate, useless for anything else.
    sender_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status, default=Status.OPEN)
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("eingeplant für"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    created_at = models.DateTimeField(_("eingereicht am"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Themenvorschlag")
        verbose_name_plural = _("Themenvorschläge")

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret of a person's calendar feed; renewing it makes the old address worthless."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="date_feed_token",
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("erzeugt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Kalender-Schlüssel")
        verbose_name_plural = _("Kalender-Schlüssel")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("dates:feed-personal", kwargs={"token": self.token})
