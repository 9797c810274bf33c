"""The WSGI path stays synchronous: a middleware that cannot run synchronously makes Django
run the whole chain through async_to_sync, a thread and an event loop per request (measured:
a bare view served four times fewer requests per second under gunicorn)."""

import asyncio

import pytest
from asgiref.sync import markcoroutinefunction
from django.core.handlers.wsgi import WSGIHandler
from django.test import AsyncClient, override_settings


class AsyncOnlyMiddleware:
    """Stands for servestatic's middleware, which is async-only."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request):
        return await self.get_response(request)


class RecordingHandler(WSGIHandler):
    """Notes every place where Django has to put an adapter between two middlewares."""

    def load_middleware(self, is_async=False):
        self.adapted = []
        super().load_middleware(is_async)

    def adapt_method_mode(self, is_async, method, method_is_async=None, debug=False, name=None):
        if method_is_async is None:
            method_is_async = asyncio.iscoroutinefunction(method)
        if is_async != method_is_async:
            self.adapted.append(name or repr(method))
        return super().adapt_method_mode(is_async, method, method_is_async, debug, name)


def adapters(handler: RecordingHandler) -> list[str]:
    return handler.adapted


def test_the_wsgi_chain_needs_no_adapter(db):
    assert adapters(RecordingHandler()) == []


def test_an_async_only_middleware_would_be_noticed(db, settings):
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.AsyncOnlyMiddleware"]):
        assert adapters(RecordingHandler()) != []


def test_axes_answers_through_its_subclass(settings):
    """axes' system check looks for its own path; the chain holds its subclass instead (the
    check is silenced in the settings for that reason only), last before the page cache."""
    assert "axes.middleware.AxesMiddleware" not in settings.MIDDLEWARE
    assert settings.MIDDLEWARE[-2:] == [
        "workspace.middleware.AxesMiddleware",
        "workspace.pagecache.PageCacheMiddleware",
    ]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_same_chain_serves_a_page_under_asgi():
    """The middlewares that decide sync or async once at start (axes' subclass among them) still
    serve a request on the async path, with the security headers."""
    response = await AsyncClient().get("/leitprojekte/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
