"""Leases: which simulator process works on a build or an agent, with takeover when it dies.

Every server process runs simulators (several uvicorn workers, say); a conditional UPDATE
lets exactly one of them claim each row, and a lease left unrenewed for
``lease_timeout()`` may be claimed by another, so work survives a process that died.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import conf
from .models import Lease


def _free(holder: str) -> Q:
    stale = timezone.now() - conf.lease_timeout()
    return Q(claimed_by="") | Q(heartbeat_at__lt=stale) | Q(claimed_by=holder)


def claimable(queryset: QuerySet[Any], holder: str) -> QuerySet[Any]:
    """The rows of ``queryset`` nobody else holds a live lease on."""
    return queryset.filter(_free(holder))


def claim(model: type[Lease], pk: Any, holder: str) -> bool:
    """Take the lease on one row; False if another process holds it."""
    found = model._default_manager.filter(_free(holder), pk=pk)
    return found.update(claimed_by=holder, heartbeat_at=timezone.now()) == 1


def renew(model: type[Lease], pk: Any, holder: str) -> bool:
    """Keep the lease alive; False if it was lost (taken over, or the row is gone)."""
    found = model._default_manager.filter(pk=pk, claimed_by=holder)
    return found.update(heartbeat_at=timezone.now()) == 1


def release(model: type[Lease], pk: Any, holder: str) -> None:
    model._default_manager.filter(pk=pk, claimed_by=holder).update(
        claimed_by="", heartbeat_at=None
    )
