"""allauth's second-factor pages, with one addition: the session that just proved a new
factor (a valid code from the app, or the key itself) counts as verified by it at once."""

from __future__ import annotations

from allauth.mfa.totp import views as totp
from allauth.mfa.webauthn import views as webauthn

from workspace.identity.second_factor import mark_session_verified


class ActivateTOTPView(totp.ActivateTOTPView):
    def form_valid(self, form):
        response = super().form_valid(form)
        mark_session_verified(self.request, user=self.request.user, kind="totp")
        return response


activate_totp = ActivateTOTPView.as_view()


class AddWebAuthnView(webauthn.AddWebAuthnView):
    def form_valid(self, form):
        response = super().form_valid(form)
        mark_session_verified(self.request, user=self.request.user, kind="webauthn")
        return response


add_webauthn = AddWebAuthnView.as_view()
