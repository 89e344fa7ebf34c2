from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from workspace_events.eventlog import Record, write
from workspace_events.models import EventLogEntry

OWNER, W, AGENT, BUILD = (uuid.UUID(int=n) for n in (11, 12, 13, 14))
PAYLOAD = b'{"kind":"agt_lifecycle_update","workspace_id":"%s","agent_id":"%s"}' % (
    str(W).encode(),
    str(AGENT).encode(),
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries() -> list[int]:
    return [
        write(
            Record(
                channel=f"workspace_owner:{OWNER}",
                kind="agt_lifecycle_update",
                payload=PAYLOAD,
                owner_id=OWNER,
                workspace_id=W,
                agent_id=AGENT,
            )
        ),
        write(
            Record(
                channel="workspace_updates:all",
                kind="build_update",
                payload=b'{"build_number":1}',
                workspace_id=uuid.uuid4(),
                build_id=BUILD,
            )
        ),
    ]  # type: ignore[list-item]


@pytest.fixture
def staff() -> Client:
    user = get_user_model().objects.create_user("op", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_eventlogentry"))
    client = Client()
    client.force_login(user)
    return client


CHANGELIST = "admin:workspace_events_eventlogentry_changelist"


def ids_listed(html: str, entries: list[int]) -> list[int]:
    return [e for e in entries if f"/eventlogentry/{e}/change/" in html]


def test_changelist_shows_the_log(staff: Client, entries: list[int]) -> None:
    response = staff.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert ids_listed(html, entries) == entries
    for text in ("agt_lifecycle_update", "build_update", f"workspace_owner:{OWNER}", str(W)):
        assert text in html


@pytest.mark.parametrize(("term", "index"), [(OWNER, 0), (W, 0), (AGENT, 0), (BUILD, 1)])
def test_search_by_any_uuid(
    staff: Client, entries: list[int], term: uuid.UUID, index: int
) -> None:
    response = staff.get(reverse(CHANGELIST), {"q": str(term).upper()})
    assert response.status_code == 200
    assert ids_listed(response.content.decode(), entries) == [entries[index]]


def test_search_by_channel_text(staff: Client, entries: list[int]) -> None:
    response = staff.get(reverse(CHANGELIST), {"q": "updates:all"})
    assert ids_listed(response.content.decode(), entries) == [entries[1]]


def test_filters_by_kind_and_date(staff: Client, entries: list[int]) -> None:
    response = staff.get(reverse(CHANGELIST), {"kind": "build_update"})
    assert response.status_code == 200
    assert ids_listed(response.content.decode(), entries) == [entries[1]]
    response = staff.get(reverse(CHANGELIST), {"created_at__gte": "2000-01-01 00:00:00+00:00"})
    assert ids_listed(response.content.decode(), entries) == entries
    response = staff.get(reverse(CHANGELIST), {"created_at__lt": "2000-01-01 00:00:00+00:00"})
    assert ids_listed(response.content.decode(), entries) == []


def test_detail_shows_formatted_payload(staff: Client, entries: list[int]) -> None:
    url = reverse("admin:workspace_events_eventlogentry_change", args=[entries[0]])
    response = staff.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<pre>{\n  &quot;kind&quot;: &quot;agt_lifecycle_update&quot;," in html
    assert 'name="_save"' not in html  # read-only


def test_add_change_and_delete_are_refused(staff: Client, entries: list[int]) -> None:
    assert staff.get(reverse("admin:workspace_events_eventlogentry_add")).status_code == 403
    change = reverse("admin:workspace_events_eventlogentry_change", args=[entries[0]])
    assert staff.post(change, {"kind": "tampered"}).status_code == 403
    delete = reverse("admin:workspace_events_eventlogentry_delete", args=[entries[0]])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert EventLogEntry.objects.get(id=entries[0]).kind == "agt_lifecycle_update"
    assert EventLogEntry.objects.count() == 2


def test_even_a_superuser_cannot_edit(entries: list[int]) -> None:
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(admin)
    delete = reverse("admin:workspace_events_eventlogentry_delete", args=[entries[0]])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert EventLogEntry.objects.count() == 2


def test_non_staff_is_refused(entries: list[int]) -> None:
    user = get_user_model().objects.create_user("user", password="pw")
    client = Client()
    client.force_login(user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_view_permission_is_refused(entries: list[int]) -> None:
    user = get_user_model().objects.create_user("nosy", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_permissions_an_operator_can_grant() -> None:
    codenames = set(
        Permission.objects.filter(content_type__app_label="workspace_events").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {
        "view_eventlogentry",
        "watch_any_owner",
        "watch_all_builds",
        "publish_build_update",
        "publish_workspace_event",
    }
