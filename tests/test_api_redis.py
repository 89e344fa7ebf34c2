"""The HTTP API with the real Redis going away: 503, the event kept in the log."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from workspace_events.models import EventLogEntry

from .redis_support import RedisServer, unique_prefix

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

UPDATE = {
    "workspace_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "build_id": "00000000-0000-4000-8000-00000000000b",
    "transition": "start",
    "job_status": "pending",
    "build_number": 1,
}


@pytest.mark.parametrize(
    "backend",
    ["channels_redis.pubsub.RedisPubSubChannelLayer", "channels_redis.core.RedisChannelLayer"],
)
def test_redis_down_is_503_and_the_event_stays_logged(
    redis_server: RedisServer, backend: str
) -> None:
    user = get_user_model().objects.create_user("provisioner", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="publish_build_update"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    layers = {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [redis_server.url], "prefix": unique_prefix()},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers, WORKSPACE_EVENTS_PUBLISH_TIMEOUT=2.0):
        body = json.dumps(UPDATE)
        assert client.post(BUILDS, body, content_type="application/json").status_code == 202
        redis_server.kill()
        response = client.post(BUILDS, body, content_type="application/json")
        assert response.status_code == 503
        detail = response.json()["detail"]
        assert "could not be published" in detail
        latest = EventLogEntry.objects.latest("id")
        assert f"logged as event {latest.id}" in detail
        assert EventLogEntry.objects.count() == 2


BUILDS = "/api/workspace-events/build-updates/"
