"""ASGI entry point: HTTP through Django, WebSockets through workspace_events' routes."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from workspace_events.middleware import WorkspaceEventsAuthMiddlewareStack  # noqa: E402
from workspace_events.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            WorkspaceEventsAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
