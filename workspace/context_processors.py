from django.conf import settings
from django.http import HttpRequest

from workspace.pagecache import CSRF_PLACEHOLDER, rendering_for_cache
from workspace.permissions import is_network_office


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    context = {
        "SITE_URL": settings.SITE_URL,
        "is_network_office": bool(user and is_network_office(user)),
    }
    if rendering_for_cache(request):
        # A kept page is served to others too: each answer gets its visitor's own token.
        context["csrf_token"] = CSRF_PLACEHOLDER
    return context
