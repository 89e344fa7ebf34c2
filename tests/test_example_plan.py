"""The example platform's rules: statuses and what a provisioner job does next."""

from __future__ import annotations

import pytest

from .example_support import load_example_module

plan = load_example_module("plan")


@pytest.mark.parametrize(
    ("transition", "job_status", "status"),
    [
        (None, None, "stopped"),
        ("start", "pending", "pending"),
        ("start", "running", "starting"),
        ("start", "succeeded", "running"),
        ("start", "failed", "failed"),
        ("start", "canceling", "canceling"),
        ("start", "canceled", "canceled"),
        ("stop", "pending", "pending"),
        ("stop", "running", "stopping"),
        ("stop", "succeeded", "stopped"),
        ("stop", "failed", "failed"),
    ],
)
def test_workspace_status_follows_the_latest_build(transition, job_status, status) -> None:
    assert plan.workspace_status(transition, job_status) == status


@pytest.mark.parametrize(
    ("current", "cancel_requested", "fails", "following"),
    [
        ("pending", False, False, "running"),
        ("running", False, False, "succeeded"),
        ("running", False, True, "failed"),
        ("pending", True, False, "canceling"),
        ("running", True, True, "canceling"),
        ("canceling", True, False, "canceled"),
        ("succeeded", False, False, None),
        ("failed", True, False, None),
        ("canceled", True, False, None),
    ],
)
def test_next_job_status(current, cancel_requested, fails, following) -> None:
    assert (
        plan.next_job_status(current, cancel_requested=cancel_requested, fails=fails) == following
    )


def test_provisioning_is_the_longest_step_and_cancelling_the_shortest() -> None:
    assert plan.step_seconds("pending", 1.0) == 1.0
    assert plan.step_seconds("running", 1.0) == 2.0
    assert plan.step_seconds("canceling", 1.0) == 0.5


@pytest.mark.parametrize(
    ("status", "active_job", "cancel_requested", "expected"),
    [
        ("stopped", None, False, {"start": True, "stop": False, "cancel": False}),
        ("running", None, False, {"start": False, "stop": True, "cancel": False}),
        ("failed", None, False, {"start": True, "stop": True, "cancel": False}),
        ("canceled", None, False, {"start": True, "stop": True, "cancel": False}),
        ("pending", "pending", False, {"start": False, "stop": False, "cancel": True}),
        ("starting", "running", False, {"start": False, "stop": False, "cancel": True}),
        ("starting", "running", True, {"start": False, "stop": False, "cancel": False}),
        ("canceling", "canceling", True, {"start": False, "stop": False, "cancel": False}),
    ],
)
def test_one_build_at_a_time(status, active_job, cancel_requested, expected) -> None:
    assert plan.allowed_actions(status, active_job, cancel_requested) == expected
