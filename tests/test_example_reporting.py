"""The simulated provisioner's HTTP client, against a local stand-in for the API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .example_support import load_example_module
from .servers import free_port

reporting = load_example_module("reporting")

UPDATE = {
    "workspace_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "workspace_name": "dev",
    "build_id": "00000000-0000-4000-8000-00000000000b",
    "transition": "start",
    "job_status": "running",
    "build_number": 7,
}


class FakeAPI:
    """Answers POSTs with the queued (status, body) pairs, the last one forever."""

    def __init__(self, *answers: tuple[int, Any]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                api.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                status, body = api.answers.pop(0) if len(api.answers) > 1 else api.answers[0]
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[FakeAPI]:
    fake = FakeAPI(*request.param)
    yield fake
    fake.close()


def reporter(url: str, attempts: int = 3) -> Any:
    return reporting.Reporter(url, "secret-token", attempts=attempts, backoff=0.01)


@pytest.mark.parametrize("api", [[(202, {"id": 12})]], indirect=True)
def test_an_accepted_report_returns_the_body(api: FakeAPI) -> None:
    assert reporter(api.url + "/").report(UPDATE, "build-b-running") == {"id": 12}
    (sent,) = api.requests
    assert sent["path"] == "/api/workspace-events/build-updates/"
    assert sent["headers"]["Authorization"] == "Token secret-token"
    assert sent["headers"]["Idempotency-Key"] == "build-b-running"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["body"] == UPDATE


@pytest.mark.parametrize(
    "api",
    [[(503, {"detail": "down"}), (409, {"detail": "busy"}), (202, {"id": 3})]],
    indirect=True,
)
def test_retries_send_the_same_idempotency_key(api: FakeAPI) -> None:
    assert reporter(api.url).report(UPDATE, "build-b-running") == {"id": 3}
    assert [r["headers"]["Idempotency-Key"] for r in api.requests] == ["build-b-running"] * 3
    assert all(r["body"] == UPDATE for r in api.requests)


@pytest.mark.parametrize("api", [[(403, {"detail": "no permission"})]], indirect=True)
def test_a_refusal_is_not_retried(api: FakeAPI) -> None:
    with pytest.raises(reporting.ReportError, match=r"refused: HTTP 403.*no permission"):
        reporter(api.url).report(UPDATE, "k")
    assert len(api.requests) == 1


@pytest.mark.parametrize("api", [[(503, b"<html>Service Unavailable</html>")]], indirect=True)
def test_gives_up_after_the_last_attempt(api: FakeAPI) -> None:
    with pytest.raises(reporting.ReportError, match="failed 3 times: HTTP 503: <html>Service"):
        reporter(api.url).report(UPDATE, "k")
    assert len(api.requests) == 3


def test_an_unreachable_server_is_retried_then_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(reporting.ReportError, match="failed 2 times: cannot reach"):
        reporter(url, attempts=2).report(UPDATE, "k")
