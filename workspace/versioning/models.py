"""The abstract versioned text and the one rule against lost updates."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StaleRevision(Exception):  # noqa: N818 – the name says what happened
    """A save based on a revision that is no longer the current one. Nothing was written."""

    def __init__(self, current_revision: int) -> None:
        super().__init__(f"stale revision; current is {current_revision}")
        self.current_revision = current_revision


class VersionedText(models.Model):
    """A text whose every save is a version (django-simple-history keeps the rows).

    A kind subclasses this, adds its fields and ``history = versioned_history(...)``, and
    fills the hooks below. ``save()`` is the one place the revision advances, so no writer
    (service, admin, import) can overwrite a change it has not seen.
    """

    # The fields a save compares and a version records (what the write service accepts).
    VERSIONED_FIELDS: tuple[str, ...] = ()
    # What restoring an old version brings back.
    RESTORED_FIELDS: tuple[str, ...] = ()
    # Choice fields of a version shown beside revision, date, author and note (versions
    # list and compare page), e.g. a result's maturity or a guide's status.
    VERSION_COLUMNS: tuple[str, ...] = ()

    revision = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Zuletzt geändert"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="%(app_label)s_%(class)s_revision_positive"
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        """Save as the next revision, if ``self.revision`` is still the stored one; a stale
        instance raises :class:`StaleRevision` and nothing is written."""
        with transaction.atomic():
            if self._state.adding:
                self.revision = 1
            else:
                stored = (
                    type(self)
                    ._base_manager.select_for_update()
                    .filter(pk=self.pk)
                    .values_list("revision", flat=True)
                    .first()
                )
                if stored != self.revision:
                    raise StaleRevision(stored)
                self.revision = stored + 1
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.url()

    # --- hooks each kind fills ----------------------------------------------------------

    @classmethod
    def without_hidden(cls, rows: QuerySet) -> QuerySet:
        """History rows without those hidden from readers who may not read hidden versions.
        The kind answers with its one rule (drafts, planned guides)."""
        raise NotImplementedError

    def url(self, action: str = "") -> str:
        """The path of this text's page ``action``, the German path segment every kind
        shares: "" (the text), "bearbeiten", "versionen", "vergleich", "wiederherstellen"."""
        raise NotImplementedError

    # --- shared ---------------------------------------------------------------------------

    @property
    def edit_url(self) -> str:
        return self.url("bearbeiten")

    @property
    def versions_url(self) -> str:
        return self.url("versionen")

    @property
    def compare_url(self) -> str:
        return self.url("vergleich")

    @property
    def restore_url(self) -> str:
        return self.url("wiederherstellen")


def versioned_history(verbose_name, verbose_name_plural) -> HistoricalRecords:
    """The history of a kind: every field but the bookkeeping timestamps, with who and why."""
    return HistoricalRecords(
        excluded_fields=["created_at", "updated_at"],
        verbose_name=verbose_name,
        verbose_name_plural=verbose_name_plural,
    )


def index_history(model: type[VersionedText], prefix: str):
    """Give ``model``'s history the (id, history_date) and (id, revision) indexes: version
    lookups go by text and time ("as of", neighbours) or revision (a versions page); without
    them they grew quadratically with the versions (measured: 2.5 s at 4,000). simple-history
    builds the historical model itself, so the indexes are added to it here."""
    history = model.history.model
    history._meta.indexes = [
        *history._meta.indexes,
        models.Index(fields=["id", "history_date"], name=f"{prefix}_id_date"),
        models.Index(fields=["id", "revision"], name=f"{prefix}_id_revision"),
    ]
    history._meta.original_attrs["indexes"] = history._meta.indexes
    return history
