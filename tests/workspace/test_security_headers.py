"""Every answer carries the fixed security headers (workspace.middleware.ContentSecurityPolicy-
Middleware writes them in one step; Django's SecurityMiddleware and XFrameOptionsMiddleware find
them set) and says which language it speaks."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.dates.test_calendar import personal_url

pytestmark = pytest.mark.django_db

FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize("url", ["/", "/leitprojekte/", "/gibt-es-nicht/", "/healthz"])
def test_every_answer_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    for name, value in FIXED.items():
        assert response[name] == value, name


def test_a_header_the_view_set_itself_is_kept(client, as_user, editor):
    """A personal calendar feed sends no referrer at all (network/dates): its own value wins
    over the fixed one, and the other fixed headers still come."""
    as_user(editor).post(reverse("dates:token-renew"))
    response = client.get(personal_url(editor))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("accept", "language"), [("de-DE,de;q=0.9", "de"), ("en-GB,en", "en")])
def test_the_answer_names_its_language(client, accept, language):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert f'lang="{language}"' in response.content.decode()
