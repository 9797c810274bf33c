"""What joining shows on the core's pages (registered in ``JoiningConfig.ready``)."""

from __future__ import annotations

from django.http import HttpRequest

from network.joining.models import JoinRequest
from network.joining.permissions import may_invite
from workspace.models import Municipality
from workspace.permissions import is_network_office


def municipality_invite(request: HttpRequest, municipality: Municipality) -> dict | None:
    """Contact persons and the office see the way to invite colleagues."""
    if not municipality.is_member or not may_invite(request.user, municipality):
        return None
    return {"municipality": municipality}


def home_join(request: HttpRequest, _obj=None) -> dict:
    """Everyone sees the way in; the office also sees how many requests wait."""
    waiting = None
    if is_network_office(request.user):
        waiting = JoinRequest.objects.open().first_requests().count()
    return {"waiting": waiting}
