"""Who may open the token pages on /konto/: every logged-in person their own tokens only.

Roles: ``anonymous``; ``member`` (Brilon staff); ``editor`` (Iserlohn staff, owner of the
token to revoke); ``office``. Someone else's token does not exist for a person (404), and a
refused revocation leaves the token valid.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

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
from workspace.api import services
from workspace.api.models import AccessToken

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "editor", "office")
cells = cells_for(ROLES)
DONE = Expect(302, "/konto/zugaenge/")

MATRIX = {
    # POST: a new read-only token, shown once on the page.
    "api-tokens": ("none", cells(LOGIN, OK, OK, OK), cells(LOGIN, OK, OK, OK)),
    "api-token-revoke": ("token", cells(NOPE, NOPE, NOPE, NOPE), cells(LOGIN, HIDE, DONE, HIDE)),
}


@pytest.fixture
def world(as_user, outsider, editor, office):
    token, _plain = services.access_token_create(
        user=editor,
        name="Portal",
        scope=AccessToken.Scope.READ,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    users = {"anonymous": None, "member": outsider, "editor": editor, "office": office}
    return users, {"none": {}, "token": {"pk": token.pk}}, token


@parametrize_cells(MATRIX, ROLES)
def test_matrix(world, as_user, url_name, role, method):
    users, kwargs, token = world
    kwargs_name, get, post = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs[kwargs_name])
    expected = (get if method == "GET" else post)[role]
    data = {"name": "Datenteam", "scope": "read", "expiry": "30"}
    count = AccessToken.objects.count()
    response = send(as_user(users[role]), method, url, data)
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    token.refresh_from_db()
    if url_name == "api-token-revoke":
        assert (token.revoked_at is not None) == (expected is DONE)
    if url_name == "api-tokens" and method == "POST":
        created = expected is OK
        assert AccessToken.objects.count() == count + created
        if created:
            new = AccessToken.objects.latest("pk")
            assert new.user == users[role] and new.scope == "read"
            # Shown once, stored only as its hash.
            shown = response.content.decode()
            assert f"kr_{new.prefix}_" in shown
            plain = shown.split(f'value="kr_{new.prefix}_', 1)[1].split('"', 1)[0]
            assert new.matches(f"kr_{new.prefix}_{plain}")
            assert plain not in str(AccessToken.objects.values_list(flat=False))
