"""``python -m router lab up | down | status | logs | build``."""

from __future__ import annotations

import argparse
import sys

from router.config import default_lab_home
from router.lab.lab import Lab, LabError
from router.log import configure_logging

__all__ = ["add_lab_parser", "run_lab"]


def add_lab_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lab = sub.add_parser("lab", help="the local lab: Asterisk 22, Redis, Mosquitto on loopback")
    lab.add_argument("command", choices=["up", "down", "status", "logs", "build"])
    lab.add_argument("--name", default="default", help="lab name (default: default)")
    lab.add_argument("--port-base", type=int, default=None,
                     help="ports: AMI base+38, Redis base+79, MQTT base+83 (default 15000)")
    lab.add_argument("--refresh", action="store_true",
                     help="rebuild the Asterisk root if the mirror has a newer version")
    lab.add_argument("--service", default="asterisk", choices=["asterisk", "redis", "mosquitto"])
    lab.add_argument("--lines", type=int, default=50)


def run_lab(args: argparse.Namespace) -> int:
    configure_logging("console", "warning")
    lab = Lab(default_lab_home(), args.name, args.port_base,
              say=lambda text: print(text, file=sys.stderr))
    try:
        if args.command == "build":
            from router.lab.rootfs import ensure_root  # noqa: PLC0415

            root = ensure_root(lab.home, refresh=args.refresh)
            print(f"ASTERISK_VERSION={root.asterisk_version}")
        elif args.command == "up":
            lab.up(refresh=args.refresh)
            _print(lab.status())
        elif args.command == "down":
            stopped = lab.down()
            print(f"STOPPED={','.join(stopped)}")
        elif args.command == "status":
            _print(lab.status())
        else:
            print(lab.logs(args.service, args.lines))
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 1
    return 0


def _print(values: dict[str, str]) -> None:
    for key, value in values.items():
        print(f"{key}={value}")
