"""Pages of the core: the start page, municipalities, the own account and health."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workspace import selectors
from workspace.hooks import sections_for
from workspace.models import Municipality

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "overview": selectors.network_overview(),
        "pioneers": list(Municipality.objects.pioneers().order_by("name")),
        "sections": sections_for("home", request),
    }
    return render(request, "workspace/home.html", context)


@require_GET
def municipality_list(request: HttpRequest) -> HttpResponse:
    municipalities = list(selectors.network_members())
    return render(
        request,
        "workspace/municipality_list.html",
        {"municipalities": municipalities, "districts": Municipality.District},
    )


@require_GET
def municipality_detail(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.select_related("cohort"), slug=slug)
    return render(
        request,
        "workspace/municipality_detail.html",
        {
            "municipality": municipality,
            "sections": sections_for("municipality_detail", request, municipality),
        },
    )


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/account.html",
        {"memberships": selectors.active_memberships_of(request.user)},
    )


async def _channel_layer_round_trip() -> None:
    """Send one message to a fresh channel and read it back: nothing is left behind."""
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.probe"})
    await asyncio.wait_for(layer.receive(channel), timeout=2)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Health of each part. 503 only when the database is unreachable."""
    parts = {"database": "ok", "channel_layer": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("Healthz: Datenbank nicht erreichbar")
        parts["database"] = "unreachable"
        status = 503
    try:
        async_to_sync(_channel_layer_round_trip)()
    except Exception:
        logger.warning("Healthz: Kanalschicht nicht erreichbar", exc_info=True)
        parts["channel_layer"] = "degraded"
    overall = "ok" if status == 200 and parts["channel_layer"] == "ok" else "degraded"
    if status == 503:
        overall = "unavailable"
    return JsonResponse({"status": overall, **parts}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset flow, with absolute links built from ``SITE_URL`` (not the Host header)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        return {"site_url": settings.SITE_URL}
