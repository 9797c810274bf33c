"""An agreement's and a meeting's minutes' documents, for whoever may read the page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from steering import documents, public
from steering.permissions import get_agreement_for, get_meeting_page_for, is_committee
from workspace.access import decide
from workspace.documents import audience_of
from workspace.documents.store import DocumentKey
from workspace.documents.views import document_response, requested_format


def _audience(request: HttpRequest) -> str:
    return documents.COMMITTEE if is_committee(request.user) else audience_of(request.user)


@require_GET
def agreement_document(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    agreement = get_agreement_for(request.user, number)
    key = DocumentKey("steering.documents.build_agreement", agreement.pk, 0, _audience(request))
    return document_response(
        request,
        key=key,
        fmt=requested_format(request, fmt),
        build=lambda: documents.build_agreement(key.pk, key.version, key.audience),
        filename=f"Vereinbarung {agreement.number}",
        back_url=agreement.get_absolute_url(),
    )


@require_GET
def minutes_document(request: HttpRequest, meeting_id: int, fmt: str) -> HttpResponse:
    """The committee reads the minutes as they stand; everyone else once they are approved
    (the committee's public record, ``steering.public``)."""
    meeting, member = get_meeting_page_for(request.user, meeting_id)
    decide(request.user, sees=member or bool(public.public_minutes(meeting)))
    key = DocumentKey(
        "steering.documents.build_minutes",
        meeting.pk,
        documents.minutes_state(meeting),
        _audience(request),
    )
    return document_response(
        request,
        key=key,
        fmt=requested_format(request, fmt),
        build=lambda: documents.build_minutes(key.pk, key.version, key.audience),
        filename=f"Protokoll {meeting.title}",
        back_url=meeting.get_absolute_url(),
    )
