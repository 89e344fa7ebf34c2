"""The simulated provisioner: takes one build from ``pending`` to its end, a step at a time.

Each status is first recorded in the database (the bridge then tells the owner's watchers:
``state_change``) and then reported to the build-updates endpoint over HTTP with a token,
as a provisioner on another machine would; operators watching every build see that report.
A job resumed by another process reports its current status again under the same
``Idempotency-Key``, which the server answers without publishing twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass

from . import builds, conf, leases, plan
from .db import database_sync_to_async
from .models import WorkspaceBuild
from .reporting import Reporter, ReportError

logger = logging.getLogger("workspaces.provisioner")


@dataclass(frozen=True)
class Job:
    """A build as the provisioner sees it at one moment."""

    id: uuid.UUID
    job_status: str
    cancel_requested: bool
    update: dict[str, object]


@database_sync_to_async
def _load(build_id: uuid.UUID) -> Job | None:
    build = WorkspaceBuild.objects.select_related("workspace").filter(pk=build_id).first()
    if build is None:
        return None
    update = builds.build_update(build)
    return Job(
        id=build.id,
        job_status=build.job_status,
        cancel_requested=build.cancel_requested,
        update={
            "workspace_id": str(update.workspace_id),
            "workspace_name": update.workspace_name,
            "build_id": str(update.build_id),
            "transition": str(update.transition),
            "job_status": str(update.job_status),
            "build_number": update.build_number,
        },
    )


@database_sync_to_async
def _still_ours(build_id: uuid.UUID, holder: str) -> bool | None:
    """Renew the lease; the build's ``cancel_requested``, or None if the lease is lost."""
    if not leases.renew(WorkspaceBuild, build_id, holder):
        return None
    return (
        WorkspaceBuild.objects.filter(pk=build_id)
        .values_list("cancel_requested", flat=True)
        .first()
    )


_advance = database_sync_to_async(builds.advance)
_release = database_sync_to_async(leases.release)


async def run_job(
    build_id: uuid.UUID, holder: str, reporter: Reporter, rng: random.Random
) -> None:
    """Carry the build out; the caller holds its lease."""
    try:
        while True:
            job = await _load(build_id)
            if job is None:
                return  # deleted with its workspace
            await _report(reporter, job)
            following = await _next_status(job, holder, rng)
            if following is None:
                return
            await _advance(build_id, following)
    finally:
        await _release(WorkspaceBuild, build_id, holder)


async def _report(reporter: Reporter, job: Job) -> None:
    try:
        await asyncio.to_thread(reporter.report, job.update, f"build-{job.id}-{job.job_status}")
    except ReportError as exc:
        # As in Coder: the change happened and is in the database; watchers of the build
        # stream miss this one update and catch up with the next.
        logger.error("provisioner: %s", exc)


async def _next_status(job: Job, holder: str, rng: random.Random) -> str | None:
    """Wait out the current step, watching for a cancel; None when done or lease lost."""
    if job.job_status not in plan.ACTIVE_JOB_STATUSES:
        return None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + plan.step_seconds(job.job_status, conf.step_seconds())
    while True:
        cancel_requested = await _still_ours(job.id, holder)
        if cancel_requested is None:
            logger.warning("provisioner: lost the lease on build %s", job.id)
            return None
        if cancel_requested and job.job_status != plan.CANCELING:
            break  # a cancel does not wait for the step to end
        left = deadline - loop.time()
        if left <= 0:
            break
        await asyncio.sleep(min(left, conf.POLL_INTERVAL))
    fails = job.job_status == plan.RUNNING and rng.random() < conf.failure_rate()
    return plan.next_job_status(job.job_status, cancel_requested=cancel_requested, fails=fails)
