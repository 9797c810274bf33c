"""Who may use the addresses of the login through providers.

Roles: ``anonymous``; ``member`` (staff of Brilon); ``office``. Starting a login at a provider
is open to everyone (it is how one logs in) and only by POST; the provider's way back without
a state it was sent with is refused for everyone; linking an account needs a login waiting
to be linked, and without one sends a logged-in person to their account page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.matrix import LOGIN, NOPE, OK, Expect, cells_for, check_answer, parametrize_cells, send

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "office")
cells = cells_for(ROLES)

TO_PROVIDER = Expect(302, "provider")
TO_ACCOUNT = Expect(302, "/konto/")
TO_HOME = Expect(302, "/")
REFUSED = Expect(400)

MATRIX = {
    "openid_connect_login": (cells(NOPE, NOPE, NOPE), cells(TO_PROVIDER, TO_PROVIDER, TO_PROVIDER)),
    "openid_connect_callback": (cells(REFUSED, REFUSED, REFUSED), cells(REFUSED, REFUSED, REFUSED)),
    # allauth's name for the login page (it reverses it): the login page's own answers.
    "account_login": (cells(OK, TO_HOME, TO_HOME), cells(OK, TO_HOME, TO_HOME)),
    "identity-link": (cells(LOGIN, TO_ACCOUNT, TO_ACCOUNT), cells(LOGIN, TO_ACCOUNT, TO_ACCOUNT)),
}


@parametrize_cells(MATRIX, ROLES)
def test_matrix(
    url_name, role, method, as_user, outsider, office, configured_provider, live_provider
):
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model

    users = {"anonymous": None, "member": outsider, "office": office}
    kwargs = {"provider_id": configured_provider.slug} if "openid" in url_name else {}
    url = reverse(url_name, kwargs=kwargs)
    expected = MATRIX[url_name][0 if method == "GET" else 1][role]
    people = get_user_model().objects.count()
    response = send(as_user(users[role]), method, url)
    if expected == TO_PROVIDER:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{live_provider.url}/auth?")
    else:
        check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    if expected == REFUSED:
        assert "Anmeldung abgelehnt" in response.content.decode()
    assert get_user_model().objects.count() == people
    assert not SocialAccount.objects.exists()
