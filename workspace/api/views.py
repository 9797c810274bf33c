"""What every endpoint shares: the answers of workspace.access as HTTP, ETags, the schema."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workspace.access import LoginRequired


def exception_handler(exc, context):
    """The pages' three answers, for a machine: login → 401, hidden → 404, refused → 403.

    An anonymous caller asking for anything not public gets 401 (the page would send them to
    log in) and learns nothing about what exists.
    """
    if isinstance(exc, LoginRequired):
        exc = exceptions.NotAuthenticated()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc.args[0]) if exc.args else None)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


def etag_of(data) -> str:
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def conditional(request, data, *, status_code: int = status.HTTP_200_OK) -> Response:
    """A single object with its ``ETag``; ``If-None-Match`` naming it gets 304, no body.

    The ETag is the hash of what this caller gets (names follow the public-name rule, drafts
    only for the team), so it differs between callers exactly where the content does.
    """
    etag = etag_of(data)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data, status=status_code)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
    return response


class ETagRetrieveMixin:
    """``retrieve`` with an ETag; the viewset's ``get_object`` asks the app's access helper."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return conditional(request, self.get_serializer(instance).data)


@csrf_exempt  # nothing is written here; a refused CSRF check would answer in HTML
def not_found(request):
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


def reference(request):
    """The API's reference page: every operation of the schema, readable without JavaScript."""
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    groups: dict[str, list[dict]] = {}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            tag = (operation.get("tags") or [_("Allgemein")])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "id": operation.get("operationId", f"{method}-{path}"),
                }
            )
    return render(
        request,
        "api/reference.html",
        {"groups": sorted(groups.items()), "description": schema["info"].get("description", "")},
    )


__all__ = ["ETagRetrieveMixin", "conditional", "exception_handler", "reference"]
