"""``python -m router run | check-config | catalogue | calendar | tickets | lab ... | demo``.

Exit codes: 0 success, 1 failure, 2 invalid configuration, 3 AMI login refused. No
traceback reaches the administrator: an unexpected error is one line on stderr (and a
traceback only with ``ROUTER_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import traceback
from pathlib import Path

from router.calendar_cli import add_calendar_parser, run_calendar
from router.config import Settings, load_settings
from router.errors import ConfigError, ConfigErrors
from router.lab.cli import add_lab_parser, run_lab
from router.log import get_logger, logs_json
from router.reports import add_report_parsers, run_metrics, run_report
from router.tickets.cli import add_tickets_parser, run_tickets
from skills.calendar import WorkCalendar, years_in_view

__all__ = ["main"]

EXIT_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if logs_json():
            # the service's stream stays JSON: the traceback is a field of one line
            get_logger(component="cli").critical(
                "unexpected_error", error=type(exc).__name__, detail=str(exc)[:500],
                traceback=traceback.format_exc()[-8000:])
            return 1
        if os.environ.get("ROUTER_DEBUG") == "1":
            traceback.print_exc()
        print(f"error: unexpected {type(exc).__name__}: {exc} "
              "(set ROUTER_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m router", description=__doc__)
    parser.add_argument("--version", action="version", version=version_line())
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run the router service")
    run.add_argument("--config", type=Path, help="settings YAML (default: built-in lab settings)")
    check = sub.add_parser("check-config", help="validate settings and the catalogue they name")
    check.add_argument("config", type=Path, nargs="?")
    check.add_argument("--catalogue", type=Path, help="check this catalogue file alone")
    check.add_argument("--calendar", type=Path, help="check this calendar overrides file alone")
    cat = sub.add_parser("catalogue", help="catalogue tools")
    cat.add_argument("action", choices=["render-queues", "schema"])
    cat.add_argument("--config", type=Path)
    cat.add_argument("--check", action="store_true",
                     help="render-queues: fail if the committed files differ")
    cat.add_argument("--output", type=Path,
                     help="render-queues: the Asterisk configuration directory to write "
                          "(default: asterisk_conf/ of a source checkout, else /etc/asterisk)")
    add_lab_parser(sub)
    add_calendar_parser(sub)
    add_tickets_parser(sub)
    add_report_parsers(sub)
    sub.add_parser("demo", help="the main job on the embedded lab: calls, outcomes, counters")
    health = sub.add_parser("health", help="exit 0 if the running service is healthy")
    health.add_argument("--config", type=Path)
    health.add_argument("--live", action="store_true",
                        help="liveness only: the loop runs (default: ready to route)")
    args = parser.parse_args(argv)

    if args.cmd == "lab":
        return run_lab(args)
    if args.cmd == "demo":
        from router.lab.demo import run_demo  # noqa: PLC0415

        return run_demo()
    if args.cmd == "check-config":
        return _check_config(args.config, args.catalogue, args.calendar)
    try:
        config = getattr(args, "config", None)
        settings = load_settings(Path(config) if config else None)
    except ConfigErrors as exc:
        _print_errors(exc)
        return EXIT_CONFIG
    if args.cmd == "tickets":
        return run_tickets(args, settings)
    if args.cmd == "metrics":
        return run_metrics(args, settings)
    if args.cmd in ("report", "calendar"):
        from router.app import load_calendar_checked, load_catalogue_checked  # noqa: PLC0415

        try:
            catalogue = load_catalogue_checked(settings)
            calendar = load_calendar_checked(settings)
        except ConfigErrors as exc:
            _print_errors(exc)
            return EXIT_CONFIG
        if args.cmd == "calendar":
            return run_calendar(args, calendar, catalogue)
        return run_report(args, settings, catalogue, calendar)
    if args.cmd == "health":
        return _health(settings, live_only=args.live)
    if args.cmd == "run":
        from router.app import run_service  # noqa: PLC0415

        try:
            return asyncio.run(run_service(settings))
        except ConfigErrors as exc:
            _print_errors(exc)
            return EXIT_CONFIG
    return _catalogue(args, settings)


def _health(settings: Settings, *, live_only: bool) -> int:
    from router.health import check_health_file  # noqa: PLC0415

    if settings.service.health_file is None:
        print("service.health_file is not set", file=sys.stderr)
        return 1
    ok, detail = check_health_file(settings.service.health_file,
                                   3 * settings.service.health_interval_s, live_only=live_only)
    print(detail, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _check_config(config: Path | None, catalogue: Path | None, calendar: Path | None
                  ) -> int:
    from router.app import (  # noqa: PLC0415
        as_config_errors,
        load_calendar_checked,
        load_catalogue_checked,
    )
    from skills.calendar import load_calendar_overrides  # noqa: PLC0415
    from skills.catalogue import Catalogue, CatalogueInvalid, load_catalogue  # noqa: PLC0415

    loaded: Catalogue | None = None
    cal: WorkCalendar | None = None
    try:
        if catalogue is not None or calendar is not None:
            try:
                loaded = load_catalogue(catalogue) if catalogue is not None else None
                cal = load_calendar_overrides(calendar) if calendar is not None else None
            except CatalogueInvalid as exc:
                raise as_config_errors(exc) from exc
        else:
            settings = load_settings(config)
            loaded = load_catalogue_checked(settings)
            cal = load_calendar_checked(settings)
    except ConfigErrors as exc:
        _print_errors(exc)
        return EXIT_CONFIG
    if config is not None or (catalogue is None and calendar is None):
        unwritable = _unwritable(load_settings(config))
        if unwritable:
            _print_errors(ConfigErrors(unwritable))
            return EXIT_CONFIG
    if loaded is not None:
        print(f"ok: {loaded.source}: {len(loaded.matters)} matters, {len(loaded.units)} "
              f"units, {len(loaded.spec.specialists)} specialists, {len(loaded.queues())} "
              "team queues")
    if cal is not None:
        print(f"ok: {_calendar_summary(cal)}")
    return 0


def _unwritable(settings: Settings) -> list[ConfigError]:
    """Where the service must write (the ticket store, the health file): a directory that
    does not exist and cannot be made, or is not writable by this user, is a configuration
    error found before the service starts, not a crash loop after."""
    source = "settings"
    found = []
    wanted = [("tickets.db_path", settings.tickets.db_path)]
    if settings.service.health_file is not None:
        wanted.append(("service.health_file", settings.service.health_file))
    for key, path in wanted:
        directory = path.parent
        existing = directory
        while not os.path.exists(existing) and existing != existing.parent:
            existing = existing.parent
        if not os.access(existing, os.W_OK | os.X_OK):
            found.append(ConfigError(source, key, f"{directory} is not writable by uid "
                                     f"{os.getuid()} (mount a volume there or set {key})"))
    return found


def version_line() -> str:
    """``hotline-router 0.1.0 (commit 5d1e283, Python 3.11.7)``."""
    from router import build_commit, version  # noqa: PLC0415

    return (f"hotline-router {version()} (commit {build_commit()}, "
            f"Python {sys.version.split()[0]})")


def _calendar_summary(calendar: WorkCalendar) -> str:
    """``calendar FILE: 2026 official, 2027 provisional`` (this year, the next, overrides)."""
    from router.core.hours import HOTLINE_TZ  # noqa: PLC0415

    year = dt.datetime.now(HOTLINE_TZ).year
    listed = ", ".join(f"{y} {calendar.year_status(y)}" for y in years_in_view(year, calendar))
    return f"calendar {calendar.source or '(no overrides file)'}: {listed}"


def _catalogue(args: argparse.Namespace, settings: Settings) -> int:
    from router.app import load_catalogue_checked  # noqa: PLC0415
    from skills.model import CatalogueFile  # noqa: PLC0415
    from skills.render import (  # noqa: PLC0415
        CHAIN_NAME,
        CONF,
        QUEUES_NAME,
        render_operator_chain,
        render_queues,
    )

    if args.action == "schema":
        print(json.dumps(CatalogueFile.model_json_schema(), ensure_ascii=False, indent=2))
        return 0
    try:
        catalogue = load_catalogue_checked(settings)
    except ConfigErrors as exc:
        _print_errors(exc)
        return EXIT_CONFIG
    # installed from a wheel there is no asterisk_conf/ beside the code: the files go to the
    # PBX's own configuration directory (queues.conf and extensions.conf #include them)
    out = args.output or (CONF if CONF.is_dir() else Path("/etc/asterisk"))
    if not out.is_dir():
        print(f"error: {out}: not a directory; pass --output DIR (the directory holding "
              "queues.conf)", file=sys.stderr)
        return 1
    rendered = {out / QUEUES_NAME: render_queues(catalogue),
                out / CHAIN_NAME: render_operator_chain(catalogue)}
    if args.check:
        stale = [path for path, text in rendered.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} is out of date: run python -m router catalogue render-queues",
                  file=sys.stderr)
        return 1 if stale else 0
    for path, text in rendered.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


def _print_errors(exc: ConfigErrors) -> None:
    for error in exc.errors:
        print(f"error: {error.file}: {error.key or '<file>'}: {error.reason}", file=sys.stderr)
