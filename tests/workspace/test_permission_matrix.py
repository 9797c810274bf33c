"""Who may open which URL, for GET and POST: every URL of the project stands here.

Columns: the anonymous visitor, staff of a member municipality, the network office.
``tests/test_url_coverage.py`` fails for any URL of the project that stands in no matrix.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.matrix import DENY as DENIED
from tests.matrix import (
    FORM,
    LOGIN_URL,
    NOPE,
    OK,
    Expect,
    check_answer,
    parametrize_cells,
    row_for,
    send,
)
from tests.matrix import LOGIN as TO_LOGIN

LOGIN = LOGIN_URL
NOT_ALLOWED = NOPE
TO_HOME = Expect(302, "/")
TO_ADMIN_LOGIN = Expect(302, "/verwaltung/login/")

ROLES = ("anonymous", "member", "office")
row = row_for(ROLES)

# url name -> (reverse kwargs, expectations)
MATRIX = {
    "home": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)),
    "municipality-list": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)),
    "municipality-detail": (
        {"slug": "brilon"},
        row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3),
    ),
    # An empty POST of the profile comes back with its messages.
    "account": ({}, row(get=(TO_LOGIN, OK, OK), post=(TO_LOGIN, FORM, FORM))),
    "password_change": ({}, row(get=(TO_LOGIN, OK, OK), post=(TO_LOGIN, OK, OK))),
    **{
        f"legal-{kind}": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3))
        for kind in ("impressum", "datenschutz", "leichte-sprache")
    },
    # The accessibility statement carries the feedback form: open to everyone.
    "legal-barrierefreiheit": ({}, row(get=(OK, OK, OK), post=(FORM, FORM, FORM))),
    **{
        f"legal-{kind}-edit": ({}, row(get=(TO_LOGIN, DENIED, OK), post=(TO_LOGIN, DENIED, FORM)))
        for kind in ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache")
    },
    # The login form comes back with its errors on an empty POST; logged-in users go home.
    "login": ({}, row(get=(OK, TO_HOME, TO_HOME), post=(OK, TO_HOME, TO_HOME))),
    # Logging out changes state, so it is POST-only.
    "logout": ({}, row(get=(NOT_ALLOWED,) * 3, post=(TO_HOME, TO_HOME, TO_HOME))),
    "password_reset": ({}, row(get=(OK, OK, OK), post=(OK, OK, OK))),
    "password_reset_done": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)),
    "password_reset_confirm": (
        {"uidb64": "MQ", "token": "ungueltig-0123"},
        row(get=(OK, OK, OK), post=(OK, OK, OK)),
    ),
    "password_reset_complete": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)),
    "healthz": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)),
    # Not a role but the address decides: the test client comes from loopback, which the
    # default METRICS_ALLOWED_NETWORKS allow (refusals: tests/workspace/test_metrics_access.py).
    "metrics": ({}, row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)),
    # Django's admin guards itself (is_staff); its entry point stands for all of its pages.
    "admin:index": (
        {},
        row(get=(TO_ADMIN_LOGIN, TO_ADMIN_LOGIN, OK), post=(TO_ADMIN_LOGIN, TO_ADMIN_LOGIN, OK)),
    ),
}


@pytest.fixture
def clients(db, as_user, outsider, office):
    return {"anonymous": as_user(None), "member": as_user(outsider), "office": as_user(office)}


@parametrize_cells(MATRIX, ROLES)
def test_matrix(clients, url_name, role, method):
    kwargs, expectations = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs)
    response = send(clients[role], method, url)
    check_answer(response, expectations[method][role], url=url, where=f"{method} {url} als {role}")


def test_unknown_municipality_is_404_for_everyone(clients):
    for client in clients.values():
        assert client.get("/kommunen/gibt-es-nicht/").status_code == 404


def test_csrf_is_enforced_on_login(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formular abgelaufen" in response.content.decode()
