"""``/api/v1/``: every registered viewset, the schema and its reference pages."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from workspace.api import routes
from workspace.api.views import not_found, reference

app_name = "api"

router = SimpleRouter(trailing_slash=True, use_regex_path=False)
for route in routes():
    router.register(route.prefix, route.viewset, basename=route.basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("referenz/", reference, name="reference"),
    path(
        "referenz/swagger/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="swagger",
    ),
    *router.urls,
    # Anything else under /api/v1/ is answered as the API answers, not with the HTML 404 page.
    re_path(r"^.*$", not_found, name="not-found"),
]
