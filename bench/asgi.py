"""The benchmark server: ``/ws/workspace-events/`` (ours) and ``/ws/bare/`` (the baseline)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from workspace_events.middleware import WorkspaceEventsAuthMiddlewareStack  # noqa: E402
from workspace_events.routing import websocket_urlpatterns  # noqa: E402

from .baseline import BareConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WorkspaceEventsAuthMiddlewareStack(
            URLRouter([*websocket_urlpatterns, path("ws/bare/", BareConsumer.as_asgi())])
        ),
    }
)
