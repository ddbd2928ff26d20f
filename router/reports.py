"""``python -m router report`` and ``python -m router metrics verify``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from typing import Any

from metrics.keys import Keys
from metrics.rates import LABELS, STANDARDS, TARGETS, Figures, figures
from metrics.store import MetricsReader, MetricsUnavailable
from router.calendar_cli import outlook_line
from router.config import Settings
from router.core.hours import HOTLINE_TZ, calendar_outlook
from router.effects.redis_client import redis_client
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue

__all__ = ["add_report_parsers", "print_table", "run_metrics", "run_report", "unit_rows"]

RATES = ("connection_rate", "transfer_success_rate", "resolution_rate", "satisfaction_rate")


def add_report_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="a day's figures per unit, against the standards")
    report.add_argument("--date", default=None, help="YYYY-MM-DD (Asia/Shanghai; default today)")
    report.add_argument("--unit", default=None)
    report.add_argument("--json", action="store_true")
    report.add_argument("--config", type=str, default=None)
    metrics = sub.add_parser("metrics", help="metrics tools")
    metrics.add_argument("action", choices=["verify", "audit"])
    metrics.add_argument("--date", default=None)
    metrics.add_argument("--config", type=str, default=None)


def _day(value: str | None) -> str:
    return value or dt.datetime.now(HOTLINE_TZ).date().isoformat()


def run_report(args: argparse.Namespace, settings: Settings, catalogue: Catalogue,
               calendar: WorkCalendar) -> int:
    day = dt.date.fromisoformat(_day(args.date))
    outlook = calendar_outlook(calendar, dt.datetime.combine(
        day, dt.time(12), HOTLINE_TZ).timestamp())
    try:
        rows = asyncio.run(unit_rows(settings, catalogue, _day(args.date), args.unit))
    except MetricsUnavailable as exc:
        print(f"error: metrics store unavailable: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"date": _day(args.date), "standards": STANDARDS, "targets": TARGETS,
                          "units": rows, "calendar": outlook.as_json()},
                         ensure_ascii=False, indent=1))
    else:
        print_table(_day(args.date), rows)
        print(outlook_line(outlook))
    return 0


async def unit_rows(settings: Settings, catalogue: Catalogue, day: str, unit: str | None
                  ) -> list[dict[str, Any]]:
    client = redis_client(settings.redis)
    reader = MetricsReader(client, Keys(settings.redis.namespace))
    try:
        units = [unit] if unit else sorted(catalogue.units)
        rows = []
        for unit_id in units:
            got = figures(await reader.counters(day, f"unit:{unit_id}"))
            spec = catalogue.units.get(unit_id)
            rows.append({"unit": unit_id,
                         "name": {"zh": spec.name.zh, "en": spec.name.en} if spec else None,
                         **_as_dict(got), "misses": got.misses()})
        return rows
    finally:
        await client.aclose()


def _as_dict(got: Figures) -> dict[str, Any]:
    return {name: getattr(got, name) for name in Figures.__dataclass_fields__}


def print_table(day: str, rows: list[dict[str, Any]]) -> None:
    heads = ["unit 单位", "requests 请求", *(f"{en} {zh}" for zh, en in
                                           (LABELS[r] for r in RATES)),
             "bad 差评", "overflow 溢出", "tickets 工单"]
    print(f"enterprise line, {day} (Asia/Shanghai); standard/target 90%; ✗ = below")
    print(" | ".join(heads))
    for row in rows:
        cells = [row["unit"], str(row["requests"])]
        for rate in RATES:
            value = row[rate]
            mark = "" if value is None else ("✗" if row["misses"][rate] else "✓")
            cells.append("—" if value is None else f"{value:.1%} {mark}")
        cells += [str(row["bad_reviews"]),
                  f"{row['overflow_connected']}/{row['overflow_attempted']}",
                  f"{row['tickets_created']} ({row['tickets_overdue']} overdue)"]
        print(" | ".join(cells))


def run_metrics(args: argparse.Namespace, settings: Settings) -> int:
    day = _day(args.date)

    async def verify() -> tuple[int, list[Any]]:
        client = redis_client(settings.redis)
        try:
            reader = MetricsReader(client, Keys(settings.redis.namespace))
            return await (reader.audit(day) if args.action == "audit" else reader.verify(day))
        finally:
            await client.aclose()

    try:
        checked, differences = asyncio.run(verify())
    except MetricsUnavailable as exc:
        print(f"error: metrics store unavailable: {exc}", file=sys.stderr)
        return 1
    for diff in differences:
        print(f"{diff.key} {diff.counter}: stored {diff.stored}, records say {diff.recomputed}")
    what = "audited by the independent oracle" if args.action == "audit" else ""
    print(f"{day}: {checked} call records{' ' + what if what else ''}, "
          f"{len(differences)} differences")
    return 0 if not differences else 1
