"""What an administrator meets before the service runs: the version, the settings reference,
check-config on paths the service cannot write, render-queues outside a checkout, and a
log stream that stays JSON whatever prints into it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from router.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _settings_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys += _settings_keys(kind, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def test_every_settings_field_is_in_the_configuration_reference() -> None:
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+|secrets_dir)`",
                                (ROOT / "docs" / "configuration.md").read_text("utf-8")))
    keys = _settings_keys(Settings)
    assert len(keys) == 56  # every leaf of the tree (update when a setting is added)
    assert [key for key in keys if key not in documented] == []


def _router(*args: str, env: dict[str, str] | None = None,
            unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "router", *args]
    if unprivileged:
        # root without its capabilities obeys file modes as a service user does (the
        # interpreter lives under /root, so another uid could not even start it)
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/",
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                          check=False)


def test_version_names_the_release_the_commit_and_python() -> None:
    done = _router("--version")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    python = ".".join(str(part) for part in sys.version_info[:3])
    assert (done.returncode, done.stdout) == (
        0, f"hotline-router 0.1.0 (commit {head}, Python {python})\n")
    pinned = _router("--version", env={"HOTLINE_ROUTER_COMMIT": "0123456789abcdef"})
    assert pinned.stdout == f"hotline-router 0.1.0 (commit 0123456789ab, Python {python})\n"


def test_check_config_refuses_a_ticket_store_the_service_user_cannot_write(
    tmp_path: Path
) -> None:
    # the container's fault: HOME=/nonexistent, so the default store sat in a directory the
    # service user could not create; check-config passed and the service crash-looped
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    os.chown(private, 65534, 65534)
    settings = tmp_path / "router.yaml"
    settings.write_text(f"tickets:\n  db_path: {private}/store/tickets.sqlite3\n")
    done = _router("check-config", str(settings), unprivileged=True)
    assert (done.returncode, done.stderr) == (
        2, f"error: settings: tickets.db_path: {private}/store is not writable by uid 0 "
           "(mount a volume there or set tickets.db_path)\n")
    assert _router("check-config", str(settings)).returncode == 0  # root can


def test_render_queues_writes_where_it_is_told(tmp_path: Path) -> None:
    done = _router("catalogue", "render-queues", "--output", str(tmp_path))
    assert done.returncode == 0
    for name in ("queues_catalogue.conf", "extensions_catalogue.conf"):
        assert (tmp_path / name).read_text("utf-8") == \
            (ROOT / "asterisk_conf" / name).read_text("utf-8")
    missing = _router("catalogue", "render-queues", "--output", str(tmp_path / "nope"))
    assert (missing.returncode, missing.stderr) == (
        1, f"error: {tmp_path / 'nope'}: not a directory; pass --output DIR (the directory "
           "holding queues.conf)\n")


_NOISY = """
import asyncio, logging, warnings
from router.log import asyncio_exception_handler, configure_logging
configure_logging("json", "info")
logging.getLogger("aiomqtt").warning("There are %d pending publish calls.", 20)
logging.getLogger("aiomqtt").info("below warning: not shown")
warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)
async def main():
    asyncio.get_running_loop().set_exception_handler(asyncio_exception_handler)
    async def fails():
        raise KeyError("lost")
    task = asyncio.get_running_loop().create_task(fails())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    del task
    import gc; gc.collect()
asyncio.run(main())
raise RuntimeError("nobody caught this")
"""


def test_with_json_configured_every_stderr_line_is_one_json_object() -> None:
    done = subprocess.run([sys.executable, "-W", "always", "-c", _NOISY], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, check=False)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert done.returncode == 1
    assert [(line.get("logger"), line["level"], line["event"]) for line in lines] == [
        ("aiomqtt", "warning", "There are 20 pending publish calls."),
        ("py.warnings", "warning", lines[1]["event"]),
        (None, "error", "asyncio_error"),
        (None, "critical", "uncaught_exception"),
    ]
    assert "DeprecationWarning: a library's deprecation" in lines[1]["event"]
    assert (lines[2]["component"], lines[2]["error"]) == ("asyncio", "KeyError")
    assert "in fails\nKeyError: 'lost'" in lines[2]["traceback"]
    assert (lines[3]["error"], lines[3]["detail"]) == ("RuntimeError", "nobody caught this")
    assert "Traceback (most recent call last)" in lines[3]["traceback"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", line["timestamp"])
               for line in lines)


def test_the_systemd_unit_verifies_and_is_hardened(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "hotline-router.service").read_text("utf-8")
    assert unit.count("/opt/hotline-router/bin/python") == 2
    copy = tmp_path / "hotline-router.service"
    copy.write_text(unit.replace("/opt/hotline-router/bin/python", sys.executable))
    verify = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert (verify.returncode, verify.stdout, verify.stderr) == (0, "", "")
    security = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(copy)],
                              capture_output=True, text=True, timeout=60, check=False)
    exposure = re.search(r"Overall exposure level for hotline-router.service: ([\d.]+)",
                         security.stdout)
    assert exposure is not None, security.stdout[-500:]
    assert float(exposure.group(1)) <= 1.5  # systemd's scale: 0 (locked down) to 10
