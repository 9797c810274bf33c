"""Every answer carries the fixed security headers (workspace.middleware.ContentSecurityPolicy-
Middleware writes them in one step; Django's SecurityMiddleware and XFrameOptionsMiddleware find
them set) and says which language it speaks."""

import pytest
from django.conf import settings
from django.test import Client
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


def test_an_answer_over_https_carries_hsts_as_django_words_it(settings):
    """HSTS is written with the other fixed headers, only on answers to HTTPS requests; Django's
    SecurityMiddleware finds it set, so the header is there once, in Django's words."""
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    secure = Client().get("/", secure=True)
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "Strict-Transport-Security" not in Client().get("/")
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)


def test_a_host_the_settings_do_not_allow_is_refused_every_time(settings):
    """The Host is checked once per distinct host (workspace.middleware.CommonMiddleware): an
    allowed host is served, a foreign one refused on every request, and a host allowed under
    earlier settings is refused once the settings no longer allow it."""
    settings.ALLOWED_HOSTS = ["klassenraum.example"]
    client = Client()
    assert client.get("/", HTTP_HOST="klassenraum.example").status_code == 200
    for _ in range(2):
        assert client.get("/", HTTP_HOST="angreifer.example").status_code == 400
    settings.ALLOWED_HOSTS = ["angreifer.example"]
    assert client.get("/", HTTP_HOST="klassenraum.example").status_code == 400


def test_a_page_answered_with_a_length(client):
    response = client.get("/leitprojekte/")
    assert int(response["Content-Length"]) == len(response.content)
