"""What the OpenAPI schema says beyond the viewsets: how to log in, and the error answers.

Every operation may answer 401 (no or a bad token where a login is needed), 403, 404 and 429
(throttled); these are documented once here, so a client — and Schemathesis — finds every
answer the API gives in the schema.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension


def _error() -> dict:
    return {
        "type": "object",
        "properties": {"detail": {"type": "string", "description": str(_("Der Grund"))}},
        "required": ["detail"],
    }


ERRORS = {
    "400": _("Ungültige Angaben; nichts wurde geschrieben"),
    "401": _("Anmeldung nötig, oder der Zugang ist ungültig, abgelaufen oder widerrufen"),
    "403": _("Nicht erlaubt (oder ein Zugang, der nur lesen darf)"),
    "404": _("Nicht vorhanden, oder für Sie nicht sichtbar"),
    "405": _("Diese Methode nimmt die Adresse nicht an"),
    "429": _("Zu viele Anfragen; später erneut versuchen (Retry-After)"),
}


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workspace.api.authentication.AccessTokenAuthentication"
    name = "zugang"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("Persönlicher Zugang (kr_…), angelegt unter /konto/zugaenge/")),
        }


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the error answers it may give."""
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code == "400":
                    # Validation errors name the fields: an object or a list of messages.
                    schema = {}
                else:
                    schema = _error()
                responses.setdefault(
                    code,
                    {
                        "description": str(description),
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "workspace.api.authentication.SessionWithCsrfAuthentication"
    name = "sitzung"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": str(_("Die Sitzung des Browsers; schreibend mit X-CSRFToken")),
        }
