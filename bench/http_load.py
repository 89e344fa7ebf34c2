"""An HTTP load process: threads POSTing build updates over keep-alive connections.

    python -m bench.http_load <port> <token> <seconds> <threads>
prints {"count", "errors", "latencies_ms", "cpu"} as JSON.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import uuid

from .procs import self_cpu


def main(port: int, token: str, seconds: float, threads: int) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def load() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
        mine: list[float] = []
        failed = 0
        number = 0
        while time.perf_counter() < stop:
            number += 1
            body = json.dumps(
                {
                    "workspace_id": str(uuid.uuid4()),
                    "build_id": str(uuid.uuid4()),
                    "transition": "start",
                    "job_status": "running",
                    "build_number": number,
                }
            )
            started = time.perf_counter()
            connection.request("POST", "/api/workspace-events/build-updates/", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status == 202:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    cpu = self_cpu()
    workers = [threading.Thread(target=load) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(
        json.dumps(
            {
                "count": len(latencies),
                "errors": errors[0],
                "latencies_ms": [round(value * 1000, 3) for value in latencies],
                "cpu": self_cpu() - cpu,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
