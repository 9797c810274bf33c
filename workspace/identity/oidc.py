"""allauth's OpenID Connect provider, with the checks it leaves out.

Read in django-allauth 65.22's source (``socialaccount/providers/openid_connect``):

- ``OpenIDConnectOAuth2Adapter._decode_id_token`` skips the signature check whenever the ID
  token came from the token endpoint (``verify_signature = not self.did_fetch_access_token``),
  citing TLS. Here the signature is always checked against the provider's published keys;
- no ``nonce`` is sent or compared. Here each login sends a fresh one, kept in the login's
  state, and the ID token must carry it back;
- ``jwtkit.fetch_key`` takes the algorithm from the token's own header. Here only the
  asymmetric algorithms below are accepted, and only the one the key itself names;
- the issuer is taken from the discovery document. Here the document and the token must both
  name exactly the issuer the office configured.

State (single use, kept in the session: ``statekit``) and PKCE (``oauth_pkce_enabled``) are
allauth's own.
"""

from __future__ import annotations

import json
import secrets

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from requests import RequestException

ACCEPTED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class LoginRefused(OAuth2Error):
    """A check of ours failed; ``message`` is what the person is told (German)."""

    message = _("Die Anmeldung über den Anmeldedienst ist fehlgeschlagen.")


class IssuerMismatch(LoginRefused):
    message = _(
        "Der Anmeldedienst hat sich mit einem unbekannten Aussteller gemeldet. Die Anmeldung "
        "wurde abgelehnt."
    )


class SignatureInvalid(LoginRefused):
    message = _(
        "Die Signatur der Anmeldebestätigung passt nicht zu den veröffentlichten Schlüsseln des "
        "Anmeldedienstes. Die Anmeldung wurde abgelehnt."
    )


class NonceMismatch(LoginRefused):
    message = _(
        "Die Anmeldebestätigung gehört nicht zu dieser Anmeldung (falsche Nonce). Die Anmeldung "
        "wurde abgelehnt."
    )


class TokenInvalid(LoginRefused):
    message = _(
        "Die Anmeldebestätigung des Anmeldedienstes ist ungültig oder abgelaufen. Die Anmeldung "
        "wurde abgelehnt."
    )


class VerifyingAdapter(OpenIDConnectOAuth2Adapter):
    """Checks every ID token: issuer, signature, audience, expiry, nonce."""

    #: the login's state as the callback found it (set by :class:`CallbackView`)
    state: dict | None = None

    @property
    def configured_issuer(self) -> str:
        from workspace.identity.models import IdentityProvider

        app = self.get_provider().app
        return IdentityProvider.objects.values_list("issuer", flat=True).get(
            pk=app.settings["identity_provider_pk"]
        )

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise TokenInvalid("no id_token in the token response")
        issuer = self.configured_issuer
        if self.openid_config.get("issuer") != issuer:
            raise IssuerMismatch(f"discovery names {self.openid_config.get('issuer')!r}")
        claims = self.verify_id_token(id_token, issuer=issuer, audience=app.client_id)
        expected_nonce = (self.state or {}).get("nonce")
        if not expected_nonce or not secrets.compare_digest(
            str(claims.get("nonce", "")), expected_nonce
        ):
            raise NonceMismatch("nonce differs")
        data = {"id_token": claims}
        if self.openid_config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
            if userinfo.get("sub") != claims.get("sub"):
                raise TokenInvalid("userinfo speaks of another subject")
            data["userinfo"] = {**claims, **userinfo}
        return self.get_provider().sociallogin_from_response(request, data)

    def verify_id_token(self, id_token: str, *, issuer: str, audience: str) -> dict:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as error:
            raise TokenInvalid("unreadable header") from error
        algorithm = header.get("alg")
        if algorithm not in ACCEPTED_ALGORITHMS:
            raise SignatureInvalid(f"algorithm {algorithm!r} not accepted")
        with get_adapter().get_requests_session() as session:
            response = session.get(self.openid_config["jwks_uri"])
            response.raise_for_status()
            keys = response.json().get("keys", [])
        candidates = [
            key
            for key in keys
            if key.get("use", "sig") == "sig"
            and key.get("alg", algorithm) == algorithm
            and ("kid" not in header or key.get("kid") == header["kid"])
        ]
        if not candidates:
            raise SignatureInvalid(f"no published key {header.get('kid')!r} for {algorithm}")
        last_error: Exception | None = None
        for candidate in candidates:
            try:
                key = jwt.PyJWK(json.loads(json.dumps(candidate)), algorithm=algorithm).key
                claims = jwt.decode(
                    id_token,
                    key=key,
                    algorithms=[algorithm],
                    issuer=issuer,
                    audience=audience,
                    options={"require": ["iss", "sub", "aud", "exp", "iat"]},
                )
            except jwt.InvalidSignatureError as error:
                last_error = error
                continue
            except jwt.PyJWTError as error:
                raise TokenInvalid(str(error)) from error
            try:
                jwtkit.verify_jti(claims)
            except OAuth2Error as error:
                raise TokenInvalid("ID token used before") from error
            return claims
        raise SignatureInvalid("signature does not verify") from last_error


class MunicipalProvider(OpenIDConnectProvider):
    """allauth's provider with our adapter, a nonce per login, and PKCE always on."""

    oauth2_adapter_class = VerifyingAdapter
    pkce_enabled_default = True

    @property
    def server_url(self) -> str:
        return self.app.settings["server_url"]

    def get_pkce_params(self) -> dict:
        params = super().get_pkce_params()
        if not params:  # PKCE is not optional here
            from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

            params = generate_code_challenge()
        return params

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        # A provider that names another issuer than the one configured is not sent anyone.
        adapter = self.get_oauth2_adapter(request)
        if adapter.openid_config.get("issuer") != adapter.configured_issuer:
            raise IssuerMismatch("discovery names another issuer")
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        # The nonce travels in the stashed state (single use, in the session) and comes back
        # to the callback with it.
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


class CallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        # allauth hands the state to the token exchange only; the nonce check needs it too.
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response


@require_POST
def login(request: HttpRequest, provider_id: str):
    """Start a login at the provider (a button of the login page posts here)."""
    try:
        return OAuth2LoginView.adapter_view(VerifyingAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
    except (LoginRefused, RequestException) as error:
        # Before the provider is even asked (its discovery failed or names another issuer).
        return render_authentication_error(request, None, exception=error)


def callback(request: HttpRequest, provider_id: str):
    """Where the provider sends the browser back with ``code`` and ``state``."""
    try:
        return CallbackView.adapter_view(VerifyingAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
