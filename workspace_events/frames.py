"""The WebSocket frames, server to client: ``ping``, ``data`` and ``error``."""

from __future__ import annotations

import json

PING = '{"type":"ping"}'
DROPPED_MESSAGES = "dropped messages"


def data(event_id: int | None, payload: bytes) -> str:
    """``{"type":"data","id":…,"data":…}`` around the payload exactly as it was published."""
    return '{"type":"data","id":%s,"data":%s}' % (  # noqa: UP031 - the hot path
        "null" if event_id is None else event_id,
        payload.decode(),
    )


def error(message: str, detail: str = "") -> str:
    """``{"type":"error","data":{"message":…,"detail":…}}``."""
    return json.dumps(
        {"type": "error", "data": {"message": message, "detail": detail}},
        separators=(",", ":"),
        ensure_ascii=False,
    )
