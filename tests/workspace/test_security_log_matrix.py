"""Who may read the security log: the network office all of it (filtered), every person their
own entries; both pages only read. Roles: ``anonymous``; ``member`` (staff of Brilon);
``office``. Then what each page shows, and that its queries do not grow with its entries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.matrix import DENY, LOGIN, NOPE, OK, cells_for, check_answer, parametrize_cells, send
from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "office")
cells = cells_for(ROLES)
Kind = SecurityEvent.Kind

MATRIX = {
    "security-log": (cells(LOGIN, DENY, OK), cells(NOPE, NOPE, NOPE)),
    "my-security-log": (cells(LOGIN, OK, OK), cells(NOPE, NOPE, NOPE)),
}


@pytest.fixture
def clients(as_user, outsider, office):
    return {"anonymous": as_user(None), "member": as_user(outsider), "office": as_user(office)}


@parametrize_cells(MATRIX, ROLES)
def test_matrix(clients, url_name, role, method):
    get, post = MATRIX[url_name]
    url = reverse(url_name)
    before = SecurityEvent.objects.count()
    response = send(clients[role], method, url)
    check_answer(
        response,
        (get if method == "GET" else post)[role],
        url=url,
        where=f"{method} {url} als {role}",
    )
    assert SecurityEvent.objects.count() == before  # reading writes nothing


def test_a_person_reads_their_own_entries_and_nobody_elses(as_user, outsider, editor, office):
    security_log(kind=Kind.LOGIN, account=outsider, by=outsider)
    security_log(kind=Kind.ROLE_GRANTED, account=outsider, by=office, detail={"role": "editor"})
    security_log(kind=Kind.LOGIN, account=editor, by=editor)
    page = as_user(outsider).get(reverse("my-security-log")).content.decode()
    assert page.count("<h1") == 1
    assert "Anmeldung" in page and "Rolle vergeben" in page
    assert editor.get_display_name() not in page


def test_the_office_filters_by_event_person_and_day(as_user, outsider, editor, office):
    security_log(kind=Kind.LOGIN_FAILED, account=outsider)
    security_log(kind=Kind.LOGIN, account=editor, by=editor)
    office_client = as_user(office)
    failed = office_client.get(reverse("security-log"), {"art": Kind.LOGIN_FAILED}).content.decode()
    assert outsider.get_display_name() in failed and editor.get_display_name() not in failed
    mine = office_client.get(reverse("security-log"), {"person": editor.username}).content.decode()
    assert editor.get_display_name() in mine and outsider.get_display_name() not in mine
    past = office_client.get(reverse("security-log"), {"bis": "2020-01-01"}).content.decode()
    assert "Keine Einträge." in past
    unknown = office_client.get(reverse("security-log"), {"person": "niemand"}).content.decode()
    assert "Keine Einträge." in unknown
    bad = office_client.get(reverse("security-log"), {"von": "gestern"})
    assert bad.status_code == 400


def test_both_pages_are_found_from_the_account_page(as_user, outsider, office):
    member_page = as_user(outsider).get(reverse("account")).content.decode()
    office_link = f'href="{reverse("security-log")}"'
    assert f'href="{reverse("my-security-log")}"' in member_page
    assert office_link not in member_page
    assert office_link in as_user(office).get(reverse("account")).content.decode()


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_the_pages_cost_the_same_for_few_and_many_entries(url_name, as_user, office, outsider):
    client = as_user(office)
    counts = []
    for entries in (3, 30):
        while SecurityEvent.objects.filter(by=office).count() < entries:
            security_log(kind=Kind.ROLE_GRANTED, account=outsider, by=office, detail={"role": "x"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
