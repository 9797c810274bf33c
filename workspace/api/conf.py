"""Settings of Django REST Framework and drf-spectacular (imported by workspace/settings.py).

Plain values only: this module is read while the settings load, before any app.
"""

from django.utils.translation import gettext_lazy as _

REST_FRAMEWORK = {
    # The token first: its answer to a missing login is 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workspace.api.authentication.AccessTokenAuthentication",
        "workspace.api.authentication.SessionWithCsrfAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["workspace.api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["workspace.api.throttling.SharedCacheThrottle"],
    "DEFAULT_PAGINATION_CLASS": "workspace.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "workspace.api.views.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Klassenraum API",
    "DESCRIPTION": _(
        "Die offene Schnittstelle des Netzwerks Smart Cities: Schule. Sie zeigt genau das, "
        "was die Seiten der aufrufenden Person zeigen. Anmeldung mit einem persönlichen "
        "Zugang (Authorization: Bearer …), angelegt unter /konto/zugaenge/, oder mit der "
        "Sitzung des Browsers (mit CSRF-Token)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models call their choices Kind, State or Status: each set gets its own name
    # (otherwise the schema carries hashed names and `check --deploy` warns).
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.models.LeadProject.Status",
        "ProjectKindEnum": "projects.models.LeadProject.Kind",
        "ResultKindEnum": "projects.models.Result.Kind",
        "ProposalKindEnum": "steering.models.Proposal.Kind",
        "MeetingStateEnum": "steering.models.Meeting.State",
        "IssueStateEnum": "network.newsletter.models.Issue.State",
        "GuideStatusEnum": "network.guides.models.Guide.Status",
    },
    "DISABLE_ERRORS_AND_WARNINGS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workspace.api.schema.add_error_responses",
    ],
}
