"""ASGI middleware: authenticate a WebSocket handshake with ``Authorization: Token <key>``."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser


def _user_for_token(header: str) -> Any:
    """The active user owning the DRF token in ``header``, else ``AnonymousUser``."""
    from django.apps import apps
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    keyword, _, key = header.strip().partition(" ")
    key = key.strip()
    if keyword.lower() != "token" or not key or " " in key:
        return AnonymousUser()
    if not apps.is_installed("rest_framework.authtoken"):
        return AnonymousUser()  # check W003 says so
    try:
        user, _ = TokenAuthentication().authenticate_credentials(key)
    except AuthenticationFailed:
        return AnonymousUser()
    return user


user_for_token = database_sync_to_async(_user_for_token)


class TokenAuthMiddleware(BaseMiddleware):  # type: ignore[misc]
    """Set ``scope["user"]`` from a DRF token in the handshake's ``Authorization`` header.

    A handshake without the header keeps the user found so far (the session's, under
    ``AuthMiddlewareStack``); a header with a bad token makes the user anonymous, so the
    connection is refused rather than falling back to the session.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scope = dict(scope, user=await user_for_token(value.decode("latin-1")))
                break
        return await super().__call__(scope, receive, send)


def WorkspaceEventsAuthMiddlewareStack(inner: Any) -> Any:
    """Session authentication, then DRF token authentication, around ``inner``."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
