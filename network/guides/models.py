"""Guides (*Leitfäden*): what the pioneers learned, kept with every version; and the
network's glossary (*Vokabelheft*)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.coedit.models import CoeditState
from projects.models import LeadProject, Result
from workspace.attachments import Attachment
from workspace.models import Municipality, Topic
from workspace.versioning.models import VersionedText, index_history, versioned_history

# Paths under /leitfaeden/ and /vokabelheft/ that are pages, not slugs.
RESERVED_SLUGS = frozenset({"neu", "themen", "dieser-monat"})


class GuideQuerySet(models.QuerySet):
    def published(self) -> GuideQuerySet:
        return self.filter(status=Guide.Status.PUBLISHED)

    def for_list(self) -> GuideQuerySet:
        """What a list row shows (topics, authors and their municipalities), no query per row."""
        return self.prefetch_related(*list_lookups()).order_by(
            models.F("published_in").desc(nulls_last=True), "title", "pk"
        )


def list_lookups() -> tuple:
    """The prefetches of a list row: for ``for_list`` or ``prefetch_related_objects`` over
    guides read some other way."""
    return (
        "topics",
        models.Prefetch(
            "authorships",
            # The authors' memberships: without consent a visitor sees their municipality.
            queryset=Authorship.objects.select_related("person", "municipality").prefetch_related(
                "person__memberships__municipality"
            ),
        ),
    )


class Guide(VersionedText):
    """A guide of the network: Markdown, every save a version, none ever lost."""

    # The fields that make a version; topics, authors and links are kept beside them.
    VERSIONED_FIELDS = ("title", "summary", "body", "status", "published_in")
    # What restoring an old version brings back: the text. Status and month stay as they are.
    RESTORED_FIELDS = ("title", "summary", "body")
    VERSION_COLUMNS = ("status",)

    class Status(models.TextChoices):
        PLANNED = "planned", _("bald verfügbar")
        PUBLISHED = "published", _("veröffentlicht")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzname"), max_length=80, unique=True)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=400)
    body = models.TextField(_("Inhalt"), blank=True, help_text=_("Markdown"))
    status = models.CharField(_("Stand"), max_length=10, choices=Status, default=Status.PLANNED)
    published_in = models.DateField(
        _("Erscheinungsmonat"),
        null=True,
        blank=True,
        help_text=_("Der Monat, in dem der Leitfaden erscheint (oder erscheinen soll)."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("Themen"), blank=True, related_name="guides"
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Autorinnen und Autoren"),
        through="Authorship",
        related_name="guides",
        blank=True,
    )
    lead_projects = models.ManyToManyField(
        LeadProject, verbose_name=_("Leitprojekte"), blank=True, related_name="guides"
    )
    results = models.ManyToManyField(
        Result, verbose_name=_("Ergebnisse"), blank=True, related_name="guides"
    )
    history = versioned_history(_("Version eines Leitfadens"), _("Versionen von Leitfäden"))
    objects = GuideQuerySet.as_manager()

    class Meta(VersionedText.Meta):
        ordering = ["title"]
        verbose_name = _("Leitfaden")
        verbose_name_plural = _("Leitfäden")
        # The list's two pages (network/guides/views.py): published ones newest first,
        # planned ones by title (permissions.only_planned); each walks its index instead of
        # sorting every guide.
        indexes = [
            models.Index(
                fields=["-published_in", "title", "id"],
                condition=Q(status="published"),
                name="guides_guide_published_list",
            ),
            models.Index(fields=["status", "title", "id"], name="guides_guide_status_list"),
        ]
        constraints = [
            *VersionedText.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status="planned") | Q(published_in__isnull=False),
                name="guides_guide_published_has_month",
                violation_error_message=_(
                    "Ein veröffentlichter Leitfaden braucht seinen Erscheinungsmonat."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def url(self, action: str = "") -> str:
        base = reverse("guides:detail", kwargs={"slug": self.slug})
        return f"{base}{action}/" if action else base

    @classmethod
    def without_hidden(cls, rows):
        """A reader outside the guide's editors reads no version written while it was
        planned; the rule is stated once, with who reads planned guides (asked late: it
        imports this module)."""
        from network.guides.permissions import without_planned

        return without_planned(rows)

    @property
    def is_planned(self) -> bool:
        # The planned rule is stated once, with who reads planned guides; asked late (it
        # imports this module).
        from network.guides.permissions import is_planned

        return is_planned(self)


# simple-history names the app ("network.guides") as the history model's module when label and
# name differ; the model lives here, where the shell's imports and pickle look for it.
Guide.history.model.__module__ = __name__

HistoricalGuide = index_history(Guide, "guides_hguide")


def first_of_month(day: datetime.date | None) -> datetime.date | None:
    return day.replace(day=1) if day else None


class Authorship(models.Model):
    """A named author of a guide, with the municipality they wrote it for (kept as it was)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="authorships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        related_name="authorships",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("Autorschaft")
        verbose_name_plural = _("Autorschaften")
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "person"], name="guides_authorship_once_per_guide"
            ),
        ]

    def __str__(self) -> str:
        if self.municipality_id:
            return f"{self.person.get_display_name()} ({self.municipality.name})"
        return self.person.get_display_name()


class Term(models.Model):
    """A word of the network, explained: linked wherever it first appears in a text."""

    name = models.CharField(_("Begriff"), max_length=100)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    definition = models.TextField(_("Erklärung"), help_text=_("Markdown, wenige Sätze."))
    synonyms = models.TextField(
        _("Synonyme"),
        blank=True,
        help_text=_("Andere Schreibweisen oder Wörter für denselben Begriff, eines je Zeile."),
    )
    related = models.ManyToManyField(
        "self", verbose_name=_("Verwandte Begriffe"), blank=True, symmetrical=True
    )
    updated_at = models.DateTimeField(_("Zuletzt geändert"), auto_now=True)

    class Meta:
        ordering = [Lower("name")]
        verbose_name = _("Begriff")
        verbose_name_plural = _("Begriffe")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="guides_term_name_unique",
                violation_error_message=_("Diesen Begriff gibt es im Vokabelheft schon."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("guides:term", kwargs={"slug": self.slug})

    @property
    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]

    @property
    def letter(self) -> str:
        return index_letter(self.name)


_LETTER_OF = str.maketrans({"Ä": "A", "Ö": "O", "Ü": "U", "ß": "S"})


def index_letter(name: str) -> str:
    """The A–Z letter a term stands under: umlauts under their vowel, digits under "#"."""
    first = (name.strip()[:1] or "#").upper().translate(_LETTER_OF)
    return first if "A" <= first <= "Z" else "#"


class GuideCoeditState(CoeditState):
    """The shared Yjs document of a guide being edited together (see :mod:`projects.coedit`)."""

    guide = models.OneToOneField(
        Guide, on_delete=models.CASCADE, primary_key=True, related_name="coedit_state"
    )

    class Meta(CoeditState.Meta):
        verbose_name = _("Gemeinsamer Bearbeitungsstand eines Leitfadens")
        verbose_name_plural = _("Gemeinsame Bearbeitungsstände von Leitfäden")


def _attachment_path(instance: GuideAttachment, filename: str) -> str:
    return f"leitfaeden/{instance.guide_id}/{filename}"


class GuideAttachment(Attachment):
    """A file of a guide (an image its text shows, a form, a checklist); kept, never deleted,
    served only to who reads the guide's body. Type, scan, removal: ``workspace.attachments``."""

    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("Datei"), upload_to=_attachment_path, max_length=300)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("ersetzt"),
    )

    class Meta(Attachment.Meta):
        verbose_name = _("Anhang eines Leitfadens")
        verbose_name_plural = _("Anhänge von Leitfäden")

    @property
    def owner(self) -> Guide:
        return self.guide
