"""The HTTP API: every status code, strict input, idempotency, and publish failures."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from workspace_events import WorkspaceEvent, owner_id_for
from workspace_events.models import EventLogEntry, IdempotencyKey
from workspace_events.pubsub import MemoryPubsub

from .conftest import only_marker_follows

pytestmark = pytest.mark.django_db

BUILDS = "/api/workspace-events/build-updates/"
EVENTS = "/api/workspace-events/events/"
ALL = "workspace_updates:all"
W = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
B = "00000000-0000-4000-8000-00000000000b"
A = "00000000-0000-4000-8000-00000000000a"
OWNER = uuid.UUID("00000000-0000-4000-8000-0000000000aa")

UPDATE = {
    "workspace_id": W,
    "workspace_name": "dev",
    "build_id": B,
    "transition": "start",
    "job_status": "running",
    "build_number": 3,
}
UPDATE_JSON = (
    '{"workspace_id":"%s","workspace_name":"dev","build_id":"%s","transition":"start",'
    '"job_status":"running","build_number":3}' % (W, B)
)


def user_with(name: str, *perms: str) -> Any:
    user = get_user_model().objects.create_user(name, password="pw")
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return get_user_model().objects.get(pk=user.pk)


def client_for(user: Any, token: bool = True) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    else:
        client.force_login(user)
    return client


@pytest.fixture
def provisioner() -> APIClient:
    return client_for(user_with("provisioner", "publish_build_update"))


@pytest.fixture
def publisher() -> APIClient:
    return client_for(user_with("publisher", "publish_workspace_event"))


def post(client: APIClient, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


# POST build-updates/


def test_build_update_is_logged_published_and_answered(provisioner, watch) -> None:
    got = watch(ALL)
    response = post(provisioner, BUILDS, UPDATE)
    assert response.status_code == 202
    entry = EventLogEntry.objects.get()
    assert response.json() == {"id": entry.id, "channel": ALL, "data": json.loads(UPDATE_JSON)}
    assert entry.payload == UPDATE_JSON
    ((delivery, _),) = got.wait(1)
    assert (delivery.message, delivery.event_id) == (UPDATE_JSON.encode(), entry.id)


def test_workspace_name_is_optional(provisioner) -> None:
    body = {k: v for k, v in UPDATE.items() if k != "workspace_name"}
    response = post(provisioner, BUILDS, body)
    assert response.status_code == 202
    assert response.json()["data"]["workspace_name"] == ""


def test_session_authentication_works_too() -> None:
    client = client_for(user_with("op", "publish_build_update"), token=False)
    assert post(client, BUILDS, UPDATE).status_code == 202


BAD_UPDATES = [
    ({**UPDATE, "extra": 1}, "extra"),
    ({k: v for k, v in UPDATE.items() if k != "build_id"}, "build_id"),
    ({**UPDATE, "workspace_id": "nope"}, "workspace_id"),
    ({**UPDATE, "workspace_id": 5}, "workspace_id"),
    ({**UPDATE, "workspace_id": "00000000-0000-0000-0000-000000000000"}, "workspace_id"),
    ({**UPDATE, "build_id": "6ba7b810-9dad11d1-80b4-00c04fd430c8"}, "build_id"),
    ({**UPDATE, "transition": "restart"}, "transition"),
    ({**UPDATE, "transition": "START"}, "transition"),
    ({**UPDATE, "job_status": "done"}, "job_status"),
    ({**UPDATE, "job_status": None}, "job_status"),
    ({**UPDATE, "build_number": -1}, "build_number"),
    ({**UPDATE, "build_number": 2**31}, "build_number"),
    ({**UPDATE, "build_number": "3"}, "build_number"),
    ({**UPDATE, "build_number": 3.0}, "build_number"),
    ({**UPDATE, "build_number": True}, "build_number"),
    ({**UPDATE, "workspace_name": 7}, "workspace_name"),
    ({**UPDATE, "workspace_name": "x" * 256}, "workspace_name"),
    ([UPDATE], "non_field_errors"),
    ("text", "non_field_errors"),
]


@pytest.mark.parametrize(("body", "field"), BAD_UPDATES)
def test_bad_build_updates_are_400_and_change_nothing(provisioner, watch, body, field) -> None:
    got = watch(ALL)
    response = post(provisioner, BUILDS, body)
    assert response.status_code == 400
    assert field in response.json()
    assert EventLogEntry.objects.count() == 0
    assert only_marker_follows(got, ALL) == []


def test_malformed_json_is_400(provisioner) -> None:
    response = provisioner.post(BUILDS, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert EventLogEntry.objects.count() == 0


def test_other_content_types_are_415(provisioner) -> None:
    response = provisioner.post(BUILDS, UPDATE)  # multipart form
    assert response.status_code == 415


def test_no_credentials_is_401() -> None:
    response = post(APIClient(), BUILDS, UPDATE)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert EventLogEntry.objects.count() == 0


def test_bad_token_is_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert post(client, BUILDS, UPDATE).status_code == 401


@pytest.mark.parametrize("token", [True, False])
def test_missing_permission_is_403(token: bool) -> None:
    client = client_for(user_with("nobody", "publish_workspace_event"), token=token)
    assert post(client, BUILDS, UPDATE).status_code == 403
    assert EventLogEntry.objects.count() == 0


def workspace_owner(workspace_id: uuid.UUID) -> uuid.UUID | None:
    return OWNER if str(workspace_id) == W else None


@override_settings(WORKSPACE_EVENTS_WORKSPACE_OWNER="tests.test_api.workspace_owner")
def test_a_build_update_can_also_notify_the_owner(provisioner, watch) -> None:
    owner_channel = f"workspace_owner:{OWNER}"
    got = watch(owner_channel)
    assert post(provisioner, BUILDS, UPDATE).status_code == 202
    ((delivery, _),) = got.wait(1)
    assert delivery.message == WorkspaceEvent("state_change", uuid.UUID(W)).to_json()
    assert list(EventLogEntry.objects.order_by("id").values_list("kind", "owner_id")) == [
        ("build_update", OWNER),
        ("state_change", OWNER),
    ]
    other = {**UPDATE, "workspace_id": A}
    assert post(provisioner, BUILDS, other).status_code == 202
    assert EventLogEntry.objects.count() == 3  # no owner known: the build update alone


# Idempotency


def test_same_key_and_body_answers_again_and_publishes_once(provisioner, watch) -> None:
    got = watch(ALL)
    first = post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k-1")
    # The same JSON spelled differently is the same body.
    again = provisioner.post(
        BUILDS,
        json.dumps(dict(reversed(list(UPDATE.items()))), indent=2),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert EventLogEntry.objects.count() == 1
    assert len(only_marker_follows(got, ALL)) == 1


def test_same_key_with_another_body_is_422(provisioner) -> None:
    assert post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    response = post(provisioner, BUILDS, {**UPDATE, "build_number": 4}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert EventLogEntry.objects.count() == 1


def test_keys_belong_to_one_user_and_endpoint(provisioner) -> None:
    other = client_for(user_with("other", "publish_build_update"))
    assert post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    response = post(other, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 202
    assert "Idempotent-Replayed" not in response
    assert EventLogEntry.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve"])
def test_malformed_keys_are_400(provisioner, key: str) -> None:
    response = post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert EventLogEntry.objects.count() == 0


def test_a_rejected_body_does_not_use_up_the_key(provisioner) -> None:
    bad = {**UPDATE, "build_number": "3"}
    assert post(provisioner, BUILDS, bad, HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k").status_code == 202


def test_a_key_still_in_use_is_409_until_abandoned(provisioner) -> None:
    from workspace_events.api.idempotency import fingerprint

    user = get_user_model().objects.get(username="provisioner")
    record = IdempotencyKey.objects.create(
        user=user, endpoint="build-updates", key="k", fingerprint=fingerprint(UPDATE)
    )
    assert post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k").status_code == 409
    IdempotencyKey.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    assert post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k").status_code == 202


def test_an_expired_key_starts_afresh(provisioner) -> None:
    assert post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    response = post(provisioner, BUILDS, {**UPDATE, "build_number": 9}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 202
    assert EventLogEntry.objects.count() == 2


# The pubsub is down


class Switch:
    """A pubsub the test can break and mend."""

    broken = False

    @classmethod
    def factory(cls) -> MemoryPubsub:
        pubsub = MemoryPubsub()
        original = pubsub.publish

        def publish(event: str, message: bytes, *, event_id: int | None = None) -> None:
            if cls.broken:
                from workspace_events import PublishError

                raise PublishError("publish: connection refused")
            original(event, message, event_id=event_id)

        pubsub.publish = publish  # type: ignore[method-assign]
        return pubsub


switchable_pubsub = Switch.factory


@pytest.fixture
def switch() -> Any:
    Switch.broken = False
    yield Switch
    Switch.broken = False


@override_settings(WORKSPACE_EVENTS_PUBSUB="tests.test_api.switchable_pubsub")
def test_unreachable_pubsub_is_503_and_the_event_stays_logged(provisioner, watch, switch) -> None:
    switch.broken = True
    got = watch(ALL)
    response = post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 503
    entry = EventLogEntry.objects.get()
    body = response.json()
    assert f"logged as event {entry.id}" in body["detail"]
    assert "connection refused" in body["detail"]
    assert body["accepted"]["id"] == entry.id
    # Retrying once the pubsub is back publishes the logged event; it is not logged twice.
    switch.broken = False
    retry = post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k")
    assert retry.status_code == 202
    assert retry.json() == {"id": entry.id, "channel": ALL, "data": json.loads(UPDATE_JSON)}
    assert EventLogEntry.objects.count() == 1
    ((delivery, _),) = got.wait(1)
    assert delivery.event_id == entry.id
    again = post(provisioner, BUILDS, UPDATE, HTTP_IDEMPOTENCY_KEY="k")
    assert (again.status_code, again["Idempotent-Replayed"]) == (202, "true")
    assert len(only_marker_follows(got, ALL)) == 1


@override_settings(WORKSPACE_EVENTS_PUBSUB="tests.test_emit.closed_pubsub")
def test_503_without_a_key(publisher) -> None:
    body = {"owner_id": str(OWNER), "kind": "state_change", "workspace_id": W}
    response = post(publisher, EVENTS, body)
    assert response.status_code == 503
    assert EventLogEntry.objects.get().owner_id == OWNER


# POST events/


def test_workspace_event_is_published_on_the_owner_channel(publisher, watch) -> None:
    got = watch(f"workspace_owner:{OWNER}")
    body = {
        "owner_id": str(OWNER).upper(),
        "kind": "agt_lifecycle_update",
        "workspace_id": W,
        "agent_id": A,
    }
    response = post(publisher, EVENTS, body)
    assert response.status_code == 202
    event = WorkspaceEvent("agt_lifecycle_update", uuid.UUID(W), uuid.UUID(A))
    assert response.json() == {
        "id": EventLogEntry.objects.get().id,
        "channel": f"workspace_owner:{OWNER}",
        "data": json.loads(event.to_json()),
    }
    ((delivery, _),) = got.wait(1)
    assert delivery.message == event.to_json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner_id": str(OWNER), "kind": "nope", "workspace_id": W}, "kind"),
        ({"owner_id": str(OWNER), "kind": "", "workspace_id": W}, "kind"),
        ({"owner_id": str(OWNER), "kind": 1, "workspace_id": W}, "kind"),
        ({"owner_id": "x", "kind": "state_change", "workspace_id": W}, "owner_id"),
        ({"kind": "state_change", "workspace_id": W}, "owner_id"),
        ({"owner_id": str(OWNER), "kind": "agt_lifecycle_update", "workspace_id": W}, "agent_id"),
        (
            {"owner_id": str(OWNER), "kind": "state_change", "workspace_id": W, "agent_id": "x"},
            "agent_id",
        ),
        ({"owner_id": str(OWNER), "kind": "state_change", "workspace_id": W, "x": 1}, "x"),
    ],
)
def test_bad_workspace_events_are_400(publisher, body, field) -> None:
    response = post(publisher, EVENTS, body)
    assert response.status_code == 400
    assert field in response.json()
    assert EventLogEntry.objects.count() == 0


def test_publishing_events_needs_its_permission(provisioner) -> None:
    body = {"owner_id": str(OWNER), "kind": "state_change", "workspace_id": W}
    assert post(provisioner, EVENTS, body).status_code == 403
    assert post(APIClient(), EVENTS, body).status_code == 401


# GET events/


@pytest.fixture
def ada() -> Any:
    return user_with("ada")


def publish_for(owner: uuid.UUID, count: int, workspace: str = W) -> list[int]:
    from workspace_events.emit import event_record, send

    return [
        send(event_record(owner, WorkspaceEvent("stats_update", uuid.UUID(workspace))))  # type: ignore[misc]
        for _ in range(count)
    ]


def test_history_of_ones_own_channel_in_pages(ada) -> None:
    channel = f"workspace_owner:{owner_id_for(ada)}"
    ids = publish_for(owner_id_for(ada), 5)
    publish_for(OWNER, 2)
    client = client_for(ada)
    response = client.get(EVENTS, {"channel": channel, "limit": 2})
    assert response.status_code == 200
    page = response.json()
    assert [r["id"] for r in page["results"]] == ids[:2]
    first = page["results"][0]
    assert first["channel"] == channel
    assert first["data"] == {"kind": "stats_update", "workspace_id": W}
    assert first["created_at"].startswith(str(timezone.now().year))
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]
    assert seen == ids
    after = client.get(EVENTS, {"channel": channel, "after": ids[2]}).json()
    assert [r["id"] for r in after["results"]] == ids[3:]
    assert after["next"] is None


def test_history_filtered_by_workspace(ada) -> None:
    channel = f"workspace_owner:{owner_id_for(ada)}"
    publish_for(owner_id_for(ada), 2)
    mine = publish_for(owner_id_for(ada), 1, workspace=A)
    response = client_for(ada).get(EVENTS, {"channel": channel, "workspace_id": A})
    assert [r["id"] for r in response.json()["results"]] == mine


def test_history_of_another_owner_needs_permission(ada) -> None:
    channel = f"workspace_owner:{OWNER}"
    publish_for(OWNER, 1)
    assert client_for(ada).get(EVENTS, {"channel": channel}).status_code == 403
    watcher = client_for(user_with("watcher", "watch_any_owner"))
    assert len(watcher.get(EVENTS, {"channel": channel}).json()["results"]) == 1


def test_history_of_all_builds_needs_permission(ada, provisioner) -> None:
    post(provisioner, BUILDS, UPDATE)
    assert client_for(ada).get(EVENTS, {"channel": ALL}).status_code == 403
    operator = client_for(user_with("op", "watch_all_builds"))
    results = operator.get(EVENTS, {"channel": ALL}).json()["results"]
    assert [r["data"] for r in results] == [json.loads(UPDATE_JSON)]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"channel": "workspace_owner:nope"},
        {"channel": "elsewhere"},
        {"channel": ALL, "after": "-1"},
        {"channel": ALL, "limit": "0"},
        {"channel": ALL, "limit": "501"},
        {"channel": ALL, "limit": "x"},
        {"channel": ALL, "workspace_id": "x"},
        {"channel": ALL, "page": "2"},
    ],
)
def test_bad_history_queries_are_400(ada, query: dict[str, str]) -> None:
    root = client_for(get_user_model().objects.create_superuser("root", password="pw"))
    assert root.get(EVENTS, query).status_code == 400


def test_history_needs_credentials() -> None:
    assert APIClient().get(EVENTS, {"channel": ALL}).status_code == 401
