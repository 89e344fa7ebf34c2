"""ASGI entry point: HTTP through Django, WebSockets through workspace_events' routes.

Static files are served by the application itself, so the demo works under any ASGI
server without ``collectstatic`` (a real deployment would use WhiteNoise or a CDN), and
the first request starts the simulated provisioner and agents of this process.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from workspace_events.middleware import WorkspaceEventsAuthMiddlewareStack  # noqa: E402
from workspace_events.routing import websocket_urlpatterns  # noqa: E402
from workspaces.simulators import with_simulators  # noqa: E402

application = with_simulators(
    ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_asgi_app),
            "websocket": AllowedHostsOriginValidator(
                WorkspaceEventsAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)
