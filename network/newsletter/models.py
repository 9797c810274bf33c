"""The Schülerzeitung: subscribers (double opt-in), member news, issues and their deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspace.models import Municipality


class Subscriber(models.Model):
    """An address that asked for the newsletter. Only confirmed addresses receive issues."""

    class State(models.TextChoices):
        PENDING = "pending", _("Unbestätigt")
        CONFIRMED = "confirmed", _("Bestätigt")
        UNSUBSCRIBED = "unsubscribed", _("Abgemeldet")

    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    state = models.CharField(_("Status"), max_length=12, choices=State, default=State.PENDING)
    consent_version = models.CharField(_("Version des Einwilligungstexts"), max_length=20)
    signed_up_at = models.DateTimeField(_("Angemeldet am"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("Abgemeldet am"), null=True, blank=True)
    # Only the SHA-256 of the confirmation link's secret is stored: a leaked database
    # confirms nobody.
    confirm_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirm_token_expires_at = models.DateTimeField(null=True, blank=True)
    confirm_token_used_at = models.DateTimeField(null=True, blank=True)
    # Part of every signed unsubscribe link; renewed with each confirmation, so links of an
    # earlier subscription do not end a later one.
    unsubscribe_key = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("Abonnent*in")
        verbose_name_plural = _("Abonnent*innen")
        indexes = [models.Index(fields=["state"], name="newsletter_subscriber_state")]

    def __str__(self) -> str:
        return self.email


class SubscriptionLog(models.Model):
    """Proof of consent: every signup, confirmation and unsubscription, with time and the
    version of the consent text. Only ever added to."""

    class Action(models.TextChoices):
        SIGNUP = "signup", _("Anmeldung")
        CONFIRM = "confirm", _("Bestätigung")
        UNSUBSCRIBE = "unsubscribe", _("Abmeldung")

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="log", verbose_name=_("Abonnent*in")
    )
    action = models.CharField(_("Vorgang"), max_length=12, choices=Action)
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    consent_version = models.CharField(_("Version des Einwilligungstexts"), max_length=20)
    via = models.CharField(_("Weg"), max_length=40, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Einwilligungsprotokoll")

    def __str__(self) -> str:
        return f"{self.subscriber} – {self.get_action_display()} – {self.at:%Y-%m-%d %H:%M}"


class IssueQuerySet(models.QuerySet):
    def published(self) -> IssueQuerySet:
        return self.exclude(state=Issue.State.DRAFT)

    def drafts(self) -> IssueQuerySet:
        return self.filter(state=Issue.State.DRAFT)


class Issue(models.Model):
    """An issue (*Ausgabe*): an editorial and accepted member news, sent to the subscribers.

    Published (public in the archive and the feed) from the moment its sending starts.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SENDING = "sending", _("Wird versendet")
        SENT = "sent", _("Versendet")

    number = models.PositiveIntegerField(_("Nummer"), null=True, blank=True, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    editorial = models.TextField(
        _("Editorial"), blank=True, help_text=_("Markdown: **fett**, *kursiv*, Listen, Links.")
    )
    state = models.CharField(_("Status"), max_length=10, choices=State, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("Erschienen am"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    finished_at = models.DateTimeField(_("Versand beendet am"), null=True, blank=True)
    # The sending lease: the send task holding it renews it with every mail; a lease that ran
    # out means its holder died (SIGKILL, power loss) and the next task takes over.
    lease_holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    watchdog_id = models.CharField(max_length=64, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("Ausgabe")
        verbose_name_plural = _("Ausgaben")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False, number__isnull=False),
                name="newsletter_issue_published_has_date_and_number",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return _("Ausgabe %(number)s: %(title)s") % {"number": self.number, "title": self.title}
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletter:issue", kwargs={"issue_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.state != self.State.DRAFT


class NewsItem(models.Model):
    """News a member municipality brings in; the editorial team accepts, edits or declines it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Eingereicht")
        ACCEPTED = "accepted", _("Angenommen")
        DECLINED = "declined", _("Abgelehnt")

    title = models.CharField(_("Überschrift"), max_length=200)
    body = models.TextField(_("Text"), help_text=_("Markdown: **fett**, *kursiv*, Listen, Links."))
    link = models.URLField(_("Link"), blank=True, max_length=500)
    image = models.FileField(_("Bild"), upload_to="newsletter/", blank=True, max_length=200)
    image_content_type = models.CharField(max_length=40, blank=True)
    image_alt = models.CharField(_("Bildbeschreibung"), max_length=300, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("Kommune")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="newsletter_items",
        verbose_name=_("Eingereicht von"),
    )
    submitted_at = models.DateTimeField(_("Eingereicht am"), default=timezone.now)
    state = models.CharField(_("Status"), max_length=10, choices=State, default=State.SUBMITTED)
    review_note = models.TextField(_("Notiz der Redaktion"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    issue = models.ForeignKey(
        Issue,
        on_delete=models.PROTECT,
        related_name="items",
        null=True,
        blank=True,
        verbose_name=_("Ausgabe"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("Beitrag")
        verbose_name_plural = _("Beiträge")
        constraints = [
            models.CheckConstraint(
                condition=Q(issue__isnull=True) | Q(state="accepted"),
                name="newsletter_newsitem_only_accepted_in_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletter:item", kwargs={"item_id": self.pk})

    @property
    def is_locked(self) -> bool:
        """Printed in a published issue: what went out stays as it went out."""
        return self.issue_id is not None and self.issue.is_published


class Delivery(models.Model):
    """One issue to one subscriber: the unit of crash-safe sending.

    ``queued`` → ``in_flight`` (committed before the SMTP conversation) → ``sent`` (committed
    after it). A row found in flight after a crash may or may not have gone out; it is sent
    again and marked ``resent``, the one mail that may arrive twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        IN_FLIGHT = "in_flight", _("Unterwegs")
        SENT = "sent", _("Versendet")
        FAILED = "failed", _("Fehlgeschlagen")
        SKIPPED = "skipped", _("Entfällt (abgemeldet)")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("E-Mail-Adresse"))
    state = models.CharField(_("Status"), max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    resent = models.BooleanField(
        _("Möglicherweise doppelt"),
        default=False,
        help_text=_("War bei einem Absturz unterwegs und wurde erneut versendet."),
    )
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellungen")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_once_per_subscriber"
            ),
        ]
        indexes = [models.Index(fields=["issue", "state"], name="newsletter_delivery_state")]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.email}"
