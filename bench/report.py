"""The benchmark's Markdown table and PNG plot, from the results of bench/run.py."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

TARGETS = {
    "cpu_ratio": 1.0,  # server CPU per delivery, ours / baseline
    "p99_ms": 25.0,  # at 8,000 deliveries/s in one process
    "p99_rate": 8000,
    "http_rps": 1000.0,  # build updates/s over HTTP, log on
    "idle_kib": 30.0,  # RSS per idle socket
}


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(ours: float | None, baseline: float | None) -> str:
    if ours is None or not baseline:
        return "–"
    return f"{ours / baseline:.2f}"


def _pairs(results: dict[str, Any], layer: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    runs = {run["implementation"]: run for run in results["runs"] if run["layer"] == layer}
    if "ours" in runs and "baseline" in runs:
        return runs["ours"], runs["baseline"]
    return None


def _rows(ours: list[dict[str, Any]], baseline: list[dict[str, Any]], label: Any) -> list[str]:
    rows = []
    for mine, theirs in zip(ours, baseline, strict=True):
        rows.append(
            f"| {label(mine)} | {_num(mine['deliveries_per_second'], 0)} "
            f"| {_num(theirs['deliveries_per_second'], 0)} "
            f"| {_num(mine['p50_ms'])} / {_num(mine['p99_ms'])} "
            f"| {_num(theirs['p50_ms'])} / {_num(theirs['p99_ms'])} "
            f"| {_num(mine['server_cpu_per_10k'], 2)} | {_num(theirs['server_cpu_per_10k'], 2)} "
            f"| {_ratio(mine['server_cpu_per_10k'], theirs['server_cpu_per_10k'])} "
            f"| {_num(100 * mine['delivered'] / mine['expected'] if mine['expected'] else None, 0)}% "
            f"| {_num(100 * theirs['delivered'] / theirs['expected'] if theirs['expected'] else None, 0)}% "
            f"| {_num(mine['client_cpu_s'] / mine['server_cpu_s'] if mine['server_cpu_s'] else None, 2)} |"
        )
    return rows


HEADER = (
    "| {what} | ours deliveries/s | baseline deliveries/s | ours p50 / p99 ms | baseline p50 / p99 ms "
    "| ours CPU s / 10k | baseline CPU s / 10k | CPU ratio | ours delivered | baseline delivered "
    "| client CPU / server CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def targets(results: dict[str, Any]) -> list[str]:
    lines = []
    ratios = []
    p99s = []
    for layer in dict.fromkeys(run["layer"] for run in results["runs"]):
        pair = _pairs(results, layer)
        if pair is None:
            continue
        ours, baseline = pair
        for mine, theirs in zip(
            ours["fanout"] + ours["owners"], baseline["fanout"] + baseline["owners"], strict=True
        ):
            complete = mine["expected"] and mine["delivered"] >= 0.95 * mine["expected"]
            if (
                complete
                and theirs["expected"]
                and theirs["delivered"] >= 0.95 * theirs["expected"]
            ):
                ratios.append(mine["server_cpu_per_10k"] / theirs["server_cpu_per_10k"])
        for step in ours["fanout"] + ours["owners"]:
            target = step.get("target", step["events_per_second"])
            if target == TARGETS["p99_rate"]:
                p99s.append(
                    (
                        layer,
                        step.get("sockets", "1/owner"),
                        step["p99_ms"],
                        step["deliveries_per_second"],
                    )
                )
    if ratios:
        median = statistics.median(ratios)
        met = "met" if median <= TARGETS["cpu_ratio"] else "missed"
        lines.append(
            f"- Server CPU per delivery ≤ 1.0× the baseline: **{met}** (median ratio "
            f"{median:.2f} over {len(ratios)} unsaturated steps, range {min(ratios):.2f}–{max(ratios):.2f})."
        )
    for layer, sockets, p99, rate in p99s:
        met = (
            "met"
            if p99 is not None and p99 < TARGETS["p99_ms"] and rate >= 0.95 * TARGETS["p99_rate"]
            else "missed"
        )
        lines.append(
            f"- p99 < 25 ms at 8,000 deliveries/s ({layer}, {sockets} sockets): **{met}** "
            f"(p99 {_num(p99)} ms at {_num(rate, 0)} deliveries/s)."
        )
    for run in results["http"]:
        if run["log"]:
            rps = run["requests_per_second"]
            met = "met" if rps >= TARGETS["http_rps"] else "missed"
            lines.append(
                f"- ≥ 1,000 build updates/s over HTTP with the log on ({run['workers']} "
                f"worker{'s' if run['workers'] > 1 else ''}): **{met}** ({rps:,.0f}/s)."
            )
    for run in results["runs"]:
        if run["implementation"] == "ours":
            kib = run["idle"]["kib_per_socket"]
            met = "met" if kib <= TARGETS["idle_kib"] else "missed"
            lines.append(
                f"- ≤ 30 KiB RSS per idle socket ({run['layer']}): **{met}** ({kib:.1f} KiB)."
            )
    return lines


def markdown(results: dict[str, Any]) -> str:
    machine, versions = results["machine"], results["versions"]
    out = [
        f"Run of {machine['date']} on {machine['cpus']} × {machine['cpu_model']}; "
        + ", ".join(f"{name} {version}" for name, version in versions.items())
        + f"; database {machine.get('database', 'SQLite')}; {results['seconds']:.0f} s in all.",
        "",
    ]
    for layer in dict.fromkeys(run["layer"] for run in results["runs"]):
        pair = _pairs(results, layer)
        if pair is None:
            continue
        ours, baseline = pair
        out += [
            f"**Fan-out, one owner, {layer} layer** (target deliveries/s in the first column)",
            "",
        ]
        out += [HEADER.format(what="sockets × target")]
        out += _rows(
            ours["fanout"], baseline["fanout"], lambda s: f"{s['sockets']} × {s['target']:,}"
        )
        out += ["", f"**Many owners, one socket each, {layer} layer**", ""]
        out += [HEADER.format(what="owners × events/s")]
        out += _rows(
            ours["owners"],
            baseline["owners"],
            lambda s, n=results["plan"]["owners"]: f"{n} × {s['events_per_second']:,.0f}",
        )
        out.append("")
    out += [
        "**Idle sockets** (server RSS growth per authenticated connection, measured over the "
        "sockets opened after a first tenth warmed the process up)",
        "",
    ]
    out += [
        "| layer | sockets | ours KiB/socket | baseline KiB/socket | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for layer in dict.fromkeys(run["layer"] for run in results["runs"]):
        pair = _pairs(results, layer)
        if pair:
            ours, baseline = pair
            out.append(
                f"| {layer} | {ours['idle']['sockets']} | {ours['idle']['kib_per_socket']:.1f} "
                f"| {baseline['idle']['kib_per_socket']:.1f} "
                f"| {_ratio(ours['idle']['kib_per_socket'], baseline['idle']['kib_per_socket'])} |"
            )
    out += [
        "",
        "**Publish path**: `POST build-updates/` with a DRF token, RedisPubSubChannelLayer",
        "",
        "| uvicorn workers | event log | requests/s | p50 ms | p99 ms | server CPU ms/request | errors |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in results["http"]:
        out.append(
            f"| {run['workers']} | {'on' if run['log'] else 'off'} | {run['requests_per_second']:,.0f} "
            f"| {_num(run['p50_ms'])} | {_num(run['p99_ms'])} "
            f"| {_num(run['server_cpu_per_request_ms'], 2)} | {run['errors']} |"
        )
    out += ["", "**Targets**", "", *targets(results), ""]
    return "\n".join(out)


README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


def update_readme(readme: Path, markdown: str) -> bool:
    """Put ``markdown`` between the README's bench markers; False if it has none."""
    text = readme.read_text()
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    readme.write_text(text[: start + len(README_START)] + "\n" + markdown + "\n" + text[end:])
    return True


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    layers = list(dict.fromkeys(run["layer"] for run in results["runs"]))
    figure, axes = plt.subplots(2, len(layers), figsize=(6 * len(layers), 8), squeeze=False)
    for column, layer in enumerate(layers):
        for run in results["runs"]:
            if run["layer"] != layer:
                continue
            style = "-o" if run["implementation"] == "ours" else "--s"
            for sockets in dict.fromkeys(step["sockets"] for step in run["fanout"]):
                steps = [step for step in run["fanout"] if step["sockets"] == sockets]
                label = f"{run['implementation']}, {sockets} sockets"
                axes[0][column].plot(
                    [s["deliveries_per_second"] for s in steps],
                    [s["p99_ms"] or 0 for s in steps],
                    style,
                    label=label,
                )
                axes[1][column].plot(
                    [s["deliveries_per_second"] for s in steps],
                    [s["server_cpu_per_10k"] or 0 for s in steps],
                    style,
                    label=label,
                )
        axes[0][column].set(
            title=f"{layer}: p99 latency", xlabel="deliveries/s", ylabel="ms", yscale="log"
        )
        axes[1][column].set(
            title=f"{layer}: server CPU per 10k deliveries", xlabel="deliveries/s", ylabel="CPU s"
        )
        for axis in axes[:, column]:
            axis.grid(alpha=0.3)
            axis.legend(fontsize=7)
    figure.suptitle(
        "workspace_events (solid) vs a bare Channels consumer (dashed), fan-out to one owner"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
