"""hotline-router: a 12345 hotline's enterprise line on Asterisk, through AMI."""

from __future__ import annotations

import os
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["__version__", "build_commit", "version"]

__version__ = "0.1.0"


def version() -> str:
    """The installed distribution's version (the source tree's when not installed)."""
    try:
        return metadata.version("hotline-router")
    except metadata.PackageNotFoundError:
        return __version__


@cache
def build_commit() -> str:
    """The commit this code was built from: ``HOTLINE_ROUTER_COMMIT`` (set when an image is
    built), else the source checkout's HEAD, else ``unknown``."""
    if os.environ.get("HOTLINE_ROUTER_COMMIT"):
        return os.environ["HOTLINE_ROUTER_COMMIT"][:12]
    top = Path(__file__).resolve().parent.parent
    if not (top / ".git").exists():
        return "unknown"
    try:
        done = subprocess.run(["git", "-C", str(top), "rev-parse", "--short=10", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"
