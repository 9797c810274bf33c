"""The pages of allauth's second factors this app uses (not all of allauth's: no trust cookie,
no separate re-authentication), under ``/konto/zweiter-faktor/``."""

from allauth.mfa.base import views as base
from allauth.mfa.recovery_codes import views as recovery_codes
from allauth.mfa.totp import views as totp
from allauth.mfa.webauthn import views as webauthn
from django.urls import path

from workspace.identity import mfa_views

urlpatterns = [
    path("", base.index, name="mfa_index"),
    path("anmelden/", base.authenticate, name="mfa_authenticate"),
    path("app/einrichten/", mfa_views.activate_totp, name="mfa_activate_totp"),
    path("app/entfernen/", totp.deactivate_totp, name="mfa_deactivate_totp"),
    path("codes/", recovery_codes.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("codes/neu/", recovery_codes.generate_recovery_codes, name="mfa_generate_recovery_codes"),
    path("schluessel/", webauthn.list_webauthn, name="mfa_list_webauthn"),
    path("schluessel/neu/", mfa_views.add_webauthn, name="mfa_add_webauthn"),
    path("schluessel/<int:pk>/entfernen/", webauthn.remove_webauthn, name="mfa_remove_webauthn"),
    # Logging in with a passkey alone (the login page's button).
    path("passkey/", webauthn.login_webauthn, name="mfa_login_webauthn"),
]
