"""Who may open the outbox (mails that did not go out at once) and ask for another attempt.

Roles: ``anonymous``; ``member`` (staff of Brilon); ``office``. A refused POST changes no mail.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from workspace.models import OutgoingMail

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "office")


@dataclass(frozen=True)
class Expect:
    status: int
    to: str | None = None


OK = Expect(200)
LOGIN = Expect(302, "/konto/anmelden/")
DENY = Expect(403)
NOPE = Expect(405)
DONE = Expect(302, "/postausgang/")


def cells(*expectations):
    return dict(zip(ROLES, expectations, strict=True))


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


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_matrix(world, url_name, role, method):
    clients, kwargs = world
    kwargs_name, get, post = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs[kwargs_name])
    expected = (get if method == "GET" else post)[role]
    before = list(OutgoingMail.objects.values_list("pk", "state", "attempts"))
    client = clients[role]
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == expected.status, (
        f"{method} {url} als {role}: {response.status_code}, erwartet {expected.status}"
    )
    if expected.to:
        assert response["Location"].startswith(expected.to)
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
