"""Until a person who must use a second factor has used one, they can do nothing else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from workspace.identity.second_factor import (
    has_second_factor,
    second_factor_required,
    session_verified,
)


class SecondFactorMiddleware:
    """Send a person who must use a second factor, and has not in this session, to set one up.

    Without one yet: to the setup page (its pages and logging out stay open). With one, but a
    session that never asked for it (begun before the rule applied to them): logged out, so the
    next login asks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, nobody logged in: the person need not be looked up for this.
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not session_verified(request)  # no query: asked first
            and not self._open(request.path)
            and second_factor_required(user)
        ):
            if has_second_factor(user):
                logout(request)
                return redirect_to_login(request.get_full_path())
            messages.warning(
                request,
                _(
                    "Ihr Konto hat Rechte, die einen zweiten Faktor brauchen. Bitte richten Sie "
                    "jetzt eine Authenticator-App oder einen Passkey ein; vorher ist nichts "
                    "anderes möglich."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(
            (
                reverse("mfa_index"),
                reverse("logout"),
                settings.STATIC_URL,
                "/healthz",
            )
        )
