"""The core every app uses: people, municipalities, cohorts, topics and memberships."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using Klassenraum: municipal staff, the network office, committee delegates."""

    display_name = models.CharField(_("Anzeigename"), max_length=150, blank=True)

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


class MunicipalityQuerySet(models.QuerySet):
    def members(self) -> MunicipalityQuerySet:
        return self.filter(is_member=True)

    def pioneers(self) -> MunicipalityQuerySet:
        return self.filter(is_pioneer=True)


class Municipality(models.Model):
    """A town or municipality of Südwestfalen; members belong to the network."""

    class District(models.TextChoices):
        HOCHSAUERLANDKREIS = "hsk", _("Hochsauerlandkreis")
        MAERKISCHER_KREIS = "mk", _("Märkischer Kreis")
        OLPE = "oe", _("Kreis Olpe")
        SOEST = "so", _("Kreis Soest")
        SIEGEN_WITTGENSTEIN = "si", _("Kreis Siegen-Wittgenstein")

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    district = models.CharField(_("Kreis"), max_length=3, choices=District)
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
        ordering = ["name"]
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        constraints = [
            models.CheckConstraint(
                condition=Q(official_key="") | Q(official_key__regex=r"^[0-9]{8}$"),
                name="workspace_municipality_official_key_eight_digits",
            ),
            models.CheckConstraint(
                condition=Q(is_pioneer=False) | Q(is_member=True),
                name="workspace_municipality_pioneer_is_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipality-detail", kwargs={"slug": self.slug})


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
