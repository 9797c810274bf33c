"""Who may open which joining URL, for GET and POST, by role.

Roles: ``anonymous``; ``member`` (staff of Brilon, no contact person); ``contact`` (Menden's
contact person); ``office`` (the network office). The invitation pages are reached by their
token only; a forged token is 404 for everyone (the working link is tested in test_joining.py).
A POST that is refused leaves requests and invitations as they were.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from network.joining import services
from network.joining.models import Invitation, JoinRequest
from network.joining.region import region_seed
from tests.matrix import (
    DENY,
    FORM,
    HIDE,
    LOGIN,
    NOPE,
    OK,
    Expect,
    cells_for,
    check_answer,
    parametrize_cells,
    send,
)
from workspace.models import Membership, Municipality

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "contact", "office")


DONE = Expect(302)
cells = cells_for(ROLES)


EVERYONE_OK = cells(OK, OK, OK, OK)
NOBODY = cells(NOPE, NOPE, NOPE, NOPE)
OFFICE_ONLY = cells(LOGIN, DENY, DENY, OK)

# url name -> (kwargs name, GET, POST)
MATRIX = {
    "joining:join": ("none", EVERYONE_OK, cells(FORM, FORM, FORM, FORM)),
    "joining:thanks": ("none", EVERYONE_OK, NOBODY),
    "joining:request-list": ("none", OFFICE_ONLY, NOBODY),
    "joining:request-detail": ("request", OFFICE_ONLY, NOBODY),
    "joining:request-accept": ("request", NOBODY, cells(LOGIN, DENY, DENY, DONE)),
    "joining:request-decline": ("request", NOBODY, cells(LOGIN, DENY, DENY, DONE)),
    "joining:invite": ("menden", cells(LOGIN, DENY, OK, OK), cells(LOGIN, DENY, FORM, FORM)),
    "joining:invitation-revoke": ("invitation", NOBODY, cells(LOGIN, DENY, DONE, DONE)),
    "joining:invitation": ("forged", cells(HIDE, HIDE, HIDE, HIDE), cells(HIDE, HIDE, HIDE, HIDE)),
    "joining:cohorts": ("none", EVERYONE_OK, NOBODY),
}


@pytest.fixture
def world(as_user, outsider, coordinator, office):
    menden = Municipality.objects.get(slug="menden")
    region_seed()  # Meschede is in the database, so accepting needs no district
    join_request = services.join_request_submit(
        municipality_name="Meschede",
        contact_name="Maria Menke",
        function="Stabsstelle",
        email="maria@meschede.example",
    )
    invitation = services.invitation_create(
        municipality=menden, by=coordinator, email="neu@menden.example", name="Nora Neu"
    )
    clients = {
        "anonymous": as_user(None),
        "member": as_user(outsider),
        "contact": as_user(coordinator),
        "office": as_user(office),
    }
    kwargs = {
        "none": {},
        "request": {"pk": join_request.pk},
        "menden": {"slug": "menden"},
        "invitation": {"slug": "menden", "pk": invitation.pk},
        "forged": {"token": "ausgedacht-" + "x" * 30},
    }
    return clients, kwargs


def _state() -> tuple:
    return (
        list(JoinRequest.objects.values_list("pk", "status").order_by("pk")),
        list(Invitation.objects.values_list("pk", "accepted_at", "revoked_at").order_by("pk")),
        Membership.objects.count(),
        list(Municipality.objects.values_list("pk", "is_member", "cohort").order_by("pk")),
    )


@parametrize_cells(MATRIX, ROLES)
def test_matrix(world, url_name, role, method):
    clients, kwargs = world
    kwargs_name, get, post = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs[kwargs_name])
    expected = (get if method == "GET" else post)[role]
    before = _state()
    response = send(clients[role], method, url)
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    if expected is not DONE:
        assert _state() == before, f"{method} {url} als {role} hat etwas verändert"
