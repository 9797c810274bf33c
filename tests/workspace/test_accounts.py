"""Logging in and out, the login throttle with its cool-off, and password reset by real mail."""

import re
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings

from tests.conftest import PASSWORD

LOGIN = "/konto/anmelden/"


def test_login_with_right_password_lands_on_start_page(client, outsider):
    response = client.post(LOGIN, {"username": "kommune-brilon", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/konto/").status_code == 200


def test_wrong_password_shows_german_message_and_logs_nobody_in(client, outsider):
    response = client.post(LOGIN, {"username": "kommune-brilon", "password": "falsch"})
    assert response.status_code == 200
    assert "Benutzername oder Passwort stimmen nicht" in response.content.decode()
    assert client.get("/konto/").status_code == 302


def test_login_redirects_to_next_page_on_this_site_only(client, outsider):
    data = {"username": "kommune-brilon", "password": PASSWORD}
    assert client.post(f"{LOGIN}?next=/kommunen/", data)["Location"] == "/kommunen/"
    client.post("/konto/abmelden/")
    assert client.post(f"{LOGIN}?next=https://boese.example/", data)["Location"] == "/"


def test_logout_ends_the_session(as_user, outsider):
    client = as_user(outsider)
    assert client.post("/konto/abmelden/").status_code == 302
    assert client.get("/konto/").status_code == 302


def _fail(client, times: int) -> None:
    for _ in range(times):
        client.post(LOGIN, {"username": "kommune-brilon", "password": "falsch"})


def test_throttle_locks_after_five_failures_even_for_the_right_password(client, outsider):
    _fail(client, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": "kommune-brilon", "password": PASSWORD})
    assert response.status_code == 429
    text = response.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in text
    assert "15 Minuten" in text
    assert client.get("/konto/").status_code == 302


def test_throttle_cools_off_by_itself(client, outsider):
    _fail(client, settings.AXES_FAILURE_LIMIT)
    locked = client.post(LOGIN, {"username": "kommune-brilon", "password": PASSWORD})
    assert locked.status_code == 429
    # Let the cool-off pass: the attempts now lie further back than the cool-off period.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
        attempt.save()
    response = client.post(LOGIN, {"username": "kommune-brilon", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200


def test_throttle_is_per_user_name_so_colleagues_can_still_log_in(client, outsider, editor):
    _fail(client, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": "team-iserlohn", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_by_mail_sets_a_new_password_once(client, outsider, smtp, settings):
    settings.SITE_URL = "https://klassenraum.example.org"
    response = client.post("/konto/passwort-vergessen/", {"email": outsider.email})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    mail = smtp.messages[0].content.decode()
    assert outsider.email in smtp.messages[0].rcpt_tos
    assert "neues Passwort" in mail
    link = re.search(r"https://klassenraum\.example\.org(/konto/passwort-neu/\S+/)", mail).group(1)

    form_page = client.get(link, follow=True)
    assert "Neues Passwort festlegen" in form_page.content.decode()
    new = "Sommer-in-Suedwestfalen-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    client.post("/konto/abmelden/")
    assert client.post(LOGIN, {"username": "kommune-brilon", "password": new}).status_code == 302

    # The link works once only.
    again = client.get(link, follow=True)
    assert "nicht mehr gültig" in again.content.decode()


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, smtp, db):
    response = client.post("/konto/passwort-vergessen/", {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert smtp.messages == []
