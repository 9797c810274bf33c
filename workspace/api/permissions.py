"""The token's scope: a read-only token never writes. What a person may see and do is asked
of each app's own permission helpers, as the pages ask them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from workspace.api.models import AccessToken

READ_ONLY = _("Dieser Zugang darf nur lesen.")


class TokenScope(BasePermission):
    message = READ_ONLY

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or not isinstance(request.auth, AccessToken):
            return True
        return request.auth.can_write
