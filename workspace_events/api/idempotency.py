"""``Idempotency-Key``: a retried POST gets the first answer and publishes nothing twice."""

from __future__ import annotations

import enum
import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, router, transaction
from django.utils import timezone

from ..conf import conf
from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# A claim still open after this long belongs to a request that died: a retry may take it.
ABANDONED_AFTER = timedelta(minutes=1)


class Claim(enum.Enum):
    NEW = "new"  # go ahead, then call finish() or abandon()
    REPLAY = "replay"  # answer with the stored response
    PENDING = "pending"  # logged but not published yet: publish the stored events
    MISMATCH = "mismatch"  # the key came with another body
    BUSY = "busy"  # the first request with this key is still running


def valid_key(key: str) -> bool:
    return bool(_VALID_KEY.fullmatch(key))


def fingerprint(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON, so spacing and key order do not matter."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def claim(user: Any, endpoint: str, key: str, digest: str) -> tuple[Claim, IdempotencyKey]:
    """Reserve ``key`` for this request, or say what an earlier request with it left."""
    using = router.db_for_write(IdempotencyKey)
    records = IdempotencyKey.objects.using(using)
    now = timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic(using=using):
                record = records.create(user=user, endpoint=endpoint, key=key, fingerprint=digest)
            return Claim.NEW, record
        except IntegrityError:
            record = records.get(user=user, endpoint=endpoint, key=key)
        if record.created_at >= now - conf.IDEMPOTENCY_TTL:
            break
        records.filter(pk=record.pk, created_at=record.created_at).delete()  # expired
    if record.fingerprint != digest:
        return Claim.MISMATCH, record
    if record.status_code is None:
        taken = records.filter(
            pk=record.pk, status_code=None, created_at__lt=now - ABANDONED_AFTER
        ).update(created_at=now)
        return (Claim.NEW if taken else Claim.BUSY), record
    return (Claim.PENDING if record.pending else Claim.REPLAY), record


def finish(
    record: IdempotencyKey, status: int, body: Any, pending: list[Any] | None = None
) -> None:
    """Store the answer a retry will get."""
    record.status_code = status
    record.response = json.dumps(body)
    record.pending = json.dumps(pending) if pending else ""
    record.save(update_fields=["status_code", "response", "pending"])


def abandon(record: IdempotencyKey) -> None:
    """Forget the key: nothing was done, so a retry starts afresh."""
    record.delete()


def prune(before: Any) -> int:
    """Remove keys created before ``before``; return how many."""
    using = router.db_for_write(IdempotencyKey)
    return IdempotencyKey.objects.using(using).filter(created_at__lt=before).delete()[0]
