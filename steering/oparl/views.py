"""OParl 1.1 endpoints: read-only JSON for everyone, open to every origin without credentials.

Each request first brings the record up to date (``publish.refresh``), then answers from it: an
object by its URL (a stub once it left the public), a list page by page with ``links`` and the
``created_since``/``created_until``/``modified_since``/``modified_until`` filters. Stubs of
objects that left the public are listed when a client syncs with ``modified_since``; their own
URLs answer with the stub always, as OParl requires (never 404 or 410).
"""

from __future__ import annotations

import datetime
import math
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from steering.models import PublishedObject
from steering.oparl import publish

PAGE_SIZE = 100
FILTERS = {
    "created_since": "created__gte",
    "created_until": "created__lte",
    "modified_since": "modified__gte",
    "modified_until": "modified__lte",
}
# Properties that hold URLs of this server (made absolute on the way out); every other string
# (names, minutes) is left as written.
URL_PROPERTIES = {
    "id", "system", "body", "organization", "person", "meeting", "paper", "agendaItem",
    "consultation", "file", "locationList", "legislativeTermList", "membership",
    "mainOrganization", "web", "website", "accessUrl", "downloadUrl", "meetings", "masterFile",
    "derivativeFile",
}  # fmt: skip


def read_only(view):
    """GET, HEAD and the CORS preflight; anything else is 405. Nothing here changes anything,
    so a POST from another origin gets that honest 405 rather than the CSRF refusal."""
    return csrf_exempt(require_http_methods(["GET", "HEAD", "OPTIONS"])(view))


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _json(data: dict[str, Any], status: int = 200) -> HttpResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    return _cors(response)


def _error(message: str, status: int) -> HttpResponse:
    return _json({"error": message}, status=status)


def _preflight() -> HttpResponse:
    return _cors(HttpResponse(status=204))


def _absolute(request: HttpRequest, value: Any, name: str | None = None) -> Any:
    if isinstance(value, dict):
        return {key: _absolute(request, inner, key) for key, inner in value.items()}
    if isinstance(value, list):
        return [_absolute(request, inner, name) for inner in value]
    if isinstance(value, str) and name in URL_PROPERTIES and value.startswith("/"):
        return request.build_absolute_uri(value)
    return value


def _stamp(record: PublishedObject, data: dict[str, Any]) -> dict[str, Any]:
    data["created"] = timezone.localtime(record.created).isoformat()
    data["modified"] = timezone.localtime(record.modified).isoformat()
    return data


def _embedded_keys(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"$embed"}:
            found.add(value["$embed"])
        else:
            for inner in value.values():
                _embedded_keys(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _embedded_keys(inner, found)
    return found


def _embedded_records(records: list[PublishedObject]) -> dict[str, PublishedObject]:
    """The objects the given ones embed, in one query."""
    keys = set()
    for record in records:
        _embedded_keys(record.payload, keys)
    if not keys:
        return {}
    pairs = [key.partition("/") for key in keys]
    rows = PublishedObject.objects.filter(
        kind__in={kind for kind, _, _ in pairs}, ident__in={ident for _, _, ident in pairs}
    )
    return {f"{r.kind}/{r.ident}": r for r in rows if f"{r.kind}/{r.ident}" in keys}


def _expand(value: Any, embedded: dict[str, PublishedObject]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$embed"}:
            record = embedded[value["$embed"]]
            return _stamp(record, _expand(dict(record.payload), embedded))
        return {key: _expand(inner, embedded) for key, inner in value.items()}
    if isinstance(value, list):
        return [_expand(inner, embedded) for inner in value]
    return value


def _render(record: PublishedObject, embedded: dict[str, PublishedObject]) -> dict[str, Any]:
    if record.deleted:
        path = publish.object_path(record.kind, record.ident) if record.kind != "System" else "/"
        data = {"id": path, "type": f"{publish.OPARL}{record.kind}", "deleted": True}
        return _stamp(record, data)
    return _stamp(record, _expand(dict(record.payload), embedded))


@read_only
def system(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight()
    publish.refresh()
    record = PublishedObject.objects.get(kind="System", ident="")
    return _json(_absolute(request, _render(record, {})))


def _kind(segment: str) -> str:
    kind = publish.KINDS.get(segment)
    if kind is None:
        raise Http404
    return kind


def _moment(text: str) -> datetime.datetime:
    text = text.strip()
    if "T" in text:  # an unencoded "+" of the time zone arrives as a space
        text = text.replace(" ", "+")
    moment = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")


@read_only
def object_list(request: HttpRequest, segment: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight()
    kind = _kind(segment)
    condition = Q(kind=kind)
    for parameter, lookup in FILTERS.items():
        if parameter in request.GET:
            try:
                condition &= Q(**{lookup: _moment(request.GET[parameter])})
            except ValueError:
                return _error(f"{parameter}: kein Zeitpunkt nach ISO 8601", 400)
    if "modified_since" not in request.GET:
        condition &= Q(deleted=False)
    try:
        size = min(max(int(request.GET.get("limit", PAGE_SIZE)), 1), PAGE_SIZE)
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return _error("page und limit sind ganze Zahlen", 400)

    publish.refresh()
    rows = PublishedObject.objects.filter(condition).order_by("pk")
    total = rows.count()
    pages = max(math.ceil(total / size), 1)
    records = list(rows[(page - 1) * size : page * size])
    embedded = _embedded_records(records)
    links = {"first": _page_url(request, 1), "last": _page_url(request, pages)}
    if page > 1:
        links["prev"] = _page_url(request, min(page - 1, pages))
    if page < pages:
        links["next"] = _page_url(request, page + 1)
    data = {
        "data": [_render(record, embedded) for record in records],
        "pagination": {
            "totalElements": total,
            "elementsPerPage": size,
            "currentPage": page,
            "totalPages": pages,
        },
        "links": links,
    }
    return _json(_absolute(request, data))


def _record(segment: str, ident: str) -> PublishedObject:
    record = PublishedObject.objects.filter(kind=_kind(segment), ident=ident).first()
    if record is None:
        raise Http404
    return record


@read_only
def object_detail(request: HttpRequest, segment: str, ident: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight()
    publish.refresh()
    try:
        record = _record(segment, ident)
    except Http404:
        return _error("Dieses Objekt gibt es nicht.", 404)
    return _json(_absolute(request, _render(record, _embedded_records([record]))))


@read_only
def file_content(request: HttpRequest, ident: str) -> HttpResponse:
    """A File's content (the Markdown text of minutes or an agreement); gone with its File."""
    if request.method == "OPTIONS":
        return _preflight()
    publish.refresh()
    record = PublishedObject.objects.filter(kind="File", ident=ident, deleted=False).first()
    if record is None:
        return _error("Diese Datei gibt es nicht.", 404)
    response = HttpResponse(record.payload["text"], content_type="text/markdown; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{record.payload["fileName"]}"'
    return _cors(response)
