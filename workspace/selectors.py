"""Reads of the core that are more than one line."""

from django.db.models import Count, Q, QuerySet

from workspace.models import Cohort, Membership, Municipality, User


def network_members() -> QuerySet[Municipality]:
    """Member municipalities with their cohort and district, pioneers first (one query)."""
    return (
        Municipality.objects.members()
        .select_related("cohort", "district")
        .order_by("-is_pioneer", "name", "pk")
    )


def network_overview() -> dict:
    """The figures for the start page, in two queries."""
    counts = Municipality.objects.aggregate(
        members=Count("pk", filter=Q(is_member=True)),
        pioneers=Count("pk", filter=Q(is_pioneer=True)),
    )
    cohorts = list(
        Cohort.objects.annotate(
            member_count=Count("municipalities", filter=Q(municipalities__is_member=True))
        )
    )
    return {**counts, "cohorts": cohorts}


def active_memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.active().filter(user=user).select_related("municipality")


def staff_of(municipality: Municipality) -> dict:
    """The municipality's people: active first, then who left (two queries)."""
    memberships = municipality.memberships.select_related("user").order_by(
        "user__display_name", "user__username"
    )
    return {
        "active": list(memberships.filter(ended_on__isnull=True)),
        "former": list(memberships.filter(ended_on__isnull=False).order_by("-ended_on")[:50]),
    }


def successor_candidates(municipality: Municipality, *, exclude: User) -> QuerySet[User]:
    """Who may take over: the municipality's other active staff."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__municipality=municipality,
            memberships__ended_on__isnull=True,
        )
        .exclude(pk=exclude.pk)
        .distinct()
        .order_by("display_name", "username")
    )
