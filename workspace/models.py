"""The core every app uses: people, municipalities, cohorts, topics and memberships."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person using Klassenraum: municipal staff, the network office, committee delegates."""

    class Language(models.TextChoices):
        BROWSER = "", _("wie im Browser eingestellt")
        GERMAN = "de", _("Deutsch")
        ENGLISH = "en", _("Englisch")

    class MailFrequency(models.TextChoices):
        IMMEDIATELY = "immediately", _("sofort")
        DAILY = "daily", _("täglich gesammelt")
        WEEKLY = "weekly", _("wöchentlich gesammelt")
        NEVER = "never", _("keine E-Mails")

    display_name = models.CharField(_("Anzeigename"), max_length=150, blank=True)
    public_name = models.BooleanField(
        _("Mein Name darf öffentlich erscheinen"),
        default=False,
        help_text=_(
            "Ohne Ihr Einverständnis sehen Besucher*innen ohne Anmeldung statt Ihres Namens "
            "„Mitarbeiter*in der Stadt …“. Angemeldete Mitglieder des Netzwerks sehen Ihren Namen."
        ),
    )
    language = models.CharField(
        _("Sprache der Oberfläche"),
        max_length=2,
        choices=Language,
        default=Language.BROWSER,
        blank=True,
    )
    mail_frequency = models.CharField(
        _("Benachrichtigungen per E-Mail"),
        max_length=12,
        choices=MailFrequency,
        default=MailFrequency.DAILY,
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")

    def __str__(self) -> str:
        return self.get_display_name()

    def get_display_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Cohort(models.Model):
    """A yearly class (*Klasse*) of municipalities that joined the network."""

    year = models.PositiveSmallIntegerField(_("Jahr"), unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("Klasse")
        verbose_name_plural = _("Klassen")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="workspace_cohort_year_plausible",
            )
        ]

    def __str__(self) -> str:
        return _("Klasse %(year)s") % {"year": self.year}


class Topic(models.Model):
    """A theme of the shared list that lead projects, guides and templates refer to."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")

    def __str__(self) -> str:
        return self.name


class State(models.Model):
    """A German state (*Land*); its official key is the first two digits of every AGS in it."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    official_key = models.CharField(
        _("Amtlicher Schlüssel"),
        max_length=2,
        unique=True,
        help_text=_("Die ersten zwei Ziffern des Gemeindeschlüssels, zum Beispiel 05."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Land")
        verbose_name_plural = _("Länder")
        constraints = [
            models.CheckConstraint(
                condition=Q(official_key__regex=r"^[0-9]{2}$"),
                name="workspace_state_official_key_two_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district (*Kreis*) or a town that is a district of its own (*kreisfreie Stadt*)."""

    class Kind(models.TextChoices):
        DISTRICT = "kreis", _("Kreis")
        INDEPENDENT_CITY = "kreisfreie-stadt", _("Kreisfreie Stadt")

    name = models.CharField(_("Name"), max_length=100)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    kind = models.CharField(_("Art"), max_length=16, choices=Kind, default=Kind.DISTRICT)
    state = models.ForeignKey(
        State, verbose_name=_("Land"), on_delete=models.PROTECT, related_name="districts"
    )
    official_key = models.CharField(
        _("Amtlicher Kreisschlüssel"),
        max_length=5,
        blank=True,
        help_text=_("Die ersten fünf Ziffern des Gemeindeschlüssels, zum Beispiel 05958."),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name"], name="workspace_district_name_unique_in_state"
            ),
            models.CheckConstraint(
                condition=Q(official_key="") | Q(official_key__regex=r"^[0-9]{5}$"),
                name="workspace_district_official_key_five_digits",
            ),
            models.UniqueConstraint(
                fields=["official_key"],
                condition=~Q(official_key=""),
                name="workspace_district_official_key_unique",
                violation_error_message=_("Einen Kreis mit diesem Schlüssel gibt es schon."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MunicipalityQuerySet(models.QuerySet):
    def members(self) -> MunicipalityQuerySet:
        return self.filter(is_member=True)

    def pioneers(self) -> MunicipalityQuerySet:
        return self.filter(is_pioneer=True)


class Municipality(models.Model):
    """A town or municipality (*Gemeinde*); members belong to the network.

    Names repeat across Germany (there are several Neustadts); the slug and the official key
    (AGS) tell them apart."""

    class Kind(models.TextChoices):
        CITY = "stadt", _("Stadt")
        MUNICIPALITY = "gemeinde", _("Gemeinde")

    name = models.CharField(_("Name"), max_length=100)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    kind = models.CharField(_("Art"), max_length=8, choices=Kind, default=Kind.CITY)
    district = models.ForeignKey(
        District,
        verbose_name=_("Kreis"),
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    is_pioneer = models.BooleanField(
        _("Pionierkommune"),
        default=False,
        help_text=_("Eine der fünf Pionierkommunen, die Leitprojekte federführend leiten."),
    )
    is_member = models.BooleanField(
        _("Mitglied im Netzwerk"),
        default=False,
        help_text=_("Wer Kontakt aufgenommen hat, gehört zum Netzwerk."),
    )
    website = models.URLField(_("Website"), blank=True)
    official_key = models.CharField(
        _("Amtlicher Gemeindeschlüssel (AGS)"),
        max_length=8,
        blank=True,
        help_text=_("Acht Ziffern, zum Beispiel 05958004."),
    )
    joined_on = models.DateField(_("Beigetreten am"), null=True, blank=True)
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("Klasse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        constraints = [
            models.CheckConstraint(
                condition=Q(official_key="") | Q(official_key__regex=r"^[0-9]{8}$"),
                name="workspace_municipality_official_key_eight_digits",
            ),
            models.UniqueConstraint(
                fields=["official_key"],
                condition=~Q(official_key=""),
                name="workspace_municipality_official_key_unique",
                violation_error_message=_("Eine Kommune mit diesem Schlüssel gibt es schon."),
            ),
            models.CheckConstraint(
                condition=Q(is_pioneer=False) | Q(is_member=True),
                name="workspace_municipality_pioneer_is_member",
            ),
        ]
        indexes = [
            # The member list (/kommunen/): pioneers first, then by name; pk keeps pages stable.
            models.Index(
                fields=["-is_pioneer", "name", "id"],
                condition=Q(is_member=True),
                name="workspace_member_list_order",
            ),
            models.Index(fields=["name", "id"], name="workspace_municipality_by_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipality-detail", kwargs={"slug": self.slug})

    @property
    def staff_label(self) -> str:
        """How a colleague who has not agreed to show their name appears in public."""
        if self.kind == self.Kind.MUNICIPALITY:
            return _("Mitarbeiter*in der Gemeinde %(name)s") % {"name": self.name}
        return _("Mitarbeiter*in der Stadt %(name)s") % {"name": self.name}


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(ended_on__isnull=True)


class Membership(models.Model):
    """A person working for a municipality: its contact person or further staff."""

    class Role(models.TextChoices):
        CONTACT = "contact", _("Ansprechperson")
        STAFF = "staff", _("Mitarbeiter*in")

    user = models.ForeignKey(
        User, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=Role, default=Role.STAFF)
    function = models.CharField(_("Funktion"), max_length=150, blank=True)
    started_on = models.DateField(_("Beginn"), default=timezone.localdate)
    ended_on = models.DateField(_("Ende"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "user__username"]
        verbose_name = _("Zugehörigkeit")
        verbose_name_plural = _("Zugehörigkeiten")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"],
                condition=Q(ended_on__isnull=True),
                name="workspace_membership_one_active_per_user_and_municipality",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="workspace_membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class LegalPage(models.Model):
    """One of the pages every public body's website must carry, edited by the network office.

    Until the office saves its own text, the page shows the default of ``workspace.legal``.
    Every saved text is kept (history), so what stood there on a given day can be shown.
    """

    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")
        EASY_LANGUAGE = "leichte-sprache", _("Leichte Sprache")

    kind = models.CharField(_("Seite"), max_length=20, choices=Kind, unique=True)
    title = models.CharField(_("Überschrift"), max_length=200)
    body = models.TextField(
        _("Text"), help_text=_("Markdown: # Zwischenüberschrift, **fett**, - Liste")
    )
    updated_at = models.DateTimeField(_("Zuletzt geändert"), auto_now=True)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("Geändert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(verbose_name=_("Fassung"), verbose_name_plural=_("Fassungen"))

    class Meta:
        verbose_name = _("Pflichtseite")
        verbose_name_plural = _("Pflichtseiten")

    def __str__(self) -> str:
        return self.title


class BarrierReport(models.Model):
    """A barrier someone reported through the accessibility statement's feedback form."""

    created_at = models.DateTimeField(_("Eingegangen am"), default=timezone.now)
    name = models.CharField(_("Name"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    page = models.CharField(_("Betroffene Seite"), max_length=500, blank=True)
    message = models.TextField(_("Beschreibung der Barriere"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Gemeldete Barriere")
        verbose_name_plural = _("Gemeldete Barrieren")

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y} – {self.message[:60]}"


# --- notifications (workspace/notifications.py) ------------------------------------------
# Generic on purpose: the core knows no app, so what is followed or notified about is a
# (content type, id) pair, and whether a person may still see it is asked through
# ``workspace.hooks.register_visibility``.


class NotificationKind(models.TextChoices):
    NEW_VERSION = "version", _("Neue Version")
    COMMENT = "comment", _("Kommentar")
    REPLY = "reply", _("Antwort")
    MENTION = "mention", _("Erwähnung")
    STATUS = "status", _("Neuer Stand")
    DECISION = "decision", _("Beschluss des Steuerkreises")
    ADOPTION = "adoption", _("Nachnutzung")
    UPSTREAM = "upstream", _("Änderung einer Vorlage")
    OFFER = "offer", _("Verbesserungsangebot")


class Follow(models.Model):
    """A person following a lead project, a result or a template (anything registered)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follows")
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(_("Seit"), default=timezone.now)

    class Meta:
        verbose_name = _("Abonnement")
        verbose_name_plural = _("Abonnements")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"], name="workspace_follow_once"
            ),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="workspace_follow_target")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.target_type_id}:{self.target_id}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told about. Title and address are kept as they were, so a
    list of them needs no query per row; whether the person may still see the thing is
    checked when the list is read (``workspace.notifications.visible``)."""

    Kind = NotificationKind

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("Art"), max_length=16, choices=NotificationKind)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    title = models.CharField(_("Betrifft"), max_length=300)
    detail = models.TextField(_("Einzelheiten"), blank=True)
    url = models.CharField(_("Adresse"), max_length=500)
    created_at = models.DateTimeField(_("Am"), default=timezone.now)
    read_at = models.DateTimeField(_("Gelesen am"), null=True, blank=True)
    # Mailed (immediately or in a digest), or passed over by the mail for good.
    mailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "workspace.NotificationDigest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="workspace_notif_unread"),
            models.Index(fields=["recipient", "-created_at"], name="workspace_notif_recent"),
            models.Index(fields=["mailed_at", "created_at"], name="workspace_notif_unmailed"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.get_kind_display()} – {self.title}"

    @property
    def message(self) -> str:
        """The sentence the bell, the page and the mail say, in the reader's language."""
        actor = self.actor.get_display_name() if self.actor_id else _("Jemand")
        values = {"actor": actor, "title": self.title, "detail": self.detail}
        texts = {
            NotificationKind.NEW_VERSION: _("%(actor)s hat „%(title)s“ geändert: %(detail)s."),
            NotificationKind.COMMENT: _("%(actor)s hat „%(title)s“ kommentiert."),
            NotificationKind.REPLY: _(
                "%(actor)s hat auf Ihren Kommentar zu „%(title)s“ geantwortet."
            ),
            NotificationKind.MENTION: _("%(actor)s hat Sie bei „%(title)s“ erwähnt."),
            NotificationKind.STATUS: _("„%(title)s“ hat einen neuen Stand: %(detail)s."),
            NotificationKind.DECISION: _(
                "Der Steuerkreis hat zu „%(title)s“ beschlossen: %(detail)s."
            ),
            NotificationKind.ADOPTION: _("%(detail)s nutzt „%(title)s“ jetzt nach."),
            NotificationKind.UPSTREAM: _(
                "Die Vorlage von „%(title)s“ hat sich geändert: %(detail)s."
            ),
            NotificationKind.OFFER: _("%(detail)s bietet eine Verbesserung für „%(title)s“ an."),
        }
        return texts[self.kind] % values


class MailOptOut(models.Model):
    """A person who wants no more mails of one kind (the bell still shows them)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mail_opt_outs")
    kind = models.CharField(_("Art"), max_length=16, choices=NotificationKind)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Abbestellte E-Mail-Art")
        verbose_name_plural = _("Abbestellte E-Mail-Arten")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="workspace_mailoptout_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class NotificationDigest(models.Model):
    """The record that one person's digest of one period went out (so it goes out once)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("täglich")
        WEEKLY = "weekly", _("wöchentlich")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_digests")
    frequency = models.CharField(max_length=8, choices=Frequency)
    period_start = models.DateField(_("Zeitraum ab"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("Sammel-E-Mail")
        verbose_name_plural = _("Sammel-E-Mails")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period_start"], name="workspace_digest_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency} {self.period_start}"


# --- mails that could not go out at once (workspace/mail.py) ------------------------------


class OutgoingMailQuerySet(models.QuerySet):
    def for_office(self) -> OutgoingMailQuerySet:
        """What the office should know about: mails still waiting and those given up."""
        return self.exclude(state=OutgoingMail.State.SENT)


class OutgoingMail(models.Model):
    """A mail whose first attempt failed: the background worker tries it again with growing
    waits (``MAIL_RETRY_DELAYS``); one that never goes out stays listed for the office."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Wartet auf einen neuen Versuch")
        SENT = "sent", _("Verschickt")
        FAILED = "failed", _("Nicht zustellbar")

    created_at = models.DateTimeField(_("Erstellt am"), default=timezone.now)
    subject = models.TextField(_("Betreff"))
    recipients = models.TextField(_("Empfänger"))
    # Everything needed to build the same mail again (workspace.mail.record / rebuild).
    message = models.JSONField(_("Nachricht"))
    state = models.CharField(_("Stand"), max_length=10, choices=State, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    next_attempt_at = models.DateTimeField(_("Nächster Versuch"), null=True, blank=True)
    last_error = models.TextField(_("Letzter Fehler"), blank=True)
    sent_at = models.DateTimeField(_("Verschickt am"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Mail im Postausgang")
        verbose_name_plural = _("Postausgang")

    def __str__(self) -> str:
        return self.subject


# --- erasures that a restored backup must not undo (workspace/erasures.py) ----------------


class ErasureRecord(models.Model):
    """That an account was erased (Art. 17 GDPR) and when; never a name.

    The same entry goes to a ledger file outside the database, which ``manage.py restore``
    applies again to a restored backup: a backup older than the erasure still holds the person.
    """

    # An integer, not a foreign key: the entry means the same in the file as here, and the id
    # together with the moment the account was created tells it from a later account that a
    # restored, older sequence may give the same id.
    account_id = models.BigIntegerField(_("Konto"))
    account_joined = models.DateTimeField(_("Konto angelegt am"))
    erased_at = models.DateTimeField(_("Gelöscht am"), default=timezone.now)

    class Meta:
        ordering = ["erased_at", "pk"]
        verbose_name = _("Löschung")
        verbose_name_plural = _("Löschungen")
        indexes = [models.Index(fields=["account_id"], name="workspace_erasure_account")]

    def __str__(self) -> str:
        return f"{self.account_id} ({self.erased_at:%Y-%m-%d})"


# The API's personal access tokens live beside the API machinery (workspace/api/).
from workspace.api.models import AccessToken  # noqa: E402, F401
