"""Team roles in the security log (workspace.audit): every grant, change and revocation of a
role, whichever service wrote it, heard from the membership rows themselves."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from projects.models import TeamMembership
from workspace.audit.services import Kind, current_actor, security_log


def _remember_role(sender, instance: TeamMembership, **kwargs) -> None:
    instance._role_before = (
        TeamMembership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
        if instance.pk
        else None
    )


def _granted(sender, instance: TeamMembership, created: bool, **kwargs) -> None:
    before = getattr(instance, "_role_before", None)
    if not created and before == instance.role:
        return
    detail = {"project": instance.project.slug, "role": instance.role}
    if before:
        detail["previous_role"] = before
    security_log(kind=Kind.ROLE_GRANTED, account=instance.user, by=current_actor(), detail=detail)


def _revoked(sender, instance: TeamMembership, **kwargs) -> None:
    security_log(
        kind=Kind.ROLE_REVOKED,
        account=instance.user,
        by=current_actor(),
        detail={"project": instance.project.slug, "role": instance.role},
    )


pre_save.connect(_remember_role, sender=TeamMembership, dispatch_uid="audit-team-role-before")
post_save.connect(_granted, sender=TeamMembership, dispatch_uid="audit-team-role-granted")
post_delete.connect(_revoked, sender=TeamMembership, dispatch_uid="audit-team-role-revoked")
