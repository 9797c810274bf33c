"""Lead projects (*Leitprojekte*), their teams and what happened to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from workspace.models import Municipality, Topic


class Visibility(models.TextChoices):
    PUBLIC = "public", _("öffentlich")
    NETWORK = "network", _("im Netzwerk")
    TEAM = "team", _("nur das Team")


class LeadProjectQuerySet(models.QuerySet):
    def not_archived(self) -> LeadProjectQuerySet:
        return self.exclude(status=LeadProject.Status.ARCHIVED)

    def for_list(self) -> LeadProjectQuerySet:
        """What a list row shows: lead, participants and topics, without a query per row."""
        return self.select_related("lead_municipality").prefetch_related("participants", "topics")


class LeadProject(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idee")
        PROPOSED = "proposed", _("vorgeschlagen")
        AGREED = "agreed", _("vereinbart")
        RUNNING = "running", _("läuft")
        COMPLETED = "completed", _("abgeschlossen")
        ESTABLISHED = "established", _("in der Region etabliert")
        ARCHIVED = "archived", _("archiviert")

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("kooperativ")
        SINGLE = "single", _("einzeln")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzname"), max_length=80, unique=True)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=400)
    description = models.TextField(_("Beschreibung"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True)
    criterion_concerns_all = models.TextField(
        _("Betrifft alle"),
        blank=True,
        help_text=_("Warum betrifft das Thema alle Kommunen und folgt direkt aus der Vision?"),
    )
    criterion_saves_resources = models.TextField(
        _("Spart Ressourcen"),
        blank=True,
        help_text=_("Welche Ressourcen spart die gemeinsame Arbeit?"),
    )
    criterion_joint_impact = models.TextField(
        _("Gemeinsame Durchschlagskraft"),
        blank=True,
        help_text=_("Was gewinnt das Vorhaben dadurch, dass es gemeinsam erarbeitet wird?"),
    )
    lead_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Federführung"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    lead_exception_reason = models.TextField(
        _("Ausnahme bei der Federführung"),
        blank=True,
        help_text=_("Beschluss des Steuerkreises, wenn keine Pionierkommune die Federführung hat."),
    )
    lead_exception_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Ausnahme erfasst von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    participants = models.ManyToManyField(
        Municipality,
        verbose_name=_("Beteiligte Kommunen"),
        blank=True,
        related_name="joined_projects",
    )
    kind = models.CharField(_("Art"), max_length=12, choices=Kind, default=Kind.COOPERATIVE)
    visibility = models.CharField(
        _("Sichtbarkeit"), max_length=8, choices=Visibility, default=Visibility.PUBLIC
    )
    status = models.CharField(_("Stand"), max_length=12, choices=Status, default=Status.IDEA)
    starts_on = models.DateField(_("Beginn"), null=True, blank=True)
    ends_on = models.DateField(_("Ende"), null=True, blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Angelegt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = LeadProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("Leitprojekt")
        verbose_name_plural = _("Leitprojekte")
        permissions = [
            ("edit_results", _("Ergebnisse bearbeiten")),
            ("manage_team", _("Team verwalten")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="projects_leadproject_ends_after_start",
                violation_error_message=_("Das Ende darf nicht vor dem Beginn liegen."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"slug": self.slug})

    @property
    def lead_is_exception(self) -> bool:
        return not self.lead_municipality.is_pioneer


class LeadProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(LeadProject, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("Projektrecht einer Person")
        verbose_name_plural = _("Projektrechte von Personen")


class LeadProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(LeadProject, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("Projektrecht einer Gruppe")
        verbose_name_plural = _("Projektrechte von Gruppen")


class TeamMembership(models.Model):
    """A person's role in a lead project. Permissions derive from it (projects.permissions)."""

    class Role(models.TextChoices):
        OBSERVER = "observer", _("Beobachtung")
        EDITOR = "editor", _("Bearbeitung")
        COORDINATOR = "coordinator", _("Koordination")

    project = models.ForeignKey(
        LeadProject, on_delete=models.PROTECT, related_name="team", verbose_name=_("Leitprojekt")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        verbose_name=_("Person"),
    )
    role = models.CharField(_("Rolle"), max_length=12, choices=Role)
    added_at = models.DateTimeField(_("Seit"), auto_now_add=True)

    class Meta:
        ordering = ["project", "user__display_name", "user__username"]
        verbose_name = _("Teammitglied")
        verbose_name_plural = _("Teammitglieder")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="projects_teammembership_one_role_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.project}"


class ProjectActivity(models.Model):
    """One line of a project's activity: who changed what, when and why.

    Stored as facts, not as a sentence, so the page can say it in the reader's language.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("angelegt")
        EDITED = "edited", _("bearbeitet")
        STATUS = "status", _("Stand geändert")
        MEMBER_ADDED = "member_added", _("ins Team aufgenommen")
        ROLE_CHANGED = "role_changed", _("Rolle geändert")
        MEMBER_REMOVED = "member_removed", _("aus dem Team entfernt")

    project = models.ForeignKey(LeadProject, on_delete=models.PROTECT, related_name="activities")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind)
    reason = models.TextField(blank=True)
    old_status = models.CharField(max_length=12, choices=LeadProject.Status, blank=True)
    new_status = models.CharField(max_length=12, choices=LeadProject.Status, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(max_length=12, choices=TeamMembership.Role, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Aktivität")
        verbose_name_plural = _("Aktivitäten")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()}"
