"""What happens at a login through a provider (allauth's signal carries the social login)."""

from __future__ import annotations

import datetime

from allauth.account.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="identity-provider-session")
def provider_session_begins(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None:
        return
    from workspace.identity.models import IdentityProvider
    from workspace.identity.services import provider_session_start

    provider = IdentityProvider.objects.filter(slug=sociallogin.account.provider).first()
    if provider is None:
        return
    exp = (sociallogin.account.extra_data or {}).get("id_token", {}).get("exp")
    provider_session_start(
        provider=provider,
        user=user,
        session=request.session,
        token_expires_at=getattr(sociallogin.token, "expires_at", None),
        id_token_expires_at=(
            datetime.datetime.fromtimestamp(exp, tz=datetime.UTC) if exp else None
        ),
    )
    request.session["identity_provider"] = provider.slug
