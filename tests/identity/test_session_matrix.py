"""Who may list and end sessions: each person their own, nobody anyone else's.

Roles: ``anonymous``; ``member`` (staff of Brilon); ``office``. The session in the URL is
Brilon's second session: its owner may end it (and it ends), nobody else learns it exists.
"""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.matrix import (
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

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "office")
cells = cells_for(ROLES)
TO_LIST = Expect(302, "/konto/sitzungen/")

MATRIX = {
    "identity-sessions": (cells(LOGIN, OK, OK), cells(NOPE, NOPE, NOPE)),
    "identity-session-end": (cells(NOPE, NOPE, NOPE), cells(LOGIN, TO_LIST, HIDE)),
}


def _logged_in_through_the_form(user) -> Client:
    client = Client(HTTP_USER_AGENT="Testbrowser")
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


@parametrize_cells(MATRIX, ROLES)
def test_matrix(url_name, role, method, as_user, outsider, office):
    clients = {"anonymous": as_user(None), "member": as_user(outsider), "office": as_user(office)}
    form_login = _logged_in_through_the_form(outsider)
    # Every login leaves its record (the member's client logged in too): this one's.
    other = UserSession.objects.get(user=outsider, session_key=form_login.session.session_key)
    kwargs = {"pk": other.pk} if url_name == "identity-session-end" else {}
    url = reverse(url_name, kwargs=kwargs)
    expected = MATRIX[url_name][0 if method == "GET" else 1][role]
    response = send(clients[role], method, url)
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    still_open = Session.objects.filter(session_key=other.session_key).exists()
    assert still_open == (expected != TO_LIST)


def test_a_person_sees_their_sessions_and_ends_another_one(outsider):
    here = _logged_in_through_the_form(outsider)
    there = _logged_in_through_the_form(outsider)
    page = here.get(reverse("identity-sessions")).content.decode()
    assert page.count("Testbrowser") == 2
    assert "diese Sitzung" in page

    theirs = UserSession.objects.get(session_key=there.session.session_key)
    here.post(reverse("identity-session-end", args=[theirs.pk]))

    assert there.get(reverse("account")).status_code == 302  # logged out there
    assert here.get(reverse("account")).status_code == 200  # still here


def test_the_session_list_costs_the_same_queries_for_one_session_or_many(
    outsider, django_assert_num_queries
):
    here = _logged_in_through_the_form(outsider)
    here.get(reverse("identity-sessions"))  # warm the session and the user
    # The session, the person (with whether they are the office or hold a committee seat: is a
    # second factor required of them? this session used none), and the open sessions: three,
    # however many.
    with django_assert_num_queries(3):
        here.get(reverse("identity-sessions"))
    for _ in range(5):
        _logged_in_through_the_form(outsider)
    with django_assert_num_queries(3):
        page = here.get(reverse("identity-sessions")).content.decode()
    assert page.count("Testbrowser") == 6
