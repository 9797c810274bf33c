"""The three answers of DESIGN.md ("who may do what"), as the core gives them.

- anonymous on anything not public → :class:`LoginRequired` → redirect to the login page;
- a logged-in user who may not see an object → ``Http404``;
- who may see but not act → ``PermissionDenied`` with a German message (403 page).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse


class LoginRequired(Exception):  # noqa: N818 – reads as the answer it is
    """Raised by access helpers when an anonymous visitor asks for something not public."""


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
