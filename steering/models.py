"""The steering committee (*Steuerkreis*): seats, meetings, proposals, votes and agreements.

Committee rights come from the seat a person holds *today* (``Seat.objects.active()``), never
from granted permissions: terms end by themselves. An adopted agreement is a record: the model
refuses to change or delete it, and a trigger (migration 0002) makes the database refuse, too.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import HistoricalResult, LeadProject, Result
from workspace.models import Municipality

IMMUTABLE = _("Eine beschlossene Vereinbarung wird nie geändert; ändern heißt: neu vereinbaren.")


class Committee(models.Model):
    """The rules of the one steering committee (a single row, made on first use)."""

    name = models.CharField(_("Name"), max_length=100, default="Steuerkreis")
    quorum_percent = models.PositiveSmallIntegerField(
        _("Beschlussfähig ab"),
        default=50,
        help_text=_(
            "Beschlussfähig ist der Steuerkreis, wenn mehr als dieser Anteil (in Prozent) der "
            "stimmberechtigten Kommunen anwesend ist."
        ),
    )
    chair_votes = models.BooleanField(
        _("Vorsitz der Geschäftsstelle stimmt mit"),
        default=False,
        help_text=_(
            "Die Geschäftsstelle leitet die Sitzungen; eine Stimme hat sie nur, wenn das hier gilt."
        ),
    )

    class Meta:
        verbose_name = _("Steuerkreis")
        verbose_name_plural = _("Steuerkreise")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="steering_committee_quorum_percent"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> Committee:
        """The committee's rules (one query; creates the row with the defaults if missing)."""
        return cls.objects.get_or_create(pk=1)[0]


class SeatQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> SeatQuerySet:
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Seat(models.Model):
    """A person's term in the committee on behalf of a municipality (or the network office).

    Rows are never deleted: a successor gets a new row, so the history of a seat stays.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", _("Vorsitz")
        DEPUTY = "deputy", _("Stellvertretung")
        MEMBER = "member", _("Mitglied")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        help_text=_("Leer für den Sitz der Geschäftsstelle."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    role = models.CharField(_("Rolle"), max_length=8, choices=Role, default=Role.MEMBER)
    starts_on = models.DateField(_("Beginn"))
    ends_on = models.DateField(_("Ende"), null=True, blank=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "-starts_on"]
        verbose_name = _("Sitz im Steuerkreis")
        verbose_name_plural = _("Sitze im Steuerkreis")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="steering_seat_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.municipality or _('Geschäftsstelle')}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Meeting(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("geplant")
        INVITED = "invited", _("eingeladen")
        HELD = "held", _("durchgeführt")
        APPROVED = "approved", _("Protokoll genehmigt")

    title = models.CharField(_("Titel"), max_length=200)
    starts_at = models.DateTimeField(_("Beginn"))
    place = models.CharField(_("Ort"), max_length=200, blank=True)
    video_url = models.URLField(_("Videokonferenz"), blank=True)
    state = models.CharField(_("Stand"), max_length=8, choices=State, default=State.PLANNED)
    minutes = models.TextField(_("Protokoll"), blank=True, help_text=_("Markdown"))
    invited_at = models.DateTimeField(_("Eingeladen am"), null=True, blank=True)
    minutes_approved_at = models.DateTimeField(_("Protokoll genehmigt am"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_url=""), name="steering_meeting_place_or_video"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("steering:meeting", kwargs={"meeting_id": self.pk})


class Proposal(models.Model):
    """A draft resolution (*Beschlussvorlage*); each kind has its effect when adopted."""

    class Kind(models.TextChoices):
        START = "start", _("Kooperatives Leitprojekt beginnen")
        ADMIT = "admit", _("Kommune aufnehmen")
        CHANGE_LEAD = "change_lead", _("Federführung wechseln")
        COMPLETE = "complete", _("Leitprojekt abschließen")
        APPROVE_RESULTS = "approve_results", _("Ergebnisstände vereinbaren")
        FREE = "free", _("Freier Beschluss")

    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        ON_AGENDA = "on_agenda", _("auf der Tagesordnung")
        ADOPTED = "adopted", _("beschlossen")
        REJECTED = "rejected", _("abgelehnt")

    kind = models.CharField(_("Art"), max_length=16, choices=Kind)
    state = models.CharField(_("Stand"), max_length=10, choices=State, default=State.DRAFT)
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Beschlusstext"), help_text=_("Markdown"))
    project = models.ForeignKey(
        LeadProject,
        verbose_name=_("Leitprojekt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    starts_on = models.DateField(_("Beginn"), null=True, blank=True)
    ends_on = models.DateField(_("Ende"), null=True, blank=True)
    amends = models.ForeignKey(
        "Agreement",
        verbose_name=_("Ändert die Vereinbarung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amending_proposals",
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Entworfen von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Beschlussvorlage")
        verbose_name_plural = _("Beschlussvorlagen")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="free") | Q(project__isnull=False),
                name="steering_proposal_project_unless_free",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="steering_proposal_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("steering:proposal", kwargs={"proposal_id": self.pk})


class Party(models.Model):
    """A municipality named in a proposal or agreement: lead or participant, its contact
    person, and what it contributes. The agreement keeps its own copy, as a record."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Ansprechperson"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_lead = models.BooleanField(_("Federführung"), default=False)
    contribution = models.TextField(_("Beitrag"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-is_lead", "municipality__name"]


class ProposalParty(Party):
    """A municipality the proposal names: who leads or joins, with whom and with what."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="parties")

    class Meta(Party.Meta):
        verbose_name = _("Partei einer Vorlage")
        verbose_name_plural = _("Parteien einer Vorlage")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "municipality"], name="steering_proposalparty_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.proposal}"


class ProposalVersion(models.Model):
    """A result version (one history row) a proposal asks the committee to agree."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    history_row = models.ForeignKey(HistoricalResult, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "history_row"], name="steering_proposalversion_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.history_row_id}"


class AgendaItem(models.Model):
    """A point on a meeting's agenda; with a proposal, it is voted on.

    ``outcome`` is computed from the votes and the quorum when the chair closes the vote.
    """

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("angenommen")
        REJECTED = "rejected", _("abgelehnt")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("Nummer"))
    title = models.CharField(_("Titel"), max_length=200)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    outcome = models.CharField(_("Ergebnis"), max_length=8, choices=Outcome, blank=True)
    closed_at = models.DateTimeField(_("Abstimmung geschlossen"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="steering_agendaitem_position_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "proposal"], name="steering_agendaitem_proposal_once"
            ),
        ]

    def __str__(self) -> str:
        return f"TOP {self.position}: {self.title}"


class Attendance(models.Model):
    """A seat present at a meeting (recorded by the chair)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="steering_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.seat} – {self.meeting}"


class Vote(models.Model):
    """One municipality's vote on an agenda item (the office's, only where it votes)."""

    class Choice(models.TextChoices):
        YES = "yes", _("Ja")
        NO = "no", _("Nein")
        ABSTAIN = "abstain", _("Enthaltung")

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="votes")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="votes")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    choice = models.CharField(_("Stimme"), max_length=8, choices=Choice)
    cast_at = models.DateTimeField(_("Abgegeben am"), auto_now_add=True)

    class Meta:
        ordering = ["municipality__name"]
        verbose_name = _("Stimme")
        verbose_name_plural = _("Stimmen")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "municipality"], name="steering_vote_one_per_municipality"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(municipality__isnull=True),
                name="steering_vote_one_for_the_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality or self.seat}: {self.get_choice_display()}"


class ImmutableRecord(models.Model):
    """Written once by a service; every later save or delete is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUTABLE)


class AgreementQuerySet(models.QuerySet):
    def for_register(self) -> AgreementQuerySet:
        return self.select_related("project", "lead", "meeting").prefetch_related(
            "parties__municipality"
        )


class Agreement(ImmutableRecord):
    """The record of an adopted proposal (*Vereinbarung*). Never changed, never deleted."""

    number = models.CharField(_("Nummer"), max_length=20, unique=True)
    kind = models.CharField(_("Art"), max_length=16, choices=Proposal.Kind)
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Beschlusstext"))
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="agreement")
    project = models.ForeignKey(
        LeadProject,
        verbose_name=_("Leitprojekt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    lead = models.ForeignKey(
        Municipality,
        verbose_name=_("Federführung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField(_("Beginn"), null=True, blank=True)
    ends_on = models.DateField(_("Ende"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("Sitzung"), on_delete=models.PROTECT, related_name="agreements"
    )
    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="agreement")
    votes_yes = models.PositiveSmallIntegerField(_("Ja-Stimmen"))
    votes_no = models.PositiveSmallIntegerField(_("Nein-Stimmen"))
    votes_abstain = models.PositiveSmallIntegerField(_("Enthaltungen"))
    present = models.PositiveSmallIntegerField(_("Anwesende stimmberechtigte Kommunen"))
    voting = models.PositiveSmallIntegerField(_("Stimmberechtigte Kommunen"))
    amends = models.ForeignKey(
        "self",
        verbose_name=_("Ändert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    adopted_on = models.DateField(_("Beschlossen am"))
    recorded_at = models.DateTimeField(_("Erfasst am"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-pk"]
        verbose_name = _("Vereinbarung")
        verbose_name_plural = _("Vereinbarungen")

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("steering:agreement", kwargs={"number": self.number})


class AgreementParty(ImmutableRecord, Party):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="parties")

    class Meta(Party.Meta):
        verbose_name = _("Partei einer Vereinbarung")
        verbose_name_plural = _("Parteien einer Vereinbarung")

    def __str__(self) -> str:
        return f"{self.municipality}: {self.agreement}"


class Approval(ImmutableRecord):
    """ "Agreed": the committee's approval of exactly one history row of a result."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="approvals")
    result = models.ForeignKey(
        Result, verbose_name=_("Ergebnis"), on_delete=models.PROTECT, related_name="approvals"
    )
    history_row = models.ForeignKey(
        HistoricalResult,
        verbose_name=_("Version"),
        on_delete=models.PROTECT,
        related_name="approvals",
    )

    class Meta:
        ordering = ["result__title", "history_row__revision"]
        verbose_name = _("Vereinbarter Ergebnisstand")
        verbose_name_plural = _("Vereinbarte Ergebnisstände")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "history_row"], name="steering_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.history_row_id}"


class PublishedObject(models.Model):
    """One object the committee's OParl interface publishes, or once published (steering.oparl).

    Nothing of the committee is ever deleted, but objects leave the public: a project becomes
    team-only, a person withdraws consent or is erased. OParl wants such an object kept as a stub
    with ``deleted: true`` and a fresh ``modified``, so clients that sync incrementally learn of
    it; this row is what remembers that it was published. ``payload`` is what is published now
    (empty once deleted), ``fingerprint`` its hash with embedded objects, so a change shows.
    """

    kind = models.CharField(max_length=20)  # the OParl type: "Meeting", "Person", …
    ident = models.CharField(max_length=40)  # the last part of its URL
    payload = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    created = models.DateTimeField()
    modified = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("Veröffentlichtes OParl-Objekt")
        verbose_name_plural = _("Veröffentlichte OParl-Objekte")
        constraints = [
            models.UniqueConstraint(fields=["kind", "ident"], name="steering_publishedobject_once")
        ]
        indexes = [
            models.Index(fields=["kind", "modified"], name="steering_published_modified"),
            # A list's page (steering/oparl/views.py): the kind's live objects in key order,
            # read from the index up to the page instead of sorting every object of the kind.
            models.Index(
                fields=["kind", "id"], condition=Q(deleted=False), name="steering_published_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ident}"
