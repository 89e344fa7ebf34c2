"""Publish throughput with the event log on and off, on SQLite and on PostgreSQL.

    .venv/bin/python bench/publish_log.py [--events 3000] [--rounds 3] [--postgres URL]

Each round sends ``--events`` workspace events, one after another, through
``workspace_events.emit.send`` (log row, then publish) to one subscriber, and reports
events per second; the table gives the median round and the ratio log on / log off. The
pubsub is MemoryPubsub (the log's cost alone) and, when Redis answers at ``--redis``,
ChannelLayerPubsub over RedisPubSubChannelLayer (what a deployment pays). PostgreSQL runs
in a database of its own, created and dropped by the script. Results also go to
``bench/results/publish_log.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database: dict[str, Any], redis: str | None) -> None:
    import django
    from django.conf import settings

    pragmas = database.pop("PRAGMAS", [])

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "workspace_events"],
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis], "prefix": f"wse-bench-{os.getpid()}"},
            }
        }
        if redis
        else {},
        DATABASES={"default": database},
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()
    from django.core.management import call_command
    from django.db.backends.signals import connection_created

    def apply_pragmas(connection: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            for pragma in pragmas:
                cursor.execute(pragma)

    connection_created.connect(apply_pragmas, weak=False)

    call_command("migrate", verbosity=0)


def one_round(events: int, log: bool, backend: str) -> float:
    from django.test import override_settings

    from workspace_events import WorkspaceEvent
    from workspace_events.emit import event_record, send
    from workspace_events.pubsub import ChannelLayerPubsub, MemoryPubsub, Pubsub

    pubsub: Pubsub
    if backend == "memory":
        pubsub = MemoryPubsub(queue_size=events + 1)
    else:
        pubsub = ChannelLayerPubsub(queue_size=events + 1)
    received = threading.Semaphore(0)
    owner = uuid.uuid4()
    pubsub.subscribe(f"workspace_owner:{owner}", lambda message: received.release())
    records = [
        event_record(owner, WorkspaceEvent("state_change", uuid.uuid4())) for _ in range(events)
    ]
    with override_settings(WORKSPACE_EVENTS_LOG=log):
        started = time.perf_counter()
        for record in records:
            send(record, pubsub=pubsub)
        for _ in range(events):
            received.acquire()
        elapsed = time.perf_counter() - started
    pubsub.close()
    return events / elapsed


def measure(name: str, backend: str, events: int, rounds: int) -> dict[str, Any]:
    result: dict[str, Any] = {"database": name, "pubsub": backend}
    for log in (False, True, False, True):  # interleaved, to spread drift over both
        samples = result.setdefault("on" if log else "off", [])
        samples.extend(one_round(events, log, backend) for _ in range(rounds))
    for key in ("on", "off"):
        result[f"{key}_median"] = statistics.median(result[key])
    result["ratio"] = result["on_median"] / result["off_median"]
    return result


def run_child(
    args: argparse.Namespace, name: str, database: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each database in a process of its own: Django configures once per process."""
    import subprocess

    redis = args.redis if redis_up(args.redis) else None
    spec = json.dumps({"name": name, "database": database, "redis": redis})
    command = [sys.executable, __file__, "--child", spec, "--events", str(args.events)]
    out = subprocess.run(
        [*command, "--rounds", str(args.rounds)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def redis_up(url: str) -> bool:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def postgres_database(url: str) -> tuple[dict[str, Any], Any]:
    import psycopg

    name = f"workspace_events_bench_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(url)

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "HOST": info.get("host", "127.0.0.1"),
        "PORT": info.get("port", "5432"),
        "USER": info.get("user", "postgres"),
        "PASSWORD": info.get("password", ""),
    }
    return database, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        configure(spec["database"], spec["redis"])
        backends = ["memory", "redis"] if spec["redis"] else ["memory"]
        print(json.dumps([measure(spec["name"], b, args.events, args.rounds) for b in backends]))
        return

    results = []
    with tempfile.TemporaryDirectory() as directory:
        sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{directory}/bench.sqlite3"}
        results += run_child(args, "SQLite (defaults)", sqlite)
        wal = {
            **sqlite,
            "NAME": f"{directory}/wal.sqlite3",
            "PRAGMAS": ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"],
        }
        results += run_child(args, "SQLite (WAL, synchronous=NORMAL)", wal)
    database, drop = postgres_database(args.postgres)
    try:
        results += run_child(args, "PostgreSQL", database)
    finally:
        drop()

    print(
        f"Publish throughput, {args.events} events x {args.rounds * 2} rounds per cell "
        f"(median), one publisher, Python {platform.python_version()} on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}\n"
    )
    print("| database | pubsub | log off (events/s) | log on (events/s) | on / off |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['database']} | {r['pubsub']} | {r['off_median']:,.0f} "
            f"| {r['on_median']:,.0f} | {r['ratio']:.3f} |"
        )
    out = ROOT / "bench" / "results" / "publish_log.json"
    out.write_text(
        json.dumps({"events": args.events, "rounds": args.rounds, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
