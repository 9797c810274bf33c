"""Who calls the API: a personal access token, or the browser's session (with CSRF)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from workspace.api.models import AccessToken, token_prefix

# The last use is written at most once a minute per token, so reading costs no write.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


class AccessTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer kr_…``. A token that is unknown, revoked or expired, or whose
    person was off-boarded or erased (account no longer active), is refused at once with 401:
    the check is made on every request, nothing is cached."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Der Zugang fehlt oder ist ungültig."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Der Zugang ist ungültig.")) from error
        prefix = token_prefix(token)
        row = (
            AccessToken.objects.select_related("user").filter(prefix=prefix).first()
            if prefix
            else None
        )
        if row is None or not row.matches(token):
            raise exceptions.AuthenticationFailed(_("Der Zugang ist ungültig."))
        if row.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Dieser Zugang wurde widerrufen."))
        if row.is_expired:
            raise exceptions.AuthenticationFailed(_("Dieser Zugang ist abgelaufen."))
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("Dieses Konto ist nicht mehr aktiv."))
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USE_PRECISION:
            AccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        return row.user, row

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class SessionWithCsrfAuthentication(authentication.SessionAuthentication):
    """The browser's session; DRF checks the CSRF token on every unsafe method."""
