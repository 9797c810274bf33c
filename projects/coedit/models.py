"""The Yjs state row of a co-edited text, abstract: each kind's app has its own table
(``projects.ResultCoeditState``, ``guides.GuideCoeditState``) with the text as primary key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoeditState(models.Model):
    """The shared Yjs document of a text being edited together, as bytes (co-editing).

    Written by the open rooms (2 s after the last edit, at least every 10 s, when the last
    editor leaves and on shutdown), always merged under a row lock with what another server
    process wrote in between. ``authors`` collects who changed the text since the last
    version, across processes, so the next version names every co-author.
    """

    state = models.BinaryField(_("Yjs-Zustand"))
    revision = models.PositiveIntegerField(_("Stand"), default=1)
    authors = models.JSONField(_("Mitwirkende seit der letzten Version"), default=list)
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("Zuletzt geschrieben"), auto_now=True)

    class Meta:
        abstract = True
        verbose_name = _("Gemeinsamer Bearbeitungsstand")
        verbose_name_plural = _("Gemeinsame Bearbeitungsstände")

    def __str__(self) -> str:
        return f"{self.pk}@{self.revision}"
