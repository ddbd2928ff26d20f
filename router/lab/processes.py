"""Start and stop the lab's own processes, by PID, and only those.

A PID file records each process; before signalling, the process's command line is checked
against the lab's marker (its directory), so a recycled PID is never killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["alive", "read_pid", "start_detached", "stop", "wait_port"]


def start_detached(argv: list[str], pid_file: Path, log_file: Path,
                   env: dict[str, str] | None = None) -> int:
    """Start ``argv`` in its own session (it outlives the CLI) and record its PID."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env=env,
        )
    pid_file.write_text(str(process.pid), encoding="utf-8")
    return process.pid


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def alive(pid: int | None, marker: str) -> bool:
    """True if ``pid`` runs and its command line mentions ``marker`` (not a zombie)."""
    if pid is None:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    if "\nState:\tZ" in status:
        _reap(pid)
        return False
    return marker in cmdline


def stop(pid_file: Path, marker: str, timeout_s: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after ``timeout_s``; True if a process was stopped."""
    pid = read_pid(pid_file)
    if not alive(pid, marker):
        pid_file.unlink(missing_ok=True)
        return False
    assert pid is not None
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and alive(pid, marker):
        time.sleep(0.05)
    if alive(pid, marker):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while alive(pid, marker):
            time.sleep(0.05)
    _reap(pid)
    pid_file.unlink(missing_ok=True)
    return True


def kill(pid_file: Path, marker: str, timeout_s: float = 10.0) -> bool:
    """SIGKILL (a crash, for fault tests), then wait until the process is really gone: a
    process still tearing down its threads looks alive, and starting its successor then
    would be skipped."""
    pid = read_pid(pid_file)
    if not alive(pid, marker):
        return False
    assert pid is not None
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout_s
    while alive(pid, marker) and time.monotonic() < deadline:
        time.sleep(0.02)
    _reap(pid)
    return not alive(pid, marker)


def wait_port(port: int, timeout_s: float, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def _reap(pid: int) -> None:
    """Collect the exit status if the process was our child (same CLI run)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
