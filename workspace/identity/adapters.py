"""The network's rules for allauth: who gets an account, and how a login ends when refused."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from requests import RequestException

from workspace.identity.oidc import LoginRefused

STATE_LOST = _(
    "Diese Anmeldung ist unbekannt, abgelaufen oder wurde schon verwendet. Bitte starten Sie die "
    "Anmeldung noch einmal auf der Anmeldeseite."
)
CANCELLED = _("Die Anmeldung wurde beim Anmeldedienst abgebrochen.")
UNREACHABLE = _("Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es später.")
FAILED = _("Die Anmeldung über den Anmeldedienst ist fehlgeschlagen.")
NO_MUNICIPALITY = _(
    "Ihr Anmeldedienst nennt keine Kommune des Netzwerks. Bitte wenden Sie sich an die "
    "Geschäftsstelle."
)


def refuse_login(request, message, *, status: int = 400):
    """End a login through a provider with a German message; nothing is created.

    The security log (workspace.audit) records a failed login naming the provider of the
    address the browser came back to. Not through Django's ``user_login_failed``: axes counts
    that signal per client address, and a town hall's shared address would then see "gesperrt"
    instead of the reason after a few cancelled or refused provider logins; there is no password
    here to guess.
    """
    from workspace.audit.models import SecurityEvent
    from workspace.audit.services import security_log

    match = getattr(request, "resolver_match", None)
    provider = (match.kwargs.get("provider_id", "") if match else "") or ""
    security_log(kind=SecurityEvent.Kind.LOGIN_FAILED, provider=provider, request=request)
    response = render(request, "identity/login_refused.html", {"message": message}, status=status)
    raise ImmediateHttpResponse(response)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # No open sign-up: accounts come from invitations, join requests or a provider.
        return False

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        # allauth's own notes ("Erfolgreich angemeldet", "App aktiviert") are English texts in
        # its templates; the pages here say what happened themselves, in German first.
        return

    def send_notification_mail(self, *args, **kwargs) -> None:
        # allauth's notification mails are English templates; the security log records
        # every change of a second factor instead (workspace.audit).
        return

    def get_client_ip(self, request) -> str:
        # The one answer to "who is the client" (trusted proxies only), as for the lock-out.
        from workspace.clients import client_address

        return client_address(request) or "0.0.0.0"  # noqa: S104 – a stand-in, never bound

    def login(self, request, user) -> None:
        # allauth would pick the first backend with get_user, which is axes' stand-alone one.
        if not hasattr(user, "backend"):
            user.backend = "workspace.backends.UserBackend"
        super().login(request, user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        from workspace.identity.models import IdentityProvider

        providers = IdentityProvider.objects.all()
        if provider and provider != "openid_connect":
            providers = providers.filter(slug=provider)
        if client_id:
            providers = providers.filter(client_id=client_id)
        return [p.as_social_app() for p in providers]

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # A provider the office configured may create accounts: that is what it is for.
        return True

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def pre_social_login(self, request, sociallogin) -> None:
        from workspace.identity.services import municipality_for_login

        if sociallogin.is_existing:
            return
        provider = _identity_provider(sociallogin)
        if municipality_for_login(provider=provider, claims=_claims(sociallogin)) is None:
            refuse_login(request, NO_MUNICIPALITY, status=403)
        from workspace.identity.views import offer_linking

        offer_linking(request, sociallogin)

    def save_user(self, request, sociallogin, form=None):
        from workspace.identity.services import provider_account_create

        return provider_account_create(
            sociallogin=sociallogin,
            provider=_identity_provider(sociallogin),
            claims=_claims(sociallogin),
            save=lambda: super(SocialAccountAdapter, self).save_user(request, sociallogin, form),
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        if error == AuthError.CANCELLED:
            refuse_login(request, CANCELLED)
        if isinstance(exception, LoginRefused):
            refuse_login(request, exception.message)
        if isinstance(exception, RequestException):
            refuse_login(request, UNREACHABLE, status=502)
        if exception is None and not (extra_context or {}).get("state"):
            refuse_login(request, STATE_LOST)
        refuse_login(request, FAILED)


def _identity_provider(sociallogin):
    from workspace.identity.models import IdentityProvider

    return IdentityProvider.objects.get(slug=sociallogin.account.provider)


def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    return {**data.get("id_token", {}), **data.get("userinfo", {})}
