from django.conf import settings
from django.http import HttpRequest

from workspace.permissions import is_network_office


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "SITE_URL": settings.SITE_URL,
        "is_network_office": bool(user and is_network_office(user)),
    }
