"""The login through a provider as the app starts it, and a provider's end."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse

from workspace.identity.models import ProviderSession
from workspace.identity.services import municipality_for_login, provider_remove

pytestmark = pytest.mark.django_db


def _start(client, provider) -> dict[str, str]:
    response = client.post(reverse("openid_connect_login", args=[provider.slug]))
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def test_every_login_sends_a_fresh_nonce_state_and_pkce_challenge(client, configured_provider):
    first = _start(client, configured_provider)
    second = _start(client, configured_provider)
    for params in (first, second):
        assert params["response_type"] == "code"
        assert params["code_challenge_method"] == "S256"
        assert len(params["nonce"]) >= 32
        assert "openid" in params["scope"].split()
    assert first["nonce"] != second["nonce"]
    assert first["state"] != second["state"]
    assert first["code_challenge"] != second["code_challenge"]


def test_the_login_page_shows_each_providers_button_and_lets_its_form_go_there(
    client, configured_provider, live_provider
):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert configured_provider.button_text in page
    assert reverse("openid_connect_login", args=[configured_provider.slug]) in page
    assert f"form-action 'self' {live_provider.url}" in response["Content-Security-Policy"]


def test_a_provider_removed_by_the_office_ends_its_sessions_at_once(
    configured_provider, outsider, editor
):
    through_provider = SessionStore()
    through_provider["_auth_user_id"] = str(outsider.pk)
    through_provider.create()
    with_password = SessionStore()
    with_password["_auth_user_id"] = str(editor.pk)
    with_password.create()
    ProviderSession.objects.create(
        provider=configured_provider,
        user=outsider,
        session_key=through_provider.session_key,
        expires_at=through_provider.get_expiry_date(),
    )

    assert provider_remove(provider=configured_provider) == 1

    assert not Session.objects.filter(session_key=through_provider.session_key).exists()
    assert Session.objects.filter(session_key=with_password.session_key).exists()
    assert not ProviderSession.objects.exists()


def test_a_broker_names_a_member_municipality_by_short_name_or_official_key(
    configured_provider, menden, iserlohn
):
    iserlohn.is_member = True
    iserlohn.official_key = "05962024"
    iserlohn.save()
    configured_provider.municipality = None
    configured_provider.municipality_claim = "kommune"
    configured_provider.save()

    assert (
        municipality_for_login(provider=configured_provider, claims={"kommune": "iserlohn"})
        == iserlohn
    )
    assert (
        municipality_for_login(provider=configured_provider, claims={"kommune": "05962024"})
        == iserlohn
    )
    assert (
        municipality_for_login(provider=configured_provider, claims={"kommune": "nirgendwo"})
        is None
    )
    assert municipality_for_login(provider=configured_provider, claims={}) is None


def test_a_provider_session_lasts_no_longer_than_the_providers_token(configured_provider, outsider):
    import datetime

    from django.utils import timezone

    from workspace.identity.services import provider_session_start

    session = SessionStore()
    token_ends = timezone.now() + datetime.timedelta(minutes=20)
    provider_session_start(
        provider=configured_provider,
        user=outsider,
        session=session,
        token_expires_at=token_ends,
        id_token_expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    session.save()

    stored = Session.objects.get(session_key=session.session_key)
    assert abs((stored.expire_date - token_ends).total_seconds()) < 2
    assert ProviderSession.objects.get(session_key=session.session_key).user == outsider


def test_a_refused_provider_login_is_one_failed_login_in_the_security_log(
    client, configured_provider
):
    from workspace.audit.models import SecurityEvent

    response = client.get(
        reverse("openid_connect_callback", args=[configured_provider.slug]),
        {"code": "erfunden", "state": "gefaelscht"},
    )
    assert response.status_code == 400
    assert "Diese Anmeldung ist unbekannt" in response.content.decode()
    entry = SecurityEvent.objects.get(kind="login_failed")
    assert (entry.provider, entry.account) == ("menden-sso", None)


def test_refused_provider_logins_keep_their_reason_and_lock_nobody_out(
    client, configured_provider, editor
):
    # A town hall shares one address: cancelled or refused provider logins from it are no
    # guessed passwords, so the sixth still says why, and a password login there still works.
    callback = reverse("openid_connect_callback", args=[configured_provider.slug])
    for _ in range(8):
        response = client.get(callback, {"code": "erfunden", "state": "gefaelscht"})
        assert response.status_code == 400
        assert "Diese Anmeldung ist unbekannt" in response.content.decode()
        assert "vorübergehend gesperrt" not in response.content.decode()

    response = client.post(
        reverse("login"),
        {"username": editor.username, "password": "geheim-und-lang-genug"},
        follow=True,
    )
    assert response.wsgi_request.user == editor
