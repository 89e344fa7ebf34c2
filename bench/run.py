"""The benchmark: workspace_events' consumers against a bare Channels consumer, same run.

    bash bench/run.sh            # the full run (under 10 minutes on 2 cores)
    bash bench/run.sh --quick    # a few seconds: checks the harness works

Per channel layer, two uvicorn processes serve the same routes: one is measured on our
consumer (``/ws/workspace-events/``), the other on the baseline (``/ws/bare/``). Load
clients and publishers are processes of their own; every figure is reported for both and
as a ratio. Results go to bench/results/latest.{json,md,png}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import procs, report
from .worker import Worker, all_call

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
IMPLEMENTATIONS = {"ours": ("/ws/workspace-events/", True), "baseline": ("/ws/bare/", False)}


@dataclass
class Plan:
    layers: list[str] = field(default_factory=lambda: ["pubsub", "core"])
    fanout_sizes: list[int] = field(default_factory=lambda: [10, 100, 1000])
    fanout_rates: list[int] = field(default_factory=lambda: [2000, 8000, 16000])
    owners: int = 1000
    owner_rates: list[int] = field(default_factory=lambda: [1000, 4000, 8000])
    step_seconds: float = 4.0
    clients: int = 2
    publishers: int = 2
    http_seconds: float = 6.0
    http_threads: int = 12
    http_workers: list[int] = field(default_factory=lambda: [1, 2])

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            layers=["pubsub"],
            fanout_sizes=[5],
            fanout_rates=[200],
            owners=5,
            owner_rates=[100],
            step_seconds=1.0,
            clients=1,
            publishers=1,
            http_seconds=1.0,
            http_threads=2,
            http_workers=[1],
        )


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Server:
    """One uvicorn process serving bench.asgi."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
                # The lightest of uvicorn's WebSocket implementations here, for both sides.
                "--ws",
                "wsproto",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.05)

    def cpu(self) -> float:
        return procs.tree_cpu_seconds(self.process.pid)

    def rss(self) -> int:
        return procs.rss_kib(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def chunks(items: list[Any], count: int) -> list[list[Any]]:
    return [items[index::count] for index in range(count)]


class Bench:
    def __init__(self, plan: Plan, env: dict[str, str], seed: dict[str, Any]) -> None:
        self.plan = plan
        self.env = env
        self.seed = seed
        self.steps = 0

    def workers(self, module: str, count: int, layer: str) -> list[Worker]:
        env = {**self.env, "BENCH_LAYER": layer}
        return [Worker(module, env, str(ROOT)) for _ in range(count)]

    def step(
        self,
        server: Server,
        clients: list[Worker],
        publishers: list[Worker],
        owners: list[str],
        events_per_second: float,
        expected_per_event: int,
    ) -> dict[str, Any]:
        seconds = self.plan.step_seconds
        self.steps += 1
        all_call(clients, [{"op": "start", "step": self.steps}] * len(clients))
        cpu = server.cpu()
        runs = all_call(
            publishers,
            [
                {
                    "op": "run",
                    "owners": part,
                    "rate": events_per_second / len(publishers),
                    "seconds": seconds,
                    "step": self.steps,
                }
                for part in (
                    chunks(owners, len(publishers))
                    if len(owners) >= len(publishers)
                    else [owners] * len(publishers)
                )
            ],
        )
        stops = all_call(clients, [{"op": "stop"}] * len(clients))
        server_cpu = server.cpu() - cpu
        latencies = [value for stop in stops for value in stop["latencies_ms"]]
        published = sum(run["published"] for run in runs)
        delivered = len(latencies)
        return {
            "events_per_second": events_per_second,
            "published": published,
            "expected": published * expected_per_event,
            "delivered": delivered,
            "deliveries_per_second": delivered / seconds,
            "p50_ms": percentile(latencies, 0.50),
            "p99_ms": percentile(latencies, 0.99),
            "server_cpu_s": server_cpu,
            "server_cpu_per_10k": server_cpu / delivered * 10_000 if delivered else None,
            "client_cpu_s": sum(stop["cpu"] for stop in stops),
            "publisher_cpu_s": sum(run["cpu"] for run in runs),
            "publisher_behind_s": max(run["behind"] for run in runs),
            "stale_frames": sum(stop["stale"] for stop in stops),
        }

    def open(
        self, clients: list[Worker], server: Server, implementation: str, tokens: list[str]
    ) -> None:
        path, ping = IMPLEMENTATIONS[implementation]
        url = f"ws://127.0.0.1:{server.port}{path}"
        answers = all_call(
            clients,
            [
                {"op": "open", "url": url, "tokens": part, "ping": ping}
                for part in chunks(tokens, len(clients))
            ],
        )
        assert sum(answer["open"] for answer in answers) == len(tokens)

    def close(self, clients: list[Worker]) -> None:
        all_call(clients, [{"op": "close"}] * len(clients))

    def implementation(self, layer: str, implementation: str) -> dict[str, Any]:
        plan, seed = self.plan, self.seed
        result: dict[str, Any] = {"layer": layer, "implementation": implementation}
        server = Server({**self.env, "BENCH_LAYER": layer})
        clients = self.workers("bench.client", plan.clients, layer)
        publishers = self.workers("bench.publisher", plan.publishers, layer)
        try:
            tokens = seed["tokens"][: plan.owners]
            log(f"{layer}/{implementation}: {len(tokens)} sockets, one per owner")
            # The first tenth warms up what every process allocates once (database pool,
            # executor threads, Redis connections); the rest is what sockets cost.
            warm = max(1, len(tokens) // 10)
            self.open(clients, server, implementation, tokens[:warm])
            time.sleep(1)
            before = server.rss()
            self.open(clients, server, implementation, tokens[warm:])
            time.sleep(2)
            after = server.rss()
            result["idle"] = {
                "sockets": len(tokens) - warm,
                "rss_before_kib": before,
                "rss_after_kib": after,
                "kib_per_socket": (after - before) / max(1, len(tokens) - warm),
            }
            owners = seed["owners"][: plan.owners]
            result["owners"] = []
            for rate in plan.owner_rates:
                log(f"{layer}/{implementation}: many owners, {rate} events/s")
                result["owners"].append(self.step(server, clients, publishers, owners, rate, 1))
            self.close(clients)
            result["fanout"] = []
            for size in plan.fanout_sizes:
                self.open(clients, server, implementation, [seed["tokens"][0]] * size)
                for rate in plan.fanout_rates:
                    log(f"{layer}/{implementation}: fan-out to {size}, {rate} deliveries/s")
                    step = self.step(server, clients, publishers, owners[:1], rate / size, size)
                    result["fanout"].append({"sockets": size, "target": rate, **step})
                self.close(clients)
        finally:
            for worker in clients + publishers:
                worker.stop()
            server.stop()
        return result

    def http(self, log_events: bool, workers: int) -> dict[str, Any]:
        plan = self.plan
        env = {**self.env, "BENCH_LAYER": "pubsub", "BENCH_LOG": "1" if log_events else "0"}
        server = Server(env, workers)
        try:
            log(f"HTTP build updates, log {'on' if log_events else 'off'}, {workers} worker(s)")
            self.http_load(server, 1.0)  # warm up: imports, connections, caches
            cpu = server.cpu()
            load = self.http_load(server, plan.http_seconds)
            server_cpu = server.cpu() - cpu
        finally:
            server.stop()
        latencies = load["latencies_ms"]
        return {
            "log": log_events,
            "workers": workers,
            "requests": load["count"],
            "errors": load["errors"],
            "requests_per_second": load["count"] / plan.http_seconds,
            "p50_ms": percentile(latencies, 0.50),
            "p99_ms": percentile(latencies, 0.99),
            "server_cpu_per_request_ms": server_cpu / load["count"] * 1000
            if load["count"]
            else None,
            "client_cpu_s": load["cpu"],
        }

    def http_load(self, server: Server, seconds: float) -> dict[str, Any]:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.http_load",
                str(server.port),
                self.seed["provisioner"],
                str(seconds),
                str(self.plan.http_threads),
            ],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)  # type: ignore[no-any-return]


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {
        name: version(name)
        for name in (
            "django",
            "channels",
            "channels-redis",
            "redis",
            "uvicorn",
            "websockets",
            "djangorestframework",
        )
    }
    found["python"] = sys.version.split()[0]
    try:
        found["redis-server"] = (
            subprocess.run(
                ["redis-server", "--version"], capture_output=True, text=True, check=True
            )
            .stdout.split()[2]
            .removeprefix("v=")
        )
    except (OSError, subprocess.CalledProcessError, IndexError):
        found["redis-server"] = "unknown"
    return found


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "date": time.strftime("%Y-%m-%d")}


@contextlib.contextmanager
def database(url: str) -> Iterator[str | None]:
    """A scratch PostgreSQL database for the run, dropped afterwards; None means SQLite."""
    if not url:
        yield None
        return
    import psycopg

    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        log(f"PostgreSQL unreachable ({exc}); using SQLite")
        yield None
        return
    name = f"workspace_events_bench_{os.getpid()}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="workspace_events vs a bare Channels consumer")
    parser.add_argument("--quick", action="store_true", help="a tiny run that checks the harness")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.* go")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a server where a scratch database may be created ('' for SQLite)",
    )
    args = parser.parse_args()
    plan = Plan.quick() if args.quick else Plan()
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="workspace-events-bench-") as directory,
        database(args.postgres) as postgres,
    ):
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DB": f"{directory}/bench.sqlite3",
            "BENCH_POSTGRES": postgres or "",
            "BENCH_REDIS_URL": args.redis,
            "BENCH_PREFIX": f"wse-bench-{uuid.uuid4().hex[:8]}",
        }
        log(f"seeding {plan.owners} users")
        seed = json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.seed", str(max(plan.owners, 1))],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        bench = Bench(plan, env, seed)
        runs = [
            bench.implementation(layer, implementation)
            for layer in plan.layers
            for implementation in IMPLEMENTATIONS
        ]
        http = [bench.http(log, workers) for workers in plan.http_workers for log in (True, False)]
        used = "PostgreSQL" if postgres else "SQLite"
    results = {
        "plan": asdict(plan),
        "machine": {**machine(), "database": used},
        "versions": versions(),
        "runs": runs,
        "http": http,
        "seconds": round(time.monotonic() - started, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=1))
    markdown = report.markdown(results)
    (args.out / "latest.md").write_text(markdown)
    report.plot(results, args.out / "latest.png")
    if (
        not args.quick
        and args.out == RESULTS
        and report.update_readme(ROOT / "README.md", markdown)
    ):
        log("README.md: benchmark table updated")
    print(markdown)
    log(f"done in {results['seconds']} s")


if __name__ == "__main__":
    main()
