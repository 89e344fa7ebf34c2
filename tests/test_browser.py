"""The demo in a real browser: headless Chromium drives the example project's pages.

Needs the Debian package ``chromium`` (``/usr/bin/chromium``), driven through Playwright's
Python package (no browser download). Missing, it fails under ``CI=true`` and skips
elsewhere. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .example_support import FAST
from .servers import ROOT, ExampleProject

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT = 30_000  # ms
REPLAY_LIMIT = 5

# While the server is down: a rename, and more events than it replays on either stream.
RENAME_AND_FLOOD = f"""
import json, uuid
from workspace_events import WorkspaceBuildUpdate, WorkspaceEvent, owner_id_for
from workspace_events.emit import emit_build_update, emit_workspace_event
from workspaces.models import Workspace
ws = Workspace.objects.get(owner__username="ada", name="notebook")
ws.name = "renamed-offline"
ws.save()
for number in range({REPLAY_LIMIT + 1}):
    emit_workspace_event(owner_id_for(ws.owner), WorkspaceEvent("mtd_update", ws.id))
    update = WorkspaceBuildUpdate(workspace_id=uuid.uuid4(), workspace_name="offline",
        build_id=uuid.uuid4(), transition="start", job_status="succeeded", build_number=number)
    emit_build_update(update)
print(json.dumps(str(ws.id)))
"""


def require_browser() -> Any:
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright package is not installed"
    if problem is None and not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem} (CI=true: the browser test must run)")
        pytest.skip(problem)
    return sync_playwright


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExampleProject, int]]:
    example = ExampleProject(
        tmp_path_factory.mktemp("browser"), **FAST, EXAMPLE_REPLAY_LIMIT=str(REPLAY_LIMIT)
    )
    example.manage("migrate", "--noinput")
    example.manage("seed_demo")
    port = example.serve("daphne")
    yield example, port
    example.stop()


def log_in(browser: Any, base: str, username: str) -> Any:
    """A fresh browser context, logged in through the login page."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_start_a_workspace_and_watch_it_live(browser: Any, demo) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    example, port = demo
    base = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)

    operator = log_in(browser, base, "operator")
    operator.click("text=Operator")
    expect(operator.locator("#connection")).to_have_attribute("data-state", "live")

    ada = log_in(browser, base, "ada")
    expect(ada.locator("#connection")).to_have_attribute("data-state", "live")
    dev = ada.locator('[data-workspace-name="dev"]')
    expect(dev.locator(".status")).to_have_text("stopped")
    # Anything that reloads the page would drop this marker.
    ada.evaluate("window.stillTheSamePage = true")
    dev.locator('button[data-action="start"]').click()
    expect(dev.locator(".status")).to_have_text("running")
    expect(dev.locator(".agent")).to_contain_text("ready, connected, app healthy")
    expect(dev.locator('button[data-action="stop"]')).to_be_enabled()
    expect(ada.locator('#feed li[data-kind="agt_lifecycle_update"]')).to_have_count(2)
    expect(dev.locator(".stats")).not_to_have_text("-")  # a stats update arrived
    assert ada.evaluate("window.stillTheSamePage") is True

    for status in ("pending", "running", "succeeded"):
        row = operator.locator(f'tr[data-workspace-name="dev"][data-job-status="{status}"]')
        expect(row).to_have_count(1)
    ada.screenshot(path=str(ARTIFACTS / "browser-my-workspaces.png"), full_page=True)
    operator.screenshot(path=str(ARTIFACTS / "browser-operator.png"), full_page=True)

    # The server goes away: the page says it is reconnecting, and keeps trying.
    example.stop_server(port)
    expect(ada.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    expect(ada.locator("#connection")).to_contain_text("reconnecting…")
    ada.screenshot(path=str(ARTIFACTS / "browser-reconnecting.png"), full_page=True)
    # Something happens meanwhile: on reconnecting, the page resumes from the event log.
    published = example.manage(
        "workspace_events_publish",
        owner(example),
        "--kind",
        "mtd_update",
        "--workspace",
        dev.get_attribute("data-workspace-id") or "",
    )
    missed = published.split(" as event ")[1].split(".")[0]
    example.serve("daphne", port=port)
    expect(ada.locator("#connection")).to_have_attribute("data-state", "live")
    expect(ada.locator(f'#feed li[data-event-id="{missed}"]')).to_contain_text("mtd_update dev")

    # More happens than the server replays: it says messages were dropped, and the pages
    # resync: the owner's refetches its state, the operator's catches up from the event log.
    example.stop_server(port)
    expect(ada.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    notebook_id = example.shell(RENAME_AND_FLOOD)
    example.serve("daphne", port=port)
    expect(ada.locator('#feed li[data-kind="dropped messages: resync"]')).to_have_count(1)
    renamed = ada.locator(f'[data-workspace-id="{notebook_id}"] .name')
    expect(renamed).to_have_text("renamed-offline")
    expect(ada.locator("#connection")).to_have_attribute("data-state", "live")
    offline_builds = operator.locator('tr[data-workspace-name="offline"]')
    expect(offline_builds).to_have_count(REPLAY_LIMIT + 1)
    expect(operator.locator("#connection")).to_have_attribute("data-state", "live")
    assert ada.evaluate("window.stillTheSamePage") is True
    ada.screenshot(path=str(ARTIFACTS / "browser-resynced.png"), full_page=True)
    operator.screenshot(path=str(ARTIFACTS / "browser-operator-caught-up.png"), full_page=True)


def owner(example: ExampleProject) -> str:
    return example.shell(
        "import json\n"
        "from django.contrib.auth.models import User\n"
        "from workspace_events import owner_id_for\n"
        "print(json.dumps(str(owner_id_for(User.objects.get(username='ada')))))"
    )


def test_a_user_without_the_permission_sees_no_operator_page(browser: Any, demo) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    _, port = demo
    base = f"http://127.0.0.1:{port}"
    bob = log_in(browser, base, "bob")
    expect(bob.locator("nav")).not_to_contain_text("Operator")
    response = bob.goto(f"{base}/operator/")
    assert response is not None and response.status == 403


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[Exception]
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "none")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="none is missing"):
        require_browser()
