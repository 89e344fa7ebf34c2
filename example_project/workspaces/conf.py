"""Settings of the example's simulators, read on each access (``WORKSPACES_*``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def simulators_enabled() -> bool:
    """Run the provisioner and agent simulators in each server process."""
    return bool(getattr(settings, "WORKSPACES_SIMULATORS", True))


def base_url() -> str | None:
    """Where the provisioner posts build updates; ``None``: the address this server listens on."""
    value = getattr(settings, "WORKSPACES_BASE_URL", None)
    return str(value).rstrip("/") if value else None


def failure_rate() -> float:
    """The share of builds that fail (0 never, 1 always)."""
    return float(getattr(settings, "WORKSPACES_FAILURE_RATE", 0.15))


def step_seconds() -> float:
    """The pace of the simulation: a build takes about four steps, an agent five half-steps."""
    return float(getattr(settings, "WORKSPACES_STEP_SECONDS", 1.5))


def stats_interval() -> float:
    """Seconds between the stats reports of a running agent."""
    return float(getattr(settings, "WORKSPACES_STATS_INTERVAL", 5.0))


def lease_timeout() -> timedelta:
    """How long a simulator may go silent before another process takes its work over."""
    return timedelta(seconds=float(getattr(settings, "WORKSPACES_LEASE_SECONDS", 10.0)))


# Seconds between a simulator's looks at the database (new work, cancellations).
POLL_INTERVAL = 0.25
