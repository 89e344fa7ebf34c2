"""The provisioner's HTTP client for ``POST /api/workspace-events/build-updates/``.

Plain standard library and no Django, like a provisioner that runs on another machine:
it knows the server's URL and a DRF token, nothing else. Each report carries an
``Idempotency-Key`` naming the build and status, so retrying after a timeout or a 503
never publishes an update twice.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("workspaces.provisioner")

PATH = "/api/workspace-events/build-updates/"
# Answers that may turn out differently later: the same key is simply sent again.
RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})


class ReportError(Exception):
    """The server refused a build update, or could not be reached after every retry."""


@dataclass(frozen=True)
class Reporter:
    """Posts build updates to ``base_url`` with ``Authorization: Token <token>``."""

    base_url: str
    token: str
    attempts: int = 5
    backoff: float = 0.2
    timeout: float = 10.0

    def report(self, update: dict[str, Any], key: str) -> dict[str, Any]:
        """POST ``update`` until it is accepted (202); return the response body."""
        url = self.base_url.rstrip("/") + PATH
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                status, body = self._post(url, update, key)
            except OSError as exc:  # refused, reset, timed out: the server may come back
                problem = f"cannot reach {url}: {exc}"
            else:
                if status == 202 and isinstance(body, dict):
                    return body
                problem = f"HTTP {status}: {body}"
                if status not in RETRY_STATUSES:
                    raise ReportError(f"build update {key} refused: {problem}")
            if attempt == self.attempts:
                break
            logger.info("build update %s: %s; retrying in %.1fs", key, problem, delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        raise ReportError(f"build update {key} failed {self.attempts} times: {problem}")

    def _post(self, url: str, update: dict[str, Any], key: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            url,
            data=json.dumps(update).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {self.token}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, _json(exc.read())


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")[:200]
