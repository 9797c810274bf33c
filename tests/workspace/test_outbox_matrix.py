"""Who may open the outbox (mails that did not go out at once) and ask for another attempt.

Roles: ``anonymous``; ``member`` (staff of Brilon); ``office``. A refused POST changes no mail.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

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
from workspace.models import OutgoingMail

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "office")


DONE = Expect(302, "/postausgang/")
cells = cells_for(ROLES)

MATRIX = {
    "outbox": ("none", cells(LOGIN, DENY, OK), cells(NOPE, NOPE, NOPE)),
    "outbox-resend": ("failed", cells(NOPE, NOPE, NOPE), cells(LOGIN, DENY, DONE)),
}


@pytest.fixture
def world(as_user, outsider, office):
    failed = OutgoingMail.objects.create(
        subject="Barriere gemeldet: /klassen/",
        recipients="buero@example.org",
        message={},
        state=OutgoingMail.State.FAILED,
        attempts=6,
    )
    clients = {"anonymous": as_user(None), "member": as_user(outsider), "office": as_user(office)}
    return clients, {"none": {}, "failed": {"pk": failed.pk}}


@parametrize_cells(MATRIX, ROLES)
def test_matrix(world, url_name, role, method):
    clients, kwargs = world
    kwargs_name, get, post = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs[kwargs_name])
    expected = (get if method == "GET" else post)[role]
    before = list(OutgoingMail.objects.values_list("pk", "state", "attempts"))
    response = send(clients[role], method, url)
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    if expected != DONE:
        assert list(OutgoingMail.objects.values_list("pk", "state", "attempts")) == before
    else:
        assert OutgoingMail.objects.get().state == OutgoingMail.State.WAITING


def test_the_office_sees_what_waits_and_what_failed(as_user, office):
    OutgoingMail.objects.create(
        subject="Einladung: Sitzung", recipients="a@example.org", message={}, attempts=1
    )
    OutgoingMail.objects.create(
        subject="Schon raus", recipients="b@example.org", message={}, state="sent"
    )
    page = as_user(office).get(reverse("outbox")).content.decode()
    assert "Einladung: Sitzung" in page and "a@example.org" in page
    assert "Schon raus" not in page


def test_the_office_finds_the_outbox_from_its_account_page(as_user, office, outsider):
    assert reverse("outbox") in as_user(office).get(reverse("account")).content.decode()
    assert reverse("outbox") not in as_user(outsider).get(reverse("account")).content.decode()
