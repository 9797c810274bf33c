"""The three answers of DESIGN.md ("who may do what"), as the core gives them.

- anonymous on anything not public → :class:`LoginRequired` → redirect to the login page;
- a logged-in user who may not see an object → ``Http404``;
- who may see but not act → ``PermissionDenied`` with a German message (403 page).

:func:`decide` is the one place that turns "may not" into one of these answers; every app's
permission module says *whether* a user may see and act, and leaves the answer to it
(``tests/workspace/test_one_access_decision.py`` reads the code to keep it so). Services that
refuse an action raise ``PermissionDenied`` themselves: they have no anonymous caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

NOT_ALLOWED = _("Diese Aktion ist Ihnen nicht erlaubt.")


class LoginRequired(Exception):  # noqa: N818 – reads as the answer it is
    """Raised by access helpers when an anonymous visitor asks for something not public."""


def decide(user, *, sees: bool = True, acts: bool = True, refusal=None) -> None:
    """Let the request through, or give the one answer its "may not" deserves.

    ``sees``: whether ``user`` may see the object (or page) at all; ``acts``: whether they may
    do what they ask. Anonymous visitors are sent to log in whatever they may not (they might
    be allowed once logged in, and learn nothing about what exists); a logged-in user who may
    not see gets 404, one who may see but not act gets 403 with ``refusal``.
    """
    if sees and acts:
        return
    if not user.is_authenticated:
        raise LoginRequired
    if not sees:
        raise Http404
    raise PermissionDenied(refusal or NOT_ALLOWED)


def refuse(user, refusal=None, *, hidden: bool = False) -> NoReturn:
    """:func:`decide` for a caller that already knows the answer is no."""
    decide(user, sees=not hidden, acts=False, refusal=refusal)
    raise AssertionError("unreachable")  # pragma: no cover


def require_login(user) -> None:
    """Pages for logged-in users only: anonymous visitors are sent to log in."""
    decide(user, sees=user.is_authenticated)


class LoginRequiredMiddleware:
    """Turn :class:`LoginRequired` from any view into a redirect to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, LoginRequired):
            return redirect_to_login(request.get_full_path())
        return None
