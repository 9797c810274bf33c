"""Who may open the people pages: staff management, off-boarding and the own data.

Roles: ``anonymous``; ``member`` (staff of Brilon); ``contact`` (Menden's contact person);
``office``. The staff pages are Menden's; the colleague to off-board works for Menden.
A refused POST changes no membership.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.matrix import (
    DENY,
    LOGIN,
    NOPE,
    OK,
    Expect,
    cells_for,
    check_answer,
    parametrize_cells,
    send,
)
from workspace.models import Membership

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "contact", "office")


DONE = Expect(302, "/kommunen/menden/mitarbeitende/")
cells = cells_for(ROLES)

MATRIX = {
    "staff-list": ("menden", cells(LOGIN, DENY, OK, OK), cells(NOPE, NOPE, NOPE, NOPE)),
    # An empty POST ends a colleague without roles (no successor needed).
    "staff-end": ("colleague", cells(LOGIN, DENY, OK, OK), cells(LOGIN, DENY, DONE, DONE)),
    "my-data": ("none", cells(LOGIN, OK, OK, OK), cells(LOGIN, NOPE, NOPE, NOPE)),
    "my-data-json": ("none", cells(LOGIN, OK, OK, OK), cells(LOGIN, NOPE, NOPE, NOPE)),
}


@pytest.fixture
def world(as_user, outsider, coordinator, office, menden):
    colleague = MembershipFactory(user__username="kollegin-menden", municipality=menden)
    clients = {
        "anonymous": as_user(None),
        "member": as_user(outsider),
        "contact": as_user(coordinator),
        "office": as_user(office),
    }
    kwargs = {
        "none": {},
        "menden": {"slug": "menden"},
        "colleague": {"slug": "menden", "pk": colleague.pk},
    }
    return clients, kwargs


@parametrize_cells(MATRIX, ROLES)
def test_matrix(world, url_name, role, method):
    clients, kwargs = world
    kwargs_name, get, post = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs[kwargs_name])
    expected = (get if method == "GET" else post)[role]
    before = list(Membership.objects.values_list("pk", "ended_on").order_by("pk"))
    response = send(clients[role], method, url)
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    if expected is not DONE:
        assert list(Membership.objects.values_list("pk", "ended_on").order_by("pk")) == before


def test_the_own_data_are_only_the_own(as_user, outsider, editor):
    data = as_user(outsider).get("/konto/daten.json").json()
    text = str(data)
    assert outsider.username in text and editor.username not in text
    assert (
        as_user(outsider).get("/konto/daten.json")["Content-Disposition"].startswith("attachment")
    )
