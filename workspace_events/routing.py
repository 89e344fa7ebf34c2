"""WebSocket routes. Mount them in your ASGI application::

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from workspace_events.middleware import WorkspaceEventsAuthMiddlewareStack
from workspace_events.routing import websocket_urlpatterns

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(
        WorkspaceEventsAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    ),
})
"""

from __future__ import annotations

from django.urls import path

from .consumers import WorkspaceBuildsConsumer, WorkspaceEventsConsumer

websocket_urlpatterns = [
    path("ws/workspace-events/", WorkspaceEventsConsumer.as_asgi(), name="workspace-events"),
    path("ws/workspace-builds/", WorkspaceBuildsConsumer.as_asgi(), name="workspace-builds"),
]
