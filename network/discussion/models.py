"""Comments on lead projects and their results (*Diskussion*): one level of replies, kept for
good — a moderator hides a comment with a reason, nobody deletes one."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.models import LeadProject, Result


class CommentQuerySet(models.QuerySet):
    def on_project(self, project: LeadProject) -> CommentQuerySet:
        """The discussion of the project itself (not of its results)."""
        return self.filter(project=project, result__isnull=True)

    def on_result(self, result: Result) -> CommentQuerySet:
        return self.filter(result=result)

    def threads(self) -> CommentQuerySet:
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    project = models.ForeignKey(
        LeadProject, verbose_name=_("Leitprojekt"), on_delete=models.PROTECT, related_name="+"
    )
    # Set for a comment on a result; the project is then the result's (for permissions).
    result = models.ForeignKey(
        Result,
        verbose_name=_("Ergebnis"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Antwort auf"),
        on_delete=models.PROTECT,
        related_name="replies",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Verfasst von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("Kommentar"), help_text=_("Markdown"))
    # A passage of one exact version of the result (its history row) the comment refers to.
    quoted_row = models.ForeignKey(
        "projects.HistoricalResult",
        verbose_name=_("Zitierte Version"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    quote = models.TextField(_("Zitat"), blank=True)
    created_at = models.DateTimeField(_("Geschrieben am"), default=timezone.now)
    edited_at = models.DateTimeField(_("Bearbeitet am"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("Ausgeblendet am"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Ausgeblendet von"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    hidden_reason = models.TextField(_("Grund des Ausblendens"), blank=True)

    history = HistoricalRecords(
        excluded_fields=["created_at"],
        verbose_name=_("Fassung eines Kommentars"),
        verbose_name_plural=_("Fassungen von Kommentaren"),
    )
    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        indexes = [
            models.Index(fields=["project", "result", "created_at"], name="discussion_thread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quoted_row__isnull=True, quote="")
                | (Q(quoted_row__isnull=False, result__isnull=False) & ~Q(quote="")),
                name="discussion_comment_quote_from_a_result_version",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True)
                | (Q(hidden_by__isnull=False) & ~Q(hidden_reason="")),
                name="discussion_comment_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:60]}"

    @property
    def target(self) -> LeadProject | Result:
        return self.result if self.result_id else self.project

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def anchor(self) -> str:
        return f"beitrag-{self.pk}"

    def editable_until(self):
        return self.created_at + datetime.timedelta(minutes=settings.DISCUSSION_EDIT_MINUTES)
