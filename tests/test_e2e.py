"""End to end over real sockets: the example project served by real ASGI servers on Redis."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from .redis_support import shared_redis_url, unique_prefix
from .servers import ExampleProject

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

W = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
UPDATE = {
    "workspace_id": W,
    "workspace_name": "dev",
    "build_id": "00000000-0000-4000-8000-00000000000b",
    "transition": "start",
    "job_status": "succeeded",
    "build_number": 7,
}
UPDATE_JSON = (
    '{"workspace_id":"%s","workspace_name":"dev","build_id":"00000000-0000-4000-8000-00000000000b",'
    '"transition":"start","job_status":"succeeded","build_number":7}' % W
)

SETUP = """
import json
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from workspace_events import owner_id_for
perms = Permission.objects.filter(codename__in=[
    "publish_build_update", "publish_workspace_event", "watch_all_builds"])
bot = User.objects.create_user("provisioner", password="pw")
bot.user_permissions.set(perms)
ada = User.objects.create_user("ada", password="pw")
print(json.dumps({
    "bot": Token.objects.create(user=bot).key,
    "ada": Token.objects.create(user=ada).key,
    "ada_owner": str(owner_id_for(ada)),
}))
"""


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ExampleProject, dict[str, str]]]:
    directory: Path = tmp_path_factory.mktemp("e2e")
    example = ExampleProject(directory, REDIS_URL=shared_redis_url(), REDIS_PREFIX=unique_prefix())
    example.manage("migrate", "--noinput")
    tokens = example.shell(SETUP)
    yield example, tokens
    example.stop()


def post(port: int, path: str, token: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/workspace-events/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def socket_for(port: int, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Token {token}"} if token else {}
    return connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers=headers,
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        open_timeout=10,
    )


async def test_one_server_token_client_receives_the_exact_json(project) -> None:
    example, tokens = project
    port = await asyncio.to_thread(example.serve, "uvicorn")
    async with socket_for(port, "/ws/workspace-builds/", tokens["bot"]) as builds:
        assert await asyncio.wait_for(builds.recv(), 10) == '{"type":"ping"}'
        status, body = await asyncio.to_thread(post, port, "build-updates/", tokens["bot"], UPDATE)
        assert status == 202
        frame = await asyncio.wait_for(builds.recv(), 10)
        assert frame == '{"type":"data","id":%d,"data":%s}' % (body["id"], UPDATE_JSON)

    async with socket_for(port, "/ws/workspace-events/", tokens["ada"]) as events:
        assert await asyncio.wait_for(events.recv(), 10) == '{"type":"ping"}'
        event = {
            "owner_id": tokens["ada_owner"],
            "kind": "agt_first_logs",
            "workspace_id": W,
            "agent_id": "00000000-0000-4000-8000-00000000000a",
        }
        status, body = await asyncio.to_thread(post, port, "events/", tokens["bot"], event)
        assert status == 202
        assert await asyncio.wait_for(events.recv(), 10) == (
            '{"type":"data","id":%d,"data":{"kind":"agt_first_logs","workspace_id":"%s",'
            '"agent_id":"00000000-0000-4000-8000-00000000000a"}}' % (body["id"], W)
        )


async def test_two_servers_share_one_stream_through_redis(project) -> None:
    example, tokens = project
    daphne = await asyncio.to_thread(example.serve, "daphne")
    uvicorn = await asyncio.to_thread(example.serve, "uvicorn")
    async with (
        socket_for(daphne, "/ws/workspace-builds/", tokens["bot"]) as on_daphne,
        socket_for(uvicorn, "/ws/workspace-builds/", tokens["bot"]) as on_uvicorn,
    ):
        for client in (on_daphne, on_uvicorn):
            assert await asyncio.wait_for(client.recv(), 10) == '{"type":"ping"}'
        status, body = await asyncio.to_thread(
            post, uvicorn, "build-updates/", tokens["bot"], UPDATE
        )
        assert status == 202
        expected = '{"type":"data","id":%d,"data":%s}' % (body["id"], UPDATE_JSON)
        assert await asyncio.wait_for(on_daphne.recv(), 10) == expected
        assert await asyncio.wait_for(on_uvicorn.recv(), 10) == expected
        status, body = await asyncio.to_thread(
            post, daphne, "build-updates/", tokens["bot"], UPDATE
        )
        assert status == 202
        expected = '{"type":"data","id":%d,"data":%s}' % (body["id"], UPDATE_JSON)
        assert await asyncio.wait_for(on_uvicorn.recv(), 10) == expected


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/ws/workspace-events/", None),
        ("/ws/workspace-builds/", "ada"),
        (f"/ws/workspace-events/?owner_id={uuid.uuid4()}", "ada"),
        ("/ws/workspace-events/?last_event_id=x", "ada"),
    ],
)
async def test_refused_handshakes_are_http_403(project, path: str, who: str | None) -> None:
    example, tokens = project
    port = await asyncio.to_thread(example.serve, "uvicorn")
    with pytest.raises(InvalidStatus) as info:
        async with socket_for(port, path, tokens[who] if who else None):
            pass
    assert info.value.response.status_code == 403
