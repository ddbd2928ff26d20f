"""Render bench/results/*.json into the table of bench/README.md.

    python -m bench.table      (after running the benchmarks)
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench.common import NOT_MEASURED, RESULTS, measured_commit

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- results -->", "<!-- /results -->"


def _row(name: str, r: dict[str, Any]) -> str:
    ok = "✓" if r["passed"] else "✗"
    if name == "p1_decision_latency":
        d, p = r["decision"], r["ami_ping_rtt"]
        return (f"| P1 | decision latency at 10× load ({r['calls_in_progress']:,} calls, "
                f"{r['requests_per_s']} req/s) | p99 {d['p99_ms']} ms | AMI Ping p99 "
                f"{p['p99_ms']} ms | {r['ratio_p99_to_ping_p99']}× | ≤ 10× and ≤ 10 ms | {ok} |")
    if name == "p2_router_overhead":
        return (f"| P2 | request → specialist answered, router vs dialplan "
                f"({r['rounds']} each) | router p95 {r['router_arm']['p95_ms']} ms | dialplan "
                f"p95 {r['dialplan_arm']['p95_ms']} ms | p95 diff {r['p95_difference_ms']} ms, "
                f"rate {r['rate_ratio']}× | ≤ 20 ms, ≥ 0.8× | {ok} |")
    if name == "p3_ami_ingest":
        lag = r["loop_lag_at_10x_design"]
        return (f"| P3 | AMI ingest: framing, parse, state, dispatch | "
                f"{r['router_ingest_events_per_s']:,} ev/s; loop lag p99 {lag['p99_ms']} ms | "
                f"minimal parser {r['minimal_parser_events_per_s']:,} ev/s; raw read "
                f"{r['raw_read_mb_per_s']} MB/s | {r['ratio_to_minimal_parser']}× | ≥ 0.5×; "
                f"lag p99 ≤ 20 ms | {ok} |")
    if name == "p4_concurrent_calls":
        return (f"| P4 | concurrent calls tracked | {r['calls_tracked_at_once']:,} calls, "
                f"{r['rss_per_call_bytes']:,} B/call | idle {r['idle_rss_mb']} MB | after: "
                f"{r['after_vs_idle']}× idle in {r['back_to_idle_within_s']} s | ≥ 2,500; "
                f"≤ 20 kB; ±5% in 60 s | {ok} |")
    if name == "p5_call_rate":
        soak = r["soak"]
        ceiling = " (no failure up to the last rate)" if r["ceiling_reached"] else ""
        return (f"| P5 | saturation race, three-way call: highest rate with 0 failed and "
                f"p95 set-up ≤ 2 s; soak at 10/s for {soak['placed'] / 10:.0f} s | router "
                f"{r['router_max_calls_per_s']:g} calls/s{ceiling}; soak {soak['placed']:,} "
                f"calls, {soak['failed']} lost, p95 {soak['setup_p95_ms']} ms | pure dialplan "
                f"Queue() {r['dialplan_max_calls_per_s']:g} calls/s | {r['ratio']}× | "
                f"≥ 0.9×; soak 0 lost | {ok} |")
    if name == "p6_metrics_writes":
        return (f"| P6 | metrics writes (record + ~{r['redis_ops_per_record']} counters) | "
                f"{r['records_per_s']:,} records/s = {r['redis_ops_per_s']:,} ops/s; hand-over "
                f"p99 {r['handover_us_p99_redis_down']} µs with Redis down | redis-benchmark "
                f"-P16 {r['baseline_pipelined_set_per_s']:,} SET/s | {r['ratio']}× | ≥ 0.3× | "
                f"{ok} |")
    if name == "p7_mqtt_publish":
        design = r["design_load"]
        return (f"| P7 | MQTT publish QoS 1 | {r['router_bus_msgs_per_s']:,} msg/s; design "
                f"load {design['sent']} sent, {design['lost']} lost | bare paho "
                f"{r['paho_baseline_msgs_per_s']:,} msg/s | {r['ratio']}× | ≥ 0.5×, 0 lost | "
                f"{ok} |")
    if name == "p9_standards_cost":
        return (f"| P9 | standards watch per call, {r['history_calls']:,} calls over "
                f"{r['history_days']} days behind it | mean {r['with_history']['mean_ms']} ms, "
                f"RSS +{r['rss_growth_mb']} MB | no history: mean "
                f"{r['without_history']['mean_ms']} ms | {r['ratio_mean']}× | ≤ 1.5×, ≤ 5 MB "
                f"| {ok} |")
    if name == "p8_restart_recovery":
        healthy = r.get("healthy_transfer_s") or [0.0]
        return (f"| P8 | a transfer routed after Asterisk is SIGKILLed with calls live "
                f"({r['rounds']} rounds) | worst +{r['worst_s']} s over a healthy transfer, "
                f"killed calls ended {r.get('killed_calls_ended')} | healthy transfer "
                f"{min(healthy)}–{max(healthy)} s; Asterisk boot "
                f"{min(r['asterisk_boot_s'])}–{max(r['asterisk_boot_s'])} s | — | ≤ 2 s | {ok} |")
    return f"| ? | {name} | | | | | {ok} |"


def code_unchanged(commit: str, head: str, benchmark: str) -> bool:
    """True if nothing ``benchmark`` runs changed between ``commit`` and ``head``: the
    service, the lab and the shared bench code, and its own script (not the other
    benchmarks' scripts)."""
    root = Path(__file__).resolve().parents[1]
    others = [f":(exclude)bench/{p.name}" for p in Path(__file__).parent.glob("p[0-9]_*.py")
              if p.stem != benchmark]
    try:
        changed = subprocess.run(["git", "diff", "--name-only", commit, head, "--", ".",
                                  *NOT_MEASURED, *others], cwd=root, capture_output=True,
                                 text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return not changed


def _measured_on(name: str, result: dict[str, Any], head: str) -> str:
    """The commit a figure was measured on; *stale* unless the code it measured (everything
    but results, docs, tests and the other benchmarks' scripts) is the same at HEAD."""
    commit = str(result.get("commit", ""))
    if not commit or commit == "unknown":
        return "not recorded (stale)"
    short = commit[:10] + (" +dirty" if commit.endswith("+dirty") else "")
    if commit.endswith("+dirty") or head.endswith("+dirty"):
        return f"{short} (stale)"
    return short if code_unchanged(commit, head, name) else f"{short} (stale)"


def main() -> None:
    head = measured_commit()
    rows = ["| # | what | router | baseline (same run) | ratio | target | met | measured on |",
            "|---|---|---|---|---|---|---|---|"]
    for path in sorted(RESULTS.glob("p*.json")):
        result = json.loads(path.read_text())
        rows.append(f"{_row(path.stem, result)} {_measured_on(path.stem, result, head)} |")
    text = README.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n" + "\n".join(rows) + f"\n{END}{tail}")


if __name__ == "__main__":
    main()
