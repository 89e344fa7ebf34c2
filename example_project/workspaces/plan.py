"""The rules of the simulated platform, free of Django so they read (and test) on their own.

Statuses follow Coder: a workspace's status is derived from its latest build's transition
and provisioner job status; an agent has a lifecycle state and a connection status.
"""

from __future__ import annotations

# Provisioner job statuses (the wire values of workspace_events.ProvisionerJobStatus).
PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
CANCELING = "canceling"
CANCELED = "canceled"
FAILED = "failed"
ACTIVE_JOB_STATUSES = (PENDING, RUNNING, CANCELING)

START = "start"
STOP = "stop"

_BUSY = {START: "starting", STOP: "stopping"}
_DONE = {START: "running", STOP: "stopped"}


def workspace_status(transition: str | None, job_status: str | None) -> str:
    """The status a workspace shows for its latest build (``None``: never built)."""
    if transition is None or job_status is None:
        return "stopped"
    if job_status == RUNNING:
        return _BUSY[transition]
    if job_status == SUCCEEDED:
        return _DONE[transition]
    return job_status  # pending, failed, canceling and canceled read the same


def next_job_status(current: str, *, cancel_requested: bool, fails: bool) -> str | None:
    """Where a provisioner job goes next; ``None`` once it has finished."""
    if current == CANCELING:
        return CANCELED
    if current in (PENDING, RUNNING) and cancel_requested:
        return CANCELING
    if current == PENDING:
        return RUNNING
    if current == RUNNING:
        return FAILED if fails else SUCCEEDED
    return None


def step_seconds(current: str, step: float) -> float:
    """How long a job stays in ``current``: provisioning runs longest, cancelling is quick."""
    if current == RUNNING:
        return 2 * step
    if current == CANCELING:
        return step / 2
    return step


def allowed_actions(
    status: str, active_job: str | None, cancel_requested: bool
) -> dict[str, bool]:
    """Which buttons a workspace offers: one build at a time, cancel while one runs."""
    idle = active_job is None
    return {
        "start": idle and status != "running",
        "stop": idle and status != "stopped",
        "cancel": active_job in (PENDING, RUNNING) and not cancel_requested,
    }
