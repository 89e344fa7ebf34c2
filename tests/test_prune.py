from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from workspace_events.eventlog import Record, write
from workspace_events.models import EventLogEntry

pytestmark = pytest.mark.django_db


def log(age: timedelta, count: int = 1) -> list[int]:
    ids = [write(Record(channel="c", kind="state_change", payload=b"{}")) for _ in range(count)]
    EventLogEntry.objects.filter(id__in=ids).update(created_at=timezone.now() - age)
    return ids  # type: ignore[return-value]


def prune(*args: str) -> str:
    out = StringIO()
    call_command("workspace_events_prune", *args, stdout=out)
    return out.getvalue()


def test_removes_events_older_than_the_retention_in_batches(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WORKSPACE_EVENTS_RETENTION = timedelta(days=7)
    old = log(timedelta(days=8), 7)
    kept = log(timedelta(days=6), 2)
    output = prune("--batch-size", "3", "-v", "2")
    assert "Removed 7 events" in output
    assert "removed 3 so far" in output and "removed 6 so far" in output
    assert set(EventLogEntry.objects.values_list("id", flat=True)) == set(kept)
    assert not EventLogEntry.objects.filter(id__in=old).exists()


def test_older_than_overrides_the_setting() -> None:
    log(timedelta(hours=2), 2)
    kept = log(timedelta(minutes=1))
    assert "Removed 2 events" in prune("--older-than", "3600")
    assert list(EventLogEntry.objects.values_list("id", flat=True)) == kept


def test_retention_in_seconds(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WORKSPACE_EVENTS_RETENTION = 60
    log(timedelta(minutes=2))
    assert "Removed 1 events" in prune()


def test_dry_run_removes_nothing() -> None:
    log(timedelta(days=40), 3)
    assert "Would remove 3 events" in prune("--dry-run")
    assert EventLogEntry.objects.count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--batch-size", "0"], "--batch-size"), (["--older-than", "-1"], "--older-than")],
)
def test_bad_arguments(args: list[str], message: str) -> None:
    log(timedelta(days=40))
    with pytest.raises(CommandError, match=message):
        prune(*args)
    assert EventLogEntry.objects.count() == 1


def test_bad_retention_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WORKSPACE_EVENTS_RETENTION = "a week"
    with pytest.raises(Exception, match="WORKSPACE_EVENTS_RETENTION"):
        prune()
