"""The lab's Asterisk 22: a Debian unstable root built with debootstrap, cached outside the clone.

Debian 12 ships no asterisk package; the host's Debian mirror also serves unstable, which
has Asterisk 22. The root is built once (about a minute) under ``<lab home>/asterisk-root``
and rebuilt only when it is missing, when its recorded Asterisk is not 22.x, or on
``lab build --refresh`` when the mirror's candidate version differs from the recorded one.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ASTERISK_MAJOR", "PACKAGES", "LabRoot", "debian_mirror", "ensure_root"]

ASTERISK_MAJOR = "22"
PACKAGES = ("asterisk", "asterisk-modules", "asterisk-core-sounds-en-gsm",
            "asterisk-moh-opsound-gsm")
_APT = ["-o", "Acquire::Check-Valid-Until=false"]  # the mirror is a dated snapshot
STAMP = ".hotline-lab-root.json"


class LabError(RuntimeError):
    """The lab cannot be built or run; the message says what to do."""


@dataclass(frozen=True, slots=True)
class LabRoot:
    path: Path
    asterisk_version: str
    mirror: str


def debian_mirror(apt_dir: Path = Path("/etc/apt")) -> str:
    """The first non-security Debian mirror the host's apt sources name."""
    candidates: list[str] = []
    for file in sorted(apt_dir.glob("sources.list.d/*.sources")):
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("uris:"):
                candidates += line.split(":", 1)[1].split()
    legacy = [apt_dir / "sources.list", *sorted(apt_dir.glob("sources.list.d/*.list"))]
    for file in legacy:
        if file.is_file():
            for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
                match = re.match(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)", line)
                if match:
                    candidates.append(match.group(1))
    for uri in candidates:
        if "debian" in uri and "security" not in uri:
            return uri.rstrip("/")
    raise LabError(f"no Debian mirror found in {apt_dir}/sources.list*; the lab reads the "
                   "host's apt sources to build its Asterisk root")


def ensure_root(home: Path, *, refresh: bool = False,
                say: Callable[[str], None] = print) -> LabRoot:
    """The cached root, built or rebuilt if needed (serialised by a lock file)."""
    home.mkdir(parents=True, exist_ok=True)
    root = home / "asterisk-root"
    with _lock(home / "asterisk-root.lock"):
        current = _read_stamp(root)
        if current is not None and current.asterisk_version.split(":")[-1].startswith(
                f"{ASTERISK_MAJOR}.") and not (refresh and _candidate_differs(current)):
            return current
        return _build(root, say)


def _build(root: Path, say: Callable[[str], None]) -> LabRoot:
    if os.geteuid() != 0:
        raise LabError("building the lab's Asterisk root needs root (debootstrap, chroot)")
    if shutil.which("debootstrap") is None:
        raise LabError("debootstrap is missing: apt-get install debootstrap (make test does)")
    mirror = debian_mirror()
    staging = root.with_name(root.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    started = time.monotonic()
    say(f"lab: building Debian unstable root from {mirror} (once; about a minute)")
    _run(["debootstrap", "--variant=minbase", "sid", str(staging), mirror])
    _in_root(staging, ["apt-get", *_APT, "update", "-q"])
    _in_root(staging, ["apt-get", *_APT, "install", "-y", "-q", "--no-install-recommends",
                       *PACKAGES])
    (staging / "lab").mkdir(exist_ok=True)
    version = _in_root(staging, ["dpkg-query", "-W", "-f", "${Version}", "asterisk"]).strip()
    if not version.split(":")[-1].startswith(f"{ASTERISK_MAJOR}."):
        raise LabError(f"the mirror's unstable has asterisk {version}, not {ASTERISK_MAJOR}.x")
    stamp = LabRoot(root, version, mirror)
    (staging / STAMP).write_text(json.dumps({"asterisk_version": version, "mirror": mirror,
                                             "built_at": time.time()}), encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)
    say(f"lab: Asterisk {version} root ready in {time.monotonic() - started:.0f} s")
    return stamp


def _candidate_differs(current: LabRoot) -> bool:
    _in_root(current.path, ["apt-get", *_APT, "update", "-q"])
    policy = _in_root(current.path, ["apt-cache", "policy", "asterisk"])
    match = re.search(r"Candidate:\s*(\S+)", policy)
    return bool(match and match.group(1) != current.asterisk_version)


def _read_stamp(root: Path) -> LabRoot | None:
    try:
        data = json.loads((root / STAMP).read_text(encoding="utf-8"))
        return LabRoot(root, str(data["asterisk_version"]), str(data.get("mirror", "")))
    except (OSError, ValueError, KeyError):
        return None


def _in_root(root: Path, argv: list[str]) -> str:
    """Run in the root with /proc mounted in a private mount namespace (gone on exit)."""
    script = 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"'
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
           "LANG": "C.UTF-8"}
    return _run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script,
                 str(root), *argv], env=env)


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout)[-2000:]
        raise LabError(f"{' '.join(argv[:6])}... failed ({result.returncode}):\n{tail}")
    return result.stdout


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
