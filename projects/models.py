"""Lead projects (*Leitprojekte*), their teams and what happened to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from projects.coedit.models import CoeditState
from workspace.attachments import Attachment
from workspace.models import Municipality, Topic
from workspace.versioning.models import (  # noqa: F401 – StaleRevision re-exported
    StaleRevision,
    VersionedText,
    index_history,
    versioned_history,
)


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


def _attachment_path(instance: ResultAttachment, filename: str) -> str:
    return f"ergebnisse/{instance.result_id}/{filename}"


class ResultQuerySet(models.QuerySet):
    def active(self) -> ResultQuerySet:
        return self.filter(is_archived=False)

    def published(self) -> ResultQuerySet:
        """Results beyond the draft stage, which everyone who sees the project may read."""
        # The draft rule is stated once, with who reads drafts; asked late (it imports this).
        from projects.permissions import without_drafts

        return without_drafts(self)


class Result(VersionedText):
    """A living result of a lead project: every save is a version, none is ever lost."""

    VERSIONED_FIELDS = ("title", "summary", "body", "kind", "maturity")
    RESTORED_FIELDS = VERSIONED_FIELDS
    VERSION_COLUMNS = ("maturity",)

    class Kind(models.TextChoices):
        CONCEPT = "concept", _("Konzept")
        PROCESS = "process", _("Prozessbeschreibung")
        TENDER = "tender", _("Ausschreibungsvorlage")
        DATA_MODEL = "data_model", _("Datenmodell")
        CHECKLIST = "checklist", _("Checkliste")
        OTHER = "other", _("Sonstiges")

    class Maturity(models.TextChoices):
        # "Agreed" is never a field: it is an approval record of the steering committee
        # pointing at one history row of the result.
        DRAFT = "draft", _("Entwurf")
        TESTED = "tested", _("in der Praxis erprobt")

    project = models.ForeignKey(
        LeadProject,
        verbose_name=_("Leitprojekt"),
        on_delete=models.PROTECT,
        related_name="results",
        null=True,
        blank=True,
    )
    # An adopted copy belongs to a municipality instead of a project (exactly one of the two).
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        related_name="adopted_results",
        null=True,
        blank=True,
    )
    # For a copy: the source version this version of the copy is based on (kept in history).
    upstream = models.ForeignKey(
        "projects.HistoricalResult",
        verbose_name=_("Stand der Vorlage"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=400, blank=True)
    body = models.TextField(_("Inhalt"), blank=True, help_text=_("Markdown"))
    kind = models.CharField(_("Art"), max_length=12, choices=Kind, default=Kind.CONCEPT)
    maturity = models.CharField(_("Reife"), max_length=8, choices=Maturity, default=Maturity.DRAFT)
    is_archived = models.BooleanField(_("archiviert"), default=False)
    history = versioned_history(_("Version eines Ergebnisses"), _("Versionen von Ergebnissen"))
    objects = ResultQuerySet.as_manager()

    class Meta(VersionedText.Meta):
        ordering = ["title"]
        verbose_name = _("Ergebnis")
        verbose_name_plural = _("Ergebnisse")
        constraints = [
            *VersionedText.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(municipality__isnull=True))
                | (Q(project__isnull=True) & Q(municipality__isnull=False)),
                name="projects_result_owned_by_project_or_municipality",
                violation_error_message=_(
                    "Ein Ergebnis gehört entweder zu einem Leitprojekt oder zu einer Kommune."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def url(self, action: str = "") -> str:
        """The path of this result's page ``action`` ("bearbeiten", "versionen", …), under its
        project or, for an adopted copy, under its municipality."""
        if self.project_id:
            base = reverse(
                "projects:result", kwargs={"slug": self.project.slug, "result_id": self.pk}
            )
        else:
            base = reverse(
                "copies:result",
                kwargs={"municipality": self.municipality.slug, "result_id": self.pk},
            )
        return f"{base}{action}/" if action else base

    @property
    def attachments_url(self) -> str:
        return self.url("anhaenge")

    @property
    def owner(self):
        """The project or, for a copy, the municipality the result belongs to."""
        return self.project if self.project_id else self.municipality

    @property
    def is_copy(self) -> bool:
        return self.municipality_id is not None

    @property
    def is_draft(self) -> bool:
        from projects.permissions import is_draft

        return is_draft(self)

    @classmethod
    def without_hidden(cls, rows):
        """Outside who reads drafts, no version written while the result was a draft; the
        rule is stated once, with who reads drafts (asked late: it imports this module)."""
        from projects.permissions import without_drafts

        return without_drafts(rows)


HistoricalResult = index_history(Result, "projects_hresult")


class ResultAttachment(Attachment):
    """A file that belongs to a result; kept, never deleted, served only to who may see it.

    Type, scan, removal and history: ``workspace.attachments``."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("Datei"), upload_to=_attachment_path, max_length=300)
    # The attachment this one replaced (removed from the current version, kept in history).
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("ersetzt"),
    )

    class Meta(Attachment.Meta):
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")

    @property
    def owner(self) -> Result:
        return self.result


class Template(models.Model):
    """A result published for reuse (*Vorlage*), with what another municipality needs to know."""

    class Licence(models.TextChoices):
        CC_BY = "cc-by-4.0", _("CC BY 4.0")
        CC0 = "cc0", _("CC0 (gemeinfrei)")
        DL_BY = "dl-de-by-2.0", _("Datenlizenz Deutschland – Namensnennung 2.0")
        INTERNAL = "internal", _("nur innerhalb des Netzwerks")

    result = models.OneToOneField(
        Result, on_delete=models.PROTECT, related_name="template", verbose_name=_("Ergebnis")
    )
    licence = models.CharField(_("Lizenz"), max_length=16, choices=Licence)
    prerequisites = models.TextField(_("Voraussetzungen"), blank=True)
    effort = models.CharField(_("Aufwand"), max_length=200, blank=True)
    contact = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    recommended = models.ForeignKey(
        "projects.HistoricalResult",
        verbose_name=_("Empfohlene Version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("Veröffentlicht am"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("Vorlage")
        verbose_name_plural = _("Vorlagen")

    def __str__(self) -> str:
        return str(self.result)

    def get_absolute_url(self) -> str:
        return reverse("templates:detail", kwargs={"template_id": self.pk})

    @property
    def is_internal(self) -> bool:
        return self.licence == self.Licence.INTERNAL


class Adoption(models.Model):
    """A municipality reusing a template (*Nachnutzung*): its own copy, and the thread back."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("geplant")
        PILOT = "pilot", _("im Pilotbetrieb")
        IN_USE = "in_use", _("im Einsatz")
        DROPPED = "dropped", _("aufgegeben")

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="adoptions")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("Kommune")
    )
    copy = models.OneToOneField(Result, on_delete=models.PROTECT, related_name="adoption")
    adopted_row = models.ForeignKey(
        "projects.HistoricalResult",
        verbose_name=_("Übernommene Version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismissed_row = models.ForeignKey(
        "projects.HistoricalResult",
        verbose_name=_("Zuletzt verworfene Änderung der Vorlage"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(_("Stand"), max_length=8, choices=Status, default=Status.PLANNED)
    experience = models.TextField(_("Erfahrungsbericht"), blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(_("Nachgenutzt seit"), auto_now_add=True)

    class Meta:
        ordering = ["-adopted_at"]
        verbose_name = _("Nachnutzung")
        verbose_name_plural = _("Nachnutzungen")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "municipality"],
                name="projects_adoption_once_per_municipality",
                violation_error_message=_("Diese Kommune nutzt die Vorlage schon nach."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.template}"


class Offer(models.Model):
    """An improvement a municipality offers back to the source team of its template."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        ACCEPTED = "accepted", _("angenommen")
        DECLINED = "declined", _("abgelehnt")

    adoption = models.ForeignKey(Adoption, on_delete=models.PROTECT, related_name="offers")
    base_row = models.ForeignKey(
        "projects.HistoricalResult", on_delete=models.PROTECT, related_name="+"
    )
    copy_row = models.ForeignKey(
        "projects.HistoricalResult", on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("Nachricht an das Team"), blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("Notiz zur Entscheidung"), blank=True)
    source_row = models.ForeignKey(
        "projects.HistoricalResult",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Die Version der Vorlage, die aus dem angenommenen Angebot entstand."),
    )

    class Meta:
        ordering = ["-offered_at"]
        verbose_name = _("Verbesserungsangebot")
        verbose_name_plural = _("Verbesserungsangebote")

    def __str__(self) -> str:
        return f"{self.adoption}: {self.get_status_display()}"


class ResultCoeditState(CoeditState):
    """The shared Yjs document of a result being edited together (see :mod:`projects.coedit`)."""

    result = models.OneToOneField(
        Result, on_delete=models.PROTECT, primary_key=True, related_name="coedit_state"
    )

    class Meta(CoeditState.Meta):
        pass
