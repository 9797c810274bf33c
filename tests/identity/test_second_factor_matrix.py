"""Who may use the second-factor pages, and what the office may do before it has one.

Roles: ``anonymous``; ``member`` (staff of Brilon, needs no second factor, has none);
``office`` (a session that used a second factor: a test client's forced login counts as one,
tests/conftest.py); ``office_unverified`` (the office logged in with its password only, no
second factor set up yet). The last may open the second-factor pages and nothing else: the
administration and the office's pages send it to set one up.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.matrix import HIDE, NOPE, OK, Expect, cells_for, check_answer, parametrize_cells, send

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "office", "office_unverified")
cells = cells_for(ROLES)

TO_LOGIN = Expect(302, "/konto/anmelden/")
TO_SETUP = Expect(302, "/konto/zweiter-faktor/")
TO_HOME = Expect(302, "/")
TO_ADMIN_LOGIN = Expect(302, "/verwaltung/login/")

MATRIX = {
    "mfa_index": (cells(TO_LOGIN, OK, OK, OK), cells(TO_LOGIN, NOPE, NOPE, NOPE)),
    # Only in the middle of a login that asks for the second factor; otherwise back.
    "mfa_authenticate": (
        cells(TO_LOGIN, TO_HOME, TO_HOME, TO_HOME),
        cells(TO_LOGIN, TO_HOME, TO_HOME, TO_HOME),
    ),
    # An empty POST is the form again, with its message.
    "mfa_activate_totp": (cells(TO_LOGIN, OK, OK, OK), cells(TO_LOGIN, OK, OK, OK)),
    # Nobody here has an app to remove, nor codes to show.
    "mfa_deactivate_totp": (cells(TO_LOGIN, HIDE, HIDE, HIDE), cells(TO_LOGIN, HIDE, HIDE, HIDE)),
    "mfa_view_recovery_codes": (
        cells(TO_LOGIN, HIDE, HIDE, HIDE),
        cells(TO_LOGIN, NOPE, NOPE, NOPE),
    ),
    "mfa_generate_recovery_codes": (cells(TO_LOGIN, OK, OK, OK), cells(TO_LOGIN, OK, OK, OK)),
    "mfa_list_webauthn": (cells(TO_LOGIN, OK, OK, OK), cells(TO_LOGIN, NOPE, NOPE, NOPE)),
    # An empty POST is the form again (no key came from the browser).
    "mfa_add_webauthn": (cells(TO_LOGIN, OK, OK, OK), cells(TO_LOGIN, OK, OK, OK)),
    # Someone else's key, or none: not found.
    "mfa_remove_webauthn": (cells(TO_LOGIN, HIDE, HIDE, HIDE), cells(TO_LOGIN, HIDE, HIDE, HIDE)),
    # The login page's passkey button: the page itself, or home once logged in.
    "mfa_login_webauthn": (
        cells(TO_LOGIN, TO_HOME, TO_HOME, TO_HOME),
        cells(TO_LOGIN, TO_HOME, TO_HOME, TO_HOME),
    ),
    # The new row of the office's rights: without a second factor, not yet.
    "admin:index": (
        cells(TO_ADMIN_LOGIN, TO_ADMIN_LOGIN, OK, TO_SETUP),
        cells(TO_ADMIN_LOGIN, TO_ADMIN_LOGIN, OK, TO_SETUP),
    ),
    "outbox": (cells(TO_LOGIN, Expect(403), OK, TO_SETUP), cells(NOPE, NOPE, NOPE, TO_SETUP)),
}


@pytest.fixture
def clients(as_user, outsider, office):
    unverified = Client()
    unverified.post(reverse("login"), {"username": office.username, "password": PASSWORD})
    return {
        "anonymous": as_user(None),
        "member": as_user(outsider),
        "office": as_user(office),
        "office_unverified": unverified,
    }


@parametrize_cells(MATRIX, ROLES)
def test_matrix(clients, url_name, role, method):
    from allauth.mfa.models import Authenticator

    url = reverse(url_name, kwargs={"pk": 999999} if url_name == "mfa_remove_webauthn" else {})
    expected = MATRIX[url_name][0 if method == "GET" else 1][role]
    response = send(clients[role], method, url)
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    assert not Authenticator.objects.exists()


def test_the_administrations_own_login_form_sends_to_the_one_login_page(client):
    response = client.get("/verwaltung/login/?next=/verwaltung/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/?next=")
