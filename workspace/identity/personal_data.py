"""The identity app's and allauth's tables in the registry of personal data."""

from __future__ import annotations

from workspace.personal_data import BLANK, DELETE_ROW, classify


def classify_models() -> None:
    from allauth.account.models import EmailAddress, EmailConfirmation
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from allauth.usersessions.models import UserSession

    from workspace.identity.models import IdentityProvider, ProviderSession

    classify(
        IdentityProvider,
        not_personal=(
            "id",
            "name",
            "slug",
            "issuer",
            "client_id",
            "client_secret",
            "municipality",
            "municipality_claim",
            "button_text",
        ),
    )
    classify(
        ProviderSession,
        owner=("user",),
        personal={"session_key": DELETE_ROW},
        not_personal=("id", "provider", "expires_at"),
    )
    classify(
        SocialAccount,
        owner=("user",),
        personal={"uid": DELETE_ROW, "extra_data": DELETE_ROW},
        not_personal=("id", "provider", "last_login", "date_joined"),
    )
    classify(
        SocialToken, not_personal=("id", "app", "account", "token", "token_secret", "expires_at")
    )
    classify(
        SocialApp,
        not_personal=(
            "id",
            "provider",
            "provider_id",
            "name",
            "client_id",
            "secret",
            "key",
            "settings",
        ),
    )
    classify(
        EmailAddress,
        owner=("user",),
        personal={"email": DELETE_ROW},
        not_personal=("id", "verified", "primary"),
    )
    classify(
        EmailConfirmation,
        personal={"key": BLANK},
        not_personal=("id", "email_address", "created", "sent"),
    )
    classify(
        Authenticator,
        owner=("user",),
        personal={"data": DELETE_ROW},
        not_personal=("id", "type", "created_at", "last_used_at"),
    )
    classify(
        UserSession,
        owner=("user",),
        personal={"ip": DELETE_ROW, "user_agent": DELETE_ROW, "session_key": DELETE_ROW},
        not_personal=("id", "created_at", "last_seen_at", "data"),
    )
