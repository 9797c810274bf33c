"""What the committee contributes to the projects' pages (through workspace.hooks)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from projects.models import LeadProject, Result
from steering import selectors
from steering.models import Seat


def project_agreements(request: HttpRequest, project: LeadProject) -> dict | None:
    """The project's agreements: whoever sees the project sees its decisions."""
    agreements = selectors.agreements_of_project(project)
    return {"agreements": agreements, "project": project} if agreements else None


def result_approvals(request: HttpRequest, result: Result) -> dict | None:
    approvals = selectors.approvals_of_result(result)
    return {"approvals": approvals, "result": result} if approvals else None


def account_seats(request: HttpRequest, user) -> dict | None:
    """The person's committee seats, current and past, on their account page (one query)."""
    seats = list(
        Seat.objects.filter(person=user).select_related("municipality").order_by("-starts_on")
    )
    if not seats:
        return None
    return {"seats": seats, "today": timezone.localdate()}
