"""A tiny run of the benchmark harness, so it cannot rot (its figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .redis_support import shared_redis_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.e2e
@pytest.mark.redis
def test_quick_benchmark_run_writes_its_results(tmp_path: Path) -> None:
    redis = shared_redis_url()
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(tmp_path), "--redis", redis],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    assert {run["implementation"] for run in results["runs"]} == {"ours", "baseline"}
    for run in results["runs"]:
        for step in run["fanout"] + run["owners"]:
            assert step["delivered"] == step["expected"] > 0
    assert all(run["errors"] == 0 and run["requests"] > 0 for run in results["http"])
    table = (tmp_path / "latest.md").read_text()
    assert "| sockets \u00d7 target |" in table
    assert "**Targets**" in table
    assert (tmp_path / "latest.png").read_bytes().startswith(b"\x89PNG")
