"""Committee seats in the security log (workspace.audit): a seat given and a seat ended, heard
from the seat rows (committee rights follow the active seat, so these are rights changing)."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save

from steering.models import Seat
from workspace.audit.services import Kind, current_actor, security_log


def _remember_end(sender, instance: Seat, **kwargs) -> None:
    instance._ends_before = (
        Seat.objects.filter(pk=instance.pk).values_list("ends_on", flat=True).first()
        if instance.pk
        else None
    )


def _logged(sender, instance: Seat, created: bool, **kwargs) -> None:
    detail = {
        "municipality": instance.municipality.slug if instance.municipality_id else "",
        "role": instance.role,
        "starts_on": instance.starts_on.isoformat(),
    }
    if created:
        security_log(
            kind=Kind.SEAT_STARTED, account=instance.person, by=current_actor(), detail=detail
        )
    if instance.ends_on is not None and (created or instance._ends_before != instance.ends_on):
        detail["ends_on"] = instance.ends_on.isoformat()
        security_log(
            kind=Kind.SEAT_ENDED, account=instance.person, by=current_actor(), detail=detail
        )


pre_save.connect(_remember_end, sender=Seat, dispatch_uid="audit-seat-before")
post_save.connect(_logged, sender=Seat, dispatch_uid="audit-seat")
