"""All websocket routes under /ws/. The apps' consumers are wired here, like their URLs.

The last route takes every path no other one matched and refuses it before the handshake
(the browser sees 403), so an unknown path never reaches Channels' URLRouter's "No route
found" error and its traceback.
"""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.urls import path, re_path

from projects.coedit.consumers import CoeditConsumer
from projects.consumers import ProjectConsumer, ResultConsumer
from steering.consumers import MeetingConsumer
from workspace.consumers import (
    BroadcastBenchConsumer,
    NetworkPresenceConsumer,
    NotificationConsumer,  # NOTIFY
)


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Refuses the handshake of a socket path that does not exist."""

    async def connect(self) -> None:
        await self.close()


websocket_urlpatterns = [
    path("ws/netzwerk/", NetworkPresenceConsumer.as_asgi()),
    path("ws/benachrichtigungen/", NotificationConsumer.as_asgi()),  # NOTIFY
    path("ws/leitprojekte/<slug:slug>/", ProjectConsumer.as_asgi()),
    path("ws/leitprojekte/<slug:slug>/ergebnisse/<int:result_id>/", ResultConsumer.as_asgi()),
    path(
        "ws/leitprojekte/<slug:slug>/ergebnisse/<int:result_id>/gemeinsam/",
        CoeditConsumer.as_asgi(),
    ),
    path("ws/steuerkreis/sitzungen/<int:meeting_id>/", MeetingConsumer.as_asgi()),
    # The guides' shared editor: the same consumer, over the guides' kind (network.guides.coedit).
    path("ws/leitfaeden/<slug:slug>/gemeinsam/", CoeditConsumer.as_asgi(kind="guide")),
]

if settings.LIVE_BENCH_ROUTES:
    # Only for `make bench`: a bare broadcast, the floor Channels itself sets.
    websocket_urlpatterns.append(path("ws/bench/", BroadcastBenchConsumer.as_asgi()))

websocket_urlpatterns.append(re_path(r"", UnknownPathConsumer.as_asgi()))
