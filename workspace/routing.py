"""All websocket routes under /ws/. Apps add theirs here as they arrive."""

from django.urls import path

from workspace.consumers import NetworkPresenceConsumer

websocket_urlpatterns = [
    path("ws/netzwerk/", NetworkPresenceConsumer.as_asgi()),
]
