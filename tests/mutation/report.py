"""The mutation score of the pure code, per module, from mutmut's results.

``make mutation`` runs mutmut (configured in pyproject.toml: router/core, skills and the
counting parts of metrics, each mutant against the CPU tier only), then this report:

    python -m tests.mutation.report [--write docs/testing.md]

A mutant counts as caught when the CPU tier fails on it (killed) or runs past mutmut's
timeout. Mutants listed in tests/mutation/equivalent.txt (one ``name  reason`` a line)
behave exactly like the original: they are named there and left out of the score.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = Path(__file__).with_name("equivalent.txt")
BEGIN, END = "<!-- mutation -->", "<!-- /mutation -->"
CAUGHT = ("killed", "timeout")
TARGET = 0.90  # issue 12: at least 90% of the pure code's mutants die in the CPU tier


def results() -> dict[str, str]:
    """mutant name -> status, as ``mutmut results --all true`` prints them."""
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status.strip()
    return found


def module_of(mutant: str) -> str:
    """``router.core.call.xǁCallǁmove__mutmut_3`` -> ``router.core.call``."""
    return re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0]


def equivalent() -> dict[str, str]:
    if not EQUIVALENT.exists():
        return {}
    named = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            named[name] = reason.strip()
    return named


def table(found: dict[str, str], skip: dict[str, str]) -> tuple[str, float]:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in found.items():
        if name not in skip:
            by_module[module_of(name)][status] += 1
    lines = ["| module | mutants | caught | survived | no test reaches it | score |",
             "|---|---:|---:|---:|---:|---:|"]
    total: Counter[str] = Counter()
    for module, counts in sorted(by_module.items()):
        total += counts
        n = sum(counts.values())
        caught = sum(counts[s] for s in CAUGHT)
        lines.append(f"| {module} | {n} | {caught} | {counts['survived']} | "
                     f"{counts['no tests']} | {caught / n:.0%} |")
    n = sum(total.values())
    caught = sum(total[s] for s in CAUGHT)
    score = caught / n if n else 0.0
    lines.append(f"| **all** | {n} | {caught} | {total['survived']} | {total['no tests']} | "
                 f"**{score:.1%}** |")
    return "\n".join(lines), score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="replace the marked block of this file")
    args = parser.parse_args()
    found, skip = results(), equivalent()
    text, score = table(found, skip)
    commit = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    survivors = sorted(name for name, status in found.items()
                       if status not in CAUGHT and name not in skip)
    listed = "\n".join(f"- `{name}` ({found[name]})" for name in survivors) or "- none"
    block = (f"{BEGIN}\nMeasured on commit {commit}; {len(skip)} equivalent mutants named in "
             f"tests/mutation/equivalent.txt and not counted.\n\n{text}\n\n"
             f"Not caught ({len(survivors)}; `mutmut show <name>` prints one):\n\n"
             f"{listed}\n{END}")
    print(block)
    print(f"mutation score: {score:.1%} (target {TARGET:.0%})")
    if args.write:
        page = args.write.read_text(encoding="utf-8")
        start, end = page.index(BEGIN), page.index(END) + len(END)
        args.write.write_text(page[:start] + block + page[end:], encoding="utf-8")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
