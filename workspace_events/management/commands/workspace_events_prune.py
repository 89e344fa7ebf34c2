"""Remove logged events older than ``WORKSPACE_EVENTS_RETENTION``, in batches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import router, transaction
from django.utils import timezone

from ...api import idempotency
from ...conf import conf
from ...models import EventLogEntry


class Command(BaseCommand):
    help = (
        "Remove logged events older than WORKSPACE_EVENTS_RETENTION (or --older-than), "
        "and idempotency keys older than WORKSPACE_EVENTS_IDEMPOTENCY_TTL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="SECONDS",
            help="age in seconds instead of WORKSPACE_EVENTS_RETENTION",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="rows removed per transaction"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be removed, remove nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if options["older_than"] is None:
            age = conf.RETENTION
        elif options["older_than"] < 0:
            raise CommandError("--older-than must not be negative")
        else:
            age = timedelta(seconds=options["older_than"])
        cutoff = timezone.now() - age
        using = router.db_for_write(EventLogEntry)
        old = EventLogEntry.objects.using(using).filter(created_at__lt=cutoff)
        if options["dry_run"]:
            self.stdout.write(
                f"Would remove {old.count()} events logged before {cutoff:%Y-%m-%d %H:%M:%S %Z}."
            )
            return
        removed = 0
        while True:
            # Short transactions over primary-key batches keep locks brief on a large table.
            with transaction.atomic(using=using):
                ids = list(old.order_by("id").values_list("id", flat=True)[:batch_size])
                if not ids:
                    break
                removed += EventLogEntry.objects.using(using).filter(id__in=ids).delete()[0]
            if options["verbosity"] >= 2:
                self.stdout.write(f"  removed {removed} so far")
        self.stdout.write(f"Removed {removed} events logged before {cutoff:%Y-%m-%d %H:%M:%S %Z}.")
        keys = idempotency.prune(timezone.now() - conf.IDEMPOTENCY_TTL)
        if keys:
            self.stdout.write(f"Removed {keys} expired idempotency keys.")
