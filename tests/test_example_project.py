"""The example project served by Daphne's runserver on the embedded default (SQLite, in-memory
layer): its pages and JSON views, the simulated provisioner and agent, and ``seed_demo``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .example_support import (
    AGENT_STARTUP,
    FAST,
    Session,
    kinds,
    new_workspace,
    of,
    read_until,
    session,
    socket,
    statuses,
    wait_for,
)
from .servers import ExampleProject

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExampleProject, int]]:
    example = ExampleProject(tmp_path_factory.mktemp("example"), **FAST)
    example.manage("migrate", "--noinput")
    example.manage("seed_demo")
    port = example.serve("daphne")
    yield example, port
    example.stop()


def test_seed_demo_prints_the_logins_and_can_run_again(project) -> None:
    example, _ = project
    first = example.manage("seed_demo", "--url", "http://demo.test:9000/")
    assert 'Demo logins (password "demo" for each):' in first
    assert "ada       owns workspaces dev, notebook" in first
    assert "bob       owns workspaces dev, ci-runner" in first
    assert "operator  operator: sees every build at http://demo.test:9000/operator/" in first
    assert "Open http://demo.test:9000/ and log in as ada / demo" in first
    assert "in-memory channel layer" in first
    second = example.manage("seed_demo", "--url", "http://demo.test:9000/")
    assert second == first  # same users, same token
    counts = example.shell(
        "import json\n"
        "from django.contrib.auth.models import User\n"
        "from workspaces.models import Workspace\n"
        "op = User.objects.get(username='operator')\n"
        "print(json.dumps([sorted(User.objects.values_list('username', flat=True)),\n"
        "    Workspace.objects.filter(owner__username__in=['ada', 'bob']).count(),\n"
        "    op.is_staff, op.has_perm('workspace_events.watch_all_builds'),\n"
        "    op.has_perm('workspace_events.watch_any_owner'),\n"
        "    User.objects.get(username='provisioner').has_usable_password()]))"
    )
    assert counts == [["ada", "bob", "operator", "provisioner"], 4, True, True, True, False]


def test_pages_ask_for_a_login(project) -> None:
    _, port = project
    anonymous = Session(port)
    status, headers, _ = anonymous.request("GET", "/")
    assert (status, headers["Location"]) == (302, "/accounts/login/?next=/")
    status, headers, _ = anonymous.request("GET", "/operator/")
    assert (status, headers["Location"]) == (302, "/accounts/login/?next=/operator/")
    assert anonymous.json("GET", "/workspaces/state/") == (401, {"detail": "Log in first."})


def test_a_wrong_password_is_refused(project) -> None:
    _, port = project
    client = Session(port)
    with pytest.raises(AssertionError, match="login as ada failed"):
        client.login("ada", "not-the-password")


def test_the_operator_page_needs_watch_all_builds(project) -> None:
    _, port = project
    assert session(port, "ada").request("GET", "/operator/")[0] == 403
    status, _, page = session(port, "operator").request("GET", "/operator/")
    assert status == 200
    assert "workspace_updates:all" in page


def test_the_operator_reads_the_event_log_in_the_admin(project) -> None:
    _, port = project
    operator = session(port, "operator")
    status, _, page = operator.request("GET", "/admin/workspace_events/eventlogentry/")
    assert status == 200
    assert '<td class="field-kind">state_change</td>' in page  # seed_demo's workspaces
    assert operator.request("GET", "/admin/workspaces/workspacebuild/")[0] == 200
    status, headers, _ = session(port, "ada").request("GET", "/admin/")
    assert (status, headers["Location"]) == (302, "/admin/login/?next=/admin/")


def test_static_files_are_served_without_debug(project) -> None:
    _, port = project
    status, _, script = Session(port).request("GET", "/static/workspaces/live.js")
    assert status == 200
    assert "class LiveStream" in script


def test_refused_actions(project) -> None:
    _, port = project
    ada, bob = session(port, "ada"), session(port, "bob")
    workspace = new_workspace(ada, "refusals")
    base = f"/workspaces/{workspace['id']}"
    assert ada.json("POST", f"{base}/stop/")[0] == 409
    assert ada.json("POST", f"{base}/cancel/")[0] == 409
    # Someone else's workspace, or an unknown action: not found, nothing leaks.
    assert bob.json("POST", f"{base}/start/") == (404, {"detail": "Not found."})
    assert ada.json("POST", f"{base}/explode/") == (404, {"detail": "Not found."})
    assert ada.request("GET", f"{base}/start/")[0] == 405
    assert ada.json("POST", "/workspaces/new/", {"name": "refusals"})[0] == 409
    assert ada.json("POST", "/workspaces/new/", {"name": "  "})[0] == 400
    assert ada.json("POST", "/workspaces/new/", {"name": "x" * 65})[0] == 400
    assert ada.json("POST", "/workspaces/new/", raw=b"[1, 2")[0] == 400
    assert ada.json("POST", "/workspaces/new/", raw=b"[1, 2]")[0] == 400
    status, body = ada.json("POST", f"{base}/start/")
    assert status == 202
    assert body["actions"] == {"start": False, "stop": False, "cancel": True}
    assert ada.json("POST", f"{base}/start/")[0] == 409  # one build at a time
    ada.wait_status("refusals", "running")
    assert ada.json("POST", f"{base}/start/")[0] == 409


async def test_a_start_build_and_its_agent_emit_what_coder_emits(project) -> None:
    _, port = project
    ada = await asyncio.to_thread(session, port, "ada")
    workspace = await asyncio.to_thread(new_workspace, ada, "lifecycle")
    wid = workspace["id"]
    async with socket(port, ada, "/ws/workspace-events/") as ws:
        assert json.loads(await ws.recv()) == {"type": "ping"}
        status, body = await asyncio.to_thread(ada.json, "POST", f"/workspaces/{wid}/start/")
        assert status == 202
        assert body["status"] == "pending"
        frames = of(
            wid, await read_until(ws, lambda f: "stats_update" in kinds(of(wid, f)), timeout=30)
        )
        state = await asyncio.to_thread(ada.workspace, "lifecycle")
        agent = state["agent"]
        assert state["status"] == "running"
        assert state["build"]["job_status"] == "succeeded"
        assert agent == {
            "id": agent["id"],
            "name": "main",
            "lifecycle_state": "ready",
            "connection": "connected",
            "first_logs": True,
            "app_health": "healthy",
        }
        # Build created, picked up (running), completed: a state_change each.
        assert kinds(frames) == ["state_change"] * 3 + AGENT_STARTUP + ["stats_update"]
        for frame in frames[3:]:
            assert frame["data"]["agent_id"] == agent["id"]
        assert "agent_id" not in frames[0]["data"]
        logged = [frame["id"] for frame in frames[:-1]]
        assert logged == sorted(logged) and len(set(logged)) == len(logged)
        assert frames[-1]["id"] is None  # stats are not logged in the example

        status, body = await asyncio.to_thread(ada.json, "POST", f"/workspaces/{wid}/stop/")
        assert (status, body["status"]) == (202, "pending")
        frames = of(
            wid,
            await read_until(
                ws, lambda f: "agt_connection_update" in kinds(of(wid, f)), timeout=30
            ),
        )
        state = await asyncio.to_thread(ada.workspace, "lifecycle")
        assert state["status"] == "stopped"
        assert state["agent"]["lifecycle_state"] == "off"
        assert state["agent"]["connection"] == "disconnected"
        changes = [kind for kind in kinds(frames) if kind != "stats_update"]
        # Build created, picked up, completed; the agent may report shutting down in between.
        assert changes.count("state_change") == 3
        assert changes[-2:] == ["agt_lifecycle_update", "agt_connection_update"]


async def test_operators_see_each_build_update_once(project) -> None:
    _, port = project
    ada = await asyncio.to_thread(session, port, "ada")
    operator = await asyncio.to_thread(session, port, "operator")
    workspace = await asyncio.to_thread(new_workspace, ada, "cancel-me")
    wid = workspace["id"]
    async with socket(port, operator, "/ws/workspace-builds/") as builds:
        assert json.loads(await builds.recv()) == {"type": "ping"}
        assert (await asyncio.to_thread(ada.json, "POST", f"/workspaces/{wid}/start/"))[0] == 202
        status, body = await asyncio.to_thread(ada.json, "POST", f"/workspaces/{wid}/cancel/")
        assert status == 202
        assert body["build"]["cancel_requested"] is True
        assert body["actions"]["cancel"] is False
        assert (await asyncio.to_thread(ada.json, "POST", f"/workspaces/{wid}/cancel/"))[0] == 409
        frames = of(wid, await read_until(builds, lambda f: "canceled" in statuses(of(wid, f))))
        assert statuses(frames) in (
            ["pending", "canceling", "canceled"],
            ["pending", "running", "canceling", "canceled"],
        )
        assert {frame["data"]["workspace_name"] for frame in frames} == {"cancel-me"}
        assert {frame["data"]["build_number"] for frame in frames} == {1}
        assert (await asyncio.to_thread(ada.workspace, "cancel-me"))["status"] == "canceled"


REVOKE = """
import json
from rest_framework.authtoken.models import Token
token = Token.objects.get(user__username="provisioner")
token.delete()
print(json.dumps(token.key))
"""
RESTORE = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
Token.objects.create(user=User.objects.get(username="provisioner"), key=%r)
print("null")
"""


def test_a_refused_report_is_logged_and_the_build_goes_on(project) -> None:
    example, port = project
    key = example.shell(REVOKE)
    try:
        ada = session(port, "ada")
        new_workspace(ada, "no-token")
        assert ada.act("no-token", "start")[0] == 202
        ada.wait_status("no-token", "running")
        log = example.log_path("daphne", port)
        wait_for(lambda: "refused: HTTP 401" in log.read_text(), what="the provisioner's error")
    finally:
        example.shell(RESTORE % key)


TAKEOVER = """
import datetime, json
from django.utils import timezone
from workspaces.models import Workspace, WorkspaceAgent, WorkspaceBuild
ws = Workspace.objects.get(owner__username="ada", name=%(name)r)
long_ago = timezone.now() - datetime.timedelta(hours=1)
dead = {"claimed_by": "dead-host:1:abc", "heartbeat_at": long_ago}
build = WorkspaceBuild.objects.create(workspace=ws, build_number=1, transition="start",
    job_status=%(job_status)r, **dead)
ws.status = %(status)r
ws.save()
agent = None
if %(with_agent)r:
    agent = WorkspaceAgent.objects.create(workspace=ws, lifecycle_state="ready",
        connection="connected", first_log_at=timezone.now(), app_health="healthy", **dead)
print(json.dumps(agent and str(agent.id)))
"""


def test_a_dead_simulators_build_is_taken_over(project) -> None:
    example, port = project
    ada = session(port, "ada")
    new_workspace(ada, "orphan-build")
    example.shell(
        TAKEOVER
        % {
            "name": "orphan-build",
            "job_status": "running",
            "status": "starting",
            "with_agent": False,
        }
    )
    ada.wait_status("orphan-build", "running")


async def test_a_dead_simulators_agent_is_taken_over_where_it_was(project) -> None:
    example, port = project
    ada = await asyncio.to_thread(session, port, "ada")
    wid = (await asyncio.to_thread(new_workspace, ada, "orphan-agent"))["id"]
    async with socket(port, ada, "/ws/workspace-events/") as ws:
        assert json.loads(await ws.recv()) == {"type": "ping"}
        agent_id = await asyncio.to_thread(
            example.shell,
            TAKEOVER
            % {
                "name": "orphan-agent",
                "job_status": "succeeded",
                "status": "running",
                "with_agent": True,
            },
        )
        frames = of(
            wid, await read_until(ws, lambda f: kinds(of(wid, f)).count("stats_update") >= 2)
        )
    # Resumed where it was: no startup reported again, only stats.
    agent_frames = [frame for frame in frames if "agent_id" in frame["data"]]
    assert kinds(agent_frames) == ["stats_update", "stats_update"]
    assert {frame["data"]["agent_id"] for frame in agent_frames} == {agent_id}


def test_the_example_has_no_missing_migrations(project) -> None:
    example, _ = project
    example.manage("makemigrations", "--check", "--dry-run")  # exits 1 if any are missing
    example.manage("check", "--fail-level", "ERROR")


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExampleProject, int]]:
    directory: Path = tmp_path_factory.mktemp("failing")
    example = ExampleProject(directory, **{**FAST, "EXAMPLE_FAILURE_RATE": "1"})
    example.manage("migrate", "--noinput")
    example.manage("seed_demo")
    port = example.serve("uvicorn")
    yield example, port
    example.stop()


async def test_a_failed_build_fails_the_workspace(failing) -> None:
    _, port = failing
    ada = await asyncio.to_thread(session, port, "ada")
    operator = await asyncio.to_thread(session, port, "operator")
    wid = (await asyncio.to_thread(ada.workspace, "dev"))["id"]
    async with socket(port, operator, "/ws/workspace-builds/") as builds:
        assert json.loads(await builds.recv()) == {"type": "ping"}
        assert (await asyncio.to_thread(ada.act, "dev", "start"))[0] == 202
        frames = of(wid, await read_until(builds, lambda f: "failed" in statuses(of(wid, f))))
    assert statuses(frames) == ["pending", "running", "failed"]
    state = await asyncio.to_thread(ada.workspace, "dev")
    assert state["status"] == "failed"
    assert state["agent"] is None
    assert state["actions"] == {"start": True, "stop": True, "cancel": False}


LEASES = """
import datetime, json
from django.utils import timezone
from workspaces import leases
from workspaces.models import Workspace, WorkspaceBuild
ws = Workspace.objects.get(owner__username="bob", name="dev")
build = WorkspaceBuild.objects.create(workspace=ws, build_number=99, transition="stop",
    job_status="succeeded")  # a finished build: no simulator of the server wants it
seen = [leases.claim(WorkspaceBuild, build.pk, "a"), leases.claim(WorkspaceBuild, build.pk, "b")]
seen.append(leases.renew(WorkspaceBuild, build.pk, "a"))
WorkspaceBuild.objects.filter(pk=build.pk).update(
    heartbeat_at=timezone.now() - datetime.timedelta(hours=1))  # "a" went silent
seen += [leases.claim(WorkspaceBuild, build.pk, "b"), leases.renew(WorkspaceBuild, build.pk, "a")]
leases.release(WorkspaceBuild, build.pk, "a")  # not its lease any more: no effect
seen.append(WorkspaceBuild.objects.get(pk=build.pk).claimed_by)
leases.release(WorkspaceBuild, build.pk, "b")
seen.append(leases.claim(WorkspaceBuild, build.pk, "c"))
build.delete()
print(json.dumps(seen))
"""


def test_a_lease_has_one_holder_until_it_goes_stale(project) -> None:
    example, _ = project
    assert example.shell(LEASES) == [True, False, True, True, False, "b", True]


BRIDGES = """
import json
from workspace_events.models import EventLogEntry
from workspaces.models import Workspace, WorkspaceAgent
def kinds(action):
    last = EventLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    action()
    new = EventLogEntry.objects.filter(id__gt=last).order_by("id")
    return list(new.values_list("kind", flat=True))
def create():
    global ws
    ws = Workspace.objects.create(owner=Workspace.objects.get(name="ci-runner").owner, name="b")
def set_status():
    ws.status = "running"
    ws.save()
def rename():
    ws.name = "b2"
    ws.save()
def agent_created():
    global agent
    agent = WorkspaceAgent.objects.create(workspace=ws)
def agent_steps():
    agent.report("connection", "connected")
    agent.report("connection", "connected")  # no change, no event
    agent.report("app_health", "healthy")
    agent.name = "renamed"  # not a reported field
    agent.save()
def reloaded():
    fresh = Workspace.objects.get(pk=ws.pk)
    fresh.save()  # loaded from the database: nothing changed
    fresh.name = "b3"
    fresh.save()
print(json.dumps([kinds(create), kinds(set_status), kinds(rename), kinds(agent_created),
    kinds(agent_steps), kinds(reloaded), kinds(ws.delete)]))
"""


def test_the_bridges_emit_only_what_changed(project) -> None:
    example, _ = project
    assert example.shell(BRIDGES) == [
        ["state_change"],  # created
        [],  # its status follows its builds, which announce themselves
        ["mtd_update"],  # renamed
        [],  # an agent created by a start build
        ["agt_connection_update", "app_health"],
        ["mtd_update"],
        ["state_change"],  # deleted
    ]
