"""The WebSocket streams, driven with Channels' WebsocketCommunicator."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import override_settings
from django.urls import path

from workspace_events import WorkspaceBuildUpdate, WorkspaceEvent, owner_id_for
from workspace_events.consumers import WorkspaceEventsConsumer
from workspace_events.emit import asend, build_record, event_record
from workspace_events.pubsub import get_pubsub
from workspace_events.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

W1, W2 = uuid.UUID(int=101), uuid.UUID(int=102)
AGENT = uuid.UUID(int=103)


class SlowClientConsumer(WorkspaceEventsConsumer):
    """A client that does not read data frames until the test opens the gate."""

    gate = asyncio.Event()

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        if text_data and text_data.startswith('{"type":"data"'):
            await SlowClientConsumer.gate.wait()
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)


application = URLRouter(
    [
        *websocket_urlpatterns,
        path("ws/slow/", SlowClientConsumer.as_asgi()),
    ]
)


def make_user(name: str, *perms: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(name, password="pw", **extra)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
async def ada() -> Any:
    return await sync_to_async(make_user)("ada")


@pytest.fixture
async def bob() -> Any:
    return await sync_to_async(make_user)("bob")


class Client:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def frame(self, timeout: float = 2) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout))  # type: ignore[no-any-return]

    async def text(self, timeout: float = 2) -> str:
        return await self.communicator.receive_from(timeout)  # type: ignore[no-any-return]

    async def nothing(self, timeout: float = 0.05) -> bool:
        return await self.communicator.receive_nothing(timeout)  # type: ignore[no-any-return]


@pytest.fixture
async def opened() -> AsyncIterator[list[WebsocketCommunicator]]:
    communicators: list[WebsocketCommunicator] = []
    yield communicators
    for communicator in communicators:
        await communicator.disconnect()


async def connect(
    opened: list[WebsocketCommunicator], url: str, user: Any, headers: list[Any] | None = None
) -> tuple[bool, Any, Client]:
    communicator = WebsocketCommunicator(application, url, headers=headers or [])
    communicator.scope["user"] = user
    connected, detail = await communicator.connect()
    if connected:
        opened.append(communicator)
    return connected, detail, Client(communicator)


async def publish(owner: Any, event: WorkspaceEvent) -> int | None:
    return await asend(
        event_record(owner_id_for(owner) if not isinstance(owner, uuid.UUID) else owner, event)
    )


# Access


async def test_own_events_arrive_exactly(opened, ada) -> None:
    connected, _, client = await connect(opened, "/ws/workspace-events/", ada)
    assert connected
    assert await client.text() == '{"type":"ping"}'
    event = WorkspaceEvent("agt_lifecycle_update", W1, AGENT)
    event_id = await publish(ada, event)
    assert (
        await client.text()
        == f'{{"type":"data","id":{event_id},"data":{event.to_json().decode()}}}'
    )


async def test_events_of_another_owner_never_arrive(opened, ada, bob) -> None:
    _, _, client = await connect(opened, "/ws/workspace-events/", ada)
    await client.frame()
    await publish(bob, WorkspaceEvent("state_change", W1))
    await publish(ada, WorkspaceEvent("mtd_update", W2))
    frame = await client.frame()
    assert frame["data"]["kind"] == "mtd_update"


async def test_explicit_own_owner_id_is_allowed(opened, ada) -> None:
    connected, _, _ = await connect(
        opened, f"/ws/workspace-events/?owner_id={owner_id_for(ada)}", ada
    )
    assert connected


async def refusal(opened: list[WebsocketCommunicator], url: str, user: Any) -> Any:
    connected, code, _ = await connect(opened, url, user)
    assert not connected
    return code


async def test_refusals_are_all_alike(opened, ada, bob) -> None:
    codes = {
        "foreign owner": await refusal(
            opened, f"/ws/workspace-events/?owner_id={owner_id_for(bob)}", ada
        ),
        "unknown owner": await refusal(
            opened, f"/ws/workspace-events/?owner_id={uuid.uuid4()}", ada
        ),
        "anonymous": await refusal(opened, "/ws/workspace-events/", AnonymousUser()),
        "no user at all": await refusal(opened, "/ws/workspace-events/", None),
        "builds without permission": await refusal(opened, "/ws/workspace-builds/", ada),
        "anonymous builds": await refusal(opened, "/ws/workspace-builds/", AnonymousUser()),
        "bad owner id": await refusal(opened, "/ws/workspace-events/?owner_id=nope", ada),
    }
    assert len(set(codes.values())) == 1, codes


@pytest.mark.parametrize(
    "query",
    [
        "owner_id=nope",
        "owner_id=00000000-0000-0000-0000-000000000000",
        "owner_id=",
        "workspace_id=nope",
        "workspace_id=00000000-0000-0000-0000-000000000000",
        "last_event_id=-1",
        "last_event_id=1.5",
        "last_event_id=abc",
        "last_event_id=",
        "last_event_id=99999999999999999999",
        f"workspace_id={W1}&workspace_id={W2}",
        "last_event_id=%ff",
    ],
)
async def test_malformed_queries_are_refused(opened, ada, query: str) -> None:
    await refusal(opened, f"/ws/workspace-events/?{query}", ada)


async def test_builds_stream_rejects_owner_id(opened) -> None:
    # Unknown parameters are ignored, but a malformed known one is refused.
    operator = await sync_to_async(make_user)("op", "watch_all_builds")
    assert (await connect(opened, "/ws/workspace-builds/?owner_id=x&utm=1", operator))[0]
    await refusal(opened, "/ws/workspace-builds/?workspace_id=x", operator)


async def test_watch_any_owner_permission(opened, bob) -> None:
    watcher = await sync_to_async(make_user)("watcher", "watch_any_owner")
    connected, _, client = await connect(
        opened, f"/ws/workspace-events/?owner_id={owner_id_for(bob)}", watcher
    )
    assert connected
    await client.frame()
    await publish(bob, WorkspaceEvent("state_change", W1))
    assert (await client.frame())["data"]["workspace_id"] == str(W1)


async def test_builds_stream_with_permission_or_as_superuser(opened) -> None:
    operator = await sync_to_async(make_user)("op", "watch_all_builds")
    root = await sync_to_async(get_user_model().objects.create_superuser)("root", password="pw")
    clients = []
    for user in (operator, root):
        connected, _, client = await connect(opened, "/ws/workspace-builds/", user)
        assert connected
        assert await client.frame() == {"type": "ping"}
        clients.append(client)
    update = WorkspaceBuildUpdate(
        workspace_id=W1, build_id=W2, transition="start", job_status="running", build_number=2
    )
    event_id = await asend(build_record(update))
    for client in clients:
        expected = f'{{"type":"data","id":{event_id},"data":{update.to_json().decode()}}}'
        assert await client.text() == expected


async def test_inactive_user_is_refused(opened) -> None:
    user = await sync_to_async(make_user)("gone", is_active=False)
    await refusal(opened, "/ws/workspace-events/", user)


# Filtering, heartbeat, one-way


async def test_workspace_filter(opened, ada) -> None:
    _, _, client = await connect(opened, f"/ws/workspace-events/?workspace_id={W2}", ada)
    await client.frame()
    await publish(ada, WorkspaceEvent("state_change", W1))
    await publish(ada, WorkspaceEvent("stats_update", W2))
    # Another publisher's spelling of the same workspace still matches.
    channel = f"workspace_owner:{owner_id_for(ada)}"
    await get_pubsub().apublish(
        channel, b'{"Workspace_ID": "%s", "kind": "mtd_update"}' % str(W2).upper().encode()
    )
    assert (await client.frame())["data"]["kind"] == "stats_update"
    assert (await client.frame())["data"] == {
        "Workspace_ID": str(W2).upper(),
        "kind": "mtd_update",
    }
    assert await client.nothing()


@override_settings(WORKSPACE_EVENTS_HEARTBEAT_INTERVAL=0.05)
async def test_heartbeat_pings(opened, ada) -> None:
    _, _, client = await connect(opened, "/ws/workspace-events/", ada)
    frames = [await client.frame(timeout=1) for _ in range(4)]
    assert frames == [{"type": "ping"}] * 4


async def test_a_client_message_closes_with_1002(ada) -> None:
    communicator = WebsocketCommunicator(application, "/ws/workspace-events/")
    communicator.scope["user"] = ada
    assert (await communicator.connect())[0]
    await communicator.receive_from()
    await communicator.send_to(text_data="hello")
    assert await communicator.receive_output(1) == {"type": "websocket.close", "code": 1002}
    await communicator.disconnect()


async def test_disconnect_ends_the_subscription(ada) -> None:
    communicator = WebsocketCommunicator(application, "/ws/workspace-events/")
    communicator.scope["user"] = ada
    await communicator.connect()
    channel = f"workspace_owner:{owner_id_for(ada)}"
    assert get_pubsub()._fanout.events() == [channel]
    await communicator.disconnect()
    assert get_pubsub()._fanout.events() == []


# Overflow and loss


@override_settings(WORKSPACE_EVENTS_QUEUE_SIZE=4)
async def test_a_slow_client_gets_dropped_messages_then_the_stream_goes_on(opened, ada) -> None:
    SlowClientConsumer.gate = asyncio.Event()
    _, _, client = await connect(opened, "/ws/slow/", ada)
    await client.frame()
    ids = [await publish(ada, WorkspaceEvent("stats_update", W1)) for _ in range(20)]
    await asyncio.sleep(0.05)  # message 0 is being sent; 4 wait; the rest overflow
    SlowClientConsumer.gate.set()
    frames = [await client.frame() for _ in range(5)]
    assert [f["id"] for f in frames[:4]] == ids[:4]
    assert frames[4] == {
        "type": "error",
        "data": {
            "message": "dropped messages",
            "detail": "resync, or reconnect with last_event_id",
        },
    }
    later = await publish(ada, WorkspaceEvent("state_change", W1))
    assert (await client.frame())["id"] == later


async def test_pubsub_loss_reaches_the_client_as_dropped_messages(opened, ada) -> None:
    _, _, client = await connect(opened, "/ws/workspace-events/", ada)
    await client.frame()
    get_pubsub()._fanout.drop_all()  # what a hub does when the layer comes back
    assert (await client.frame())["data"]["message"] == "dropped messages"


@override_settings(WORKSPACE_EVENTS_PUBSUB="tests.test_emit.closed_pubsub")
async def test_pubsub_down_at_connect_is_reported(ada) -> None:
    communicator = WebsocketCommunicator(application, "/ws/workspace-events/")
    communicator.scope["user"] = ada
    connected, _ = await communicator.connect()
    assert connected
    assert json.loads(await communicator.receive_from()) == {
        "type": "error",
        "data": {"message": "unavailable", "detail": "the event stream is down"},
    }
    assert await communicator.receive_output(1) == {"type": "websocket.close", "code": 1011}


# Resume


async def test_resume_replays_from_the_log_then_goes_live(opened, ada, bob) -> None:
    ids = [await publish(ada, WorkspaceEvent("stats_update", W1)) for _ in range(5)]
    await publish(bob, WorkspaceEvent("stats_update", W1))
    _, _, client = await connect(opened, f"/ws/workspace-events/?last_event_id={ids[1]}", ada)
    assert await client.frame() == {"type": "ping"}
    assert [(await client.frame())["id"] for _ in range(3)] == ids[2:]
    live = await publish(ada, WorkspaceEvent("state_change", W2))
    assert (await client.frame())["id"] == live
    assert await client.nothing()


async def test_resume_with_a_workspace_filter(opened, ada) -> None:
    first = await publish(ada, WorkspaceEvent("stats_update", W1))
    wanted = await publish(ada, WorkspaceEvent("stats_update", W2))
    await publish(ada, WorkspaceEvent("stats_update", W1))
    _, _, client = await connect(
        opened, f"/ws/workspace-events/?last_event_id={first - 1}&workspace_id={W2}", ada
    )
    await client.frame()
    assert (await client.frame())["id"] == wanted
    assert await client.nothing()


async def test_resume_while_publishing_has_no_gap_and_no_duplicate(opened, ada) -> None:
    start = await publish(ada, WorkspaceEvent("stats_update", W1))
    for _ in range(30):
        await publish(ada, WorkspaceEvent("stats_update", W1))
    stop = asyncio.Event()
    published: list[int] = []

    async def keep_publishing() -> None:
        while not stop.is_set():
            published.append(await publish(ada, WorkspaceEvent("stats_update", W2)))  # type: ignore[arg-type]
            await asyncio.sleep(0)

    publisher = asyncio.create_task(keep_publishing())
    await asyncio.sleep(0.02)
    _, _, client = await connect(opened, f"/ws/workspace-events/?last_event_id={start}", ada)
    await asyncio.sleep(0.1)
    stop.set()
    await publisher
    expected = await sync_to_async(
        lambda: list(
            __import__("workspace_events.models", fromlist=["EventLogEntry"])
            .EventLogEntry.objects.filter(id__gt=start)
            .order_by("id")
            .values_list("id", flat=True)
        )
    )()
    received = []
    assert await client.frame() == {"type": "ping"}
    while len(received) < len(expected):
        frame = await client.frame()
        if frame["type"] == "data":
            received.append(frame["id"])
    assert received == expected
    assert len(published) > 5
    assert await client.nothing(0.1)


@override_settings(WORKSPACE_EVENTS_REPLAY_LIMIT=3)
async def test_resume_beyond_the_replay_limit_asks_for_a_resync(opened, ada) -> None:
    ids = [await publish(ada, WorkspaceEvent("stats_update", W1)) for _ in range(5)]
    _, _, client = await connect(opened, f"/ws/workspace-events/?last_event_id={ids[0]}", ada)
    await client.frame()
    frame = await client.frame()
    assert frame["type"] == "error"
    assert frame["data"]["message"] == "dropped messages"
    assert "more than 3 events" in frame["data"]["detail"]
    live = await publish(ada, WorkspaceEvent("state_change", W1))
    assert (await client.frame())["id"] == live


async def test_resume_from_zero_on_the_builds_stream(opened) -> None:
    operator = await sync_to_async(make_user)("op", "watch_all_builds")
    update = WorkspaceBuildUpdate(
        workspace_id=W1, build_id=W2, transition="stop", job_status="failed", build_number=9
    )
    event_id = await asend(build_record(update))
    _, _, client = await connect(opened, "/ws/workspace-builds/?last_event_id=0", operator)
    await client.frame()
    assert await client.frame() == {
        "type": "data",
        "id": event_id,
        "data": json.loads(update.to_json()),
    }


# Token authentication


async def test_token_middleware(opened, ada) -> None:
    from rest_framework.authtoken.models import Token

    from workspace_events.middleware import WorkspaceEventsAuthMiddlewareStack

    token = await sync_to_async(Token.objects.create)(user=ada)
    app = WorkspaceEventsAuthMiddlewareStack(URLRouter(websocket_urlpatterns))

    async def attempt(headers: list[tuple[bytes, bytes]]) -> bool:
        communicator = WebsocketCommunicator(app, "/ws/workspace-events/", headers=headers)
        connected, _ = await communicator.connect()
        if connected:
            assert json.loads(await communicator.receive_from()) == {"type": "ping"}
            await communicator.disconnect()
        return connected

    assert await attempt([(b"authorization", f"Token {token.key}".encode())])
    assert await attempt([(b"authorization", f"token  {token.key} ".encode())])
    assert not await attempt([(b"authorization", b"Token wrong")])
    assert not await attempt([(b"authorization", f"Bearer {token.key}".encode())])
    assert not await attempt([(b"authorization", b"Token")])
    assert not await attempt([])  # no session either
    ada.is_active = False
    await sync_to_async(ada.save)()
    assert not await attempt([(b"authorization", f"Token {token.key}".encode())])


async def test_session_cookie_authenticates_without_a_token(opened, ada) -> None:
    from django.test import Client

    from workspace_events.middleware import WorkspaceEventsAuthMiddlewareStack

    client = Client()
    await sync_to_async(client.force_login)(ada)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    app = WorkspaceEventsAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    communicator = WebsocketCommunicator(
        app, "/ws/workspace-events/", headers=[(b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()
    # A bad token is not rescued by a valid session.
    communicator = WebsocketCommunicator(
        app,
        "/ws/workspace-events/",
        headers=[(b"cookie", cookie), (b"authorization", b"Token bad")],
    )
    assert not (await communicator.connect())[0]


async def test_sending_to_a_client_that_has_gone_is_quiet(
    caplog: pytest.LogCaptureFixture,
) -> None:
    consumer = WorkspaceEventsConsumer()

    async def gone(message: dict[str, Any]) -> None:
        raise OSError("client disconnected")

    consumer.base_send = gone
    await consumer.send(text_data='{"type":"ping"}')
    assert consumer._closed
    await consumer.send(text_data='{"type":"ping"}')  # and no more attempts
    assert caplog.text == ""
