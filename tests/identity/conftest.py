"""A real OpenID provider for the identity app's unit tests (started once per module)."""

from __future__ import annotations

import pytest

from tests.identity.providers import OidcProvider, signing_key


@pytest.fixture(scope="module")
def live_provider(tmp_path_factory):
    provider = OidcProvider(
        slug="menden-sso", host="127.0.0.2", email_domain="menden.example", key=signing_key("k-1")
    )
    provider.start(app_url="http://testserver", log_dir=tmp_path_factory.mktemp("oidc"))
    yield provider
    provider.stop()


@pytest.fixture
def configured_provider(live_provider, menden):
    from workspace.identity.models import IdentityProvider

    return IdentityProvider.objects.create(
        name="Stadt Menden",
        slug=live_provider.slug,
        issuer=live_provider.url,
        client_id=live_provider.client_id,
        client_secret="geheimnis",
        municipality=menden,
        button_text="Mit dem Konto der Stadt Menden anmelden",
    )
