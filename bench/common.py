"""Shared by the benchmarks: percentiles, results as JSON, the lab they run against.

Every benchmark measures its baseline in the same run and reports a ratio: these machines
are shared and noisy, absolute figures drift, ratios much less.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
BENCH_LAB_PORT_BASE = int(os.environ.get("HOTLINE_BENCH_PORT_BASE", "27000"))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 3),
            "p95_ms": round(percentile(ms, 95), 3), "p99_ms": round(percentile(ms, 99), 3),
            "max_ms": round(max(ms), 3) if ms else float("nan"),
            "mean_ms": round(statistics.fmean(ms), 3) if ms else float("nan")}


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measured_commit() -> str:
    """The commit the result measures (``+dirty`` if the work tree had changes other than
    the results themselves)."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                ".", *NOT_MEASURED],
                               cwd=root, capture_output=True, text=True, check=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


# what a later commit may change without making a measured figure stale
NOT_MEASURED = (":(exclude)bench/results", ":(exclude)bench/README.md", ":(exclude)README.md",
                ":(exclude)bench/table.py", ":(exclude)docs", ":(exclude)tests",
                ":(exclude)*.md")


def report(name: str, result: dict[str, Any], passed: bool) -> None:
    """Print the result and keep it in bench/results/<name>.json, with its commit."""
    result = {"benchmark": name, "passed": passed, "commit": measured_commit(),
              "at": time.strftime("%Y-%m-%d %H:%M:%S"),
              "python": platform.python_version(), "cpus": os.cpu_count(), **result}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print(f"{name}: {'PASS' if passed else 'FAIL'}", file=sys.stderr)
