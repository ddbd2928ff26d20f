"""The one typed settings tree.

Sources, lowest priority first: the built-in defaults (which point at the local lab), the
YAML settings file, secret files in ``secrets_dir`` and ``ROUTER_``-prefixed environment
variables (nested keys joined by ``__``: ``ROUTER_AMI__PORT=5038``). Secrets
(``ami.secret``, ``redis.password``, ``mqtt.password``) are refused in the YAML file: they
come only from the environment (``ROUTER_AMI__SECRET``) or from files named ``ami_secret``,
``redis_password`` and ``mqtt_password`` in the secrets directory. The environment is read
here and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from router.errors import ConfigError, ConfigErrors
from skills.files import CatalogueInvalid, parse_yaml, read_config_text

__all__ = [
    "AlertSettings",
    "AmiSettings",
    "CatalogueSettings",
    "DialplanSettings",
    "HttpSettings",
    "LogSettings",
    "MqttSettings",
    "RedisSettings",
    "ServiceSettings",
    "Settings",
    "TicketSettings",
    "TransferSettings",
    "default_lab_home",
    "load_settings",
]

ENV_PREFIX = "ROUTER_"
SECRET_KEYS: tuple[tuple[str, str], ...] = (
    ("ami", "secret"),
    ("redis", "password"),
    ("mqtt", "password"),
)
DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "skills" / "data" / "catalogue.yaml"


def default_lab_home(env: Mapping[str, str] | None = None) -> Path:
    """Where the lab keeps its Asterisk root and its instances (outside any clone)."""
    env = os.environ if env is None else env
    if env.get("HOTLINE_LAB_HOME"):
        return Path(env["HOTLINE_LAB_HOME"])
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hotline-router"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmiSettings(_Section):
    """Asterisk Manager Interface: where, who, and how patient."""

    host: str = "127.0.0.1"
    port: int = Field(default=15038, ge=1, le=65535)
    username: str = "hotline-router"
    secret: SecretStr = SecretStr("")
    connect_timeout_s: float = Field(default=5.0, gt=0)
    action_timeout_s: float = Field(default=5.0, gt=0)
    ping_interval_s: float = Field(default=5.0, gt=0)
    ping_timeout_s: float = Field(default=3.0, gt=0)
    # exponential backoff with jitter, capped low: routing must resume within 2 s of an
    # Asterisk restart (bench/p8_restart_recovery.py)
    reconnect_min_s: float = Field(default=0.2, gt=0)
    reconnect_max_s: float = Field(default=1.5, gt=0)
    fully_booted_timeout_s: float = Field(default=30.0, gt=0)
    event_queue_size: int = Field(default=10_000, ge=100)
    max_frame_bytes: int = Field(default=1 << 20, ge=4096)


class RedisSettings(_Section):
    """Redis, read by monitoring systems (metrics) and holding per-call records."""

    url: str = "redis://127.0.0.1:15079/0"
    password: SecretStr | None = None
    namespace: str = Field(default="hotline", pattern=r"^[a-z][a-z0-9_-]*$")
    socket_timeout_s: float = Field(default=2.0, gt=0)
    buffer_size: int = Field(default=10_000, ge=10)
    # an AMI action waits at most this long for the journal entry it follows to be written
    journal_wait_s: float = Field(default=0.5, gt=0, le=10)


class MqttSettings(_Section):
    """The MQTT bus: call events out, desk-application commands in."""

    host: str = "127.0.0.1"
    port: int = Field(default=15083, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    client_id: str = "hotline-router"
    topic_prefix: str = Field(default="hotline", pattern=r"^[a-z][a-z0-9_/-]*[a-z0-9]$")
    keepalive_s: int = Field(default=30, ge=5)
    qos: Literal[0, 1, 2] = 1
    tls: bool = False
    tls_ca_file: Path | None = None
    reconnect_min_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    outbox_size: int = Field(default=10_000, ge=10)


class DialplanSettings(_Section):
    """Names the dialplan and the router share, and how members are dialled.

    ``member_interface`` and ``state_interface`` are templates with ``{extension}``: on a
    production PBX ``PJSIP/{extension}`` for both; in the lab, Local channels into the
    simulated parties and Custom device states they set.
    """

    member_interface: str = "Local/{extension}@hotline-lab-party/n"
    state_interface: str = "Custom:hotline-lab-{extension}"


class TransferSettings(_Section):
    """Timing of department legs."""

    originate_margin_s: int = Field(default=10, ge=1, le=120)


class ServiceSettings(_Section):
    """The service's own behaviour."""

    # graceful stop: how long to wait for in-flight AMI actions, the MQTT outbox and the
    # metrics buffer (each) before closing anyway
    drain_timeout_s: float = Field(default=5.0, ge=0)
    # written every few seconds with the health of each link; `python -m router health`
    # (the container's HEALTHCHECK) reads it
    health_file: Path | None = None
    health_interval_s: float = Field(default=5.0, gt=0)
    # how often the calendar outlook is checked, and how far ahead a day without its year's
    # notice raises the calendar_provisional warning
    calendar_check_interval_s: float = Field(default=60.0, gt=0)
    calendar_horizon_days: int = Field(default=60, ge=1, le=366)
    # a reload whose files take longer than this to read and validate is refused
    reload_timeout_s: float = Field(default=10.0, gt=0)
    # how often the units' live state (Redis hash, wallboard) is refreshed
    state_interval_s: float = Field(default=1.0, gt=0)


class AlertSettings(_Section):
    """Live alerts on the "two not below 90%" standards, per unit."""

    window_working_min: float = Field(default=60.0, gt=0)  # of the unit's working time
    min_sample: int = Field(default=10, ge=1)
    # how often the windows are re-evaluated as they slide (besides after every call)
    evaluate_interval_s: float = Field(default=60.0, gt=0)


class HttpSettings(_Section):
    """The HTTP endpoint: /metrics (Prometheus), /health, /wallboard."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=15090, ge=0, le=65535)


class CatalogueSettings(_Section):
    path: Path = DEFAULT_CATALOGUE
    # the administrator's calendar file: new years' official notices, extra closures
    calendar_overrides: Path | None = None


class TicketSettings(_Section):
    """The durable ticket store (SQLite) and its background work."""

    db_path: Path = Field(default_factory=lambda: default_lab_home() / "tickets.sqlite3")
    sweep_interval_s: float = Field(default=15.0, gt=0)
    outbox_poll_s: float = Field(default=1.0, gt=0)


class LogSettings(_Section):
    format: Literal["auto", "json", "console"] = "auto"
    level: Literal["debug", "info", "warning", "error"] = "info"


class Settings(_Section):
    """The whole settings tree; build it with :func:`load_settings`."""

    ami: AmiSettings = AmiSettings()
    redis: RedisSettings = RedisSettings()
    mqtt: MqttSettings = MqttSettings()
    dialplan: DialplanSettings = DialplanSettings()
    transfer: TransferSettings = TransferSettings()
    catalogue: CatalogueSettings = CatalogueSettings()
    log: LogSettings = LogSettings()
    service: ServiceSettings = ServiceSettings()
    tickets: TicketSettings = TicketSettings()
    alerts: AlertSettings = AlertSettings()
    http: HttpSettings = HttpSettings()
    secrets_dir: Path | None = None


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings tree from a YAML file, secret files and the environment.

    Raises:
        ConfigErrors: with the file, key and reason of every problem found.
    """
    env = dict(os.environ) if env is None else dict(env)
    source = str(path) if path else "<defaults>"
    data: dict[str, Any] = _read_yaml(path) if path else {}
    problems = [
        ConfigError(source, f"{section}.{key}", "secrets are not read from the settings file; "
                    f"set {ENV_PREFIX}{section.upper()}__{key.upper()} or a secrets file")
        for section, key in SECRET_KEYS
        if isinstance(data.get(section), dict) and key in data[section]
    ]
    if problems:
        raise ConfigErrors(problems)
    for section, key in (("catalogue", "path"), ("catalogue", "calendar_overrides"),
                         ("tickets", "db_path")):
        value = data.get(section, {}).get(key) if isinstance(data.get(section), dict) else None
        if path and isinstance(value, str):
            # a relative path in the settings file is relative to that file, not to the cwd
            data[section][key] = str((path.parent / value).resolve())
    env_data = _env_tree(env)
    secrets_dir = env_data.get("secrets_dir") or data.get("secrets_dir")
    if secrets_dir is None:
        lab_secrets = default_lab_home(env) / "labs" / "default" / "secrets"
        secrets_dir = str(lab_secrets) if lab_secrets.is_dir() else None
    merged = _merge(data, _secret_files(Path(secrets_dir)) if secrets_dir else {})
    merged = _merge(merged, env_data)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigErrors(
            [
                ConfigError(
                    _origin(err["loc"], env_data, source),
                    ".".join(str(part) for part in err["loc"]),
                    err["msg"],
                )
                for err in exc.errors()
            ]
        ) from exc


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = parse_yaml(read_config_text(path), str(path))
    except CatalogueInvalid as exc:
        raise ConfigErrors([ConfigError(p.file, p.path, p.reason) for p in exc.problems]
                           ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigErrors([ConfigError(str(path), "", "the top level must be a mapping")])
    return data


def _env_tree(env: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [part.lower() for part in name[len(ENV_PREFIX):].split("__") if part]
        if not parts:
            continue
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return tree


def _secret_files(directory: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for section, key in SECRET_KEYS:
        file = directory / f"{section}_{key}"
        if file.is_file():
            found.setdefault(section, {})[key] = file.read_text(encoding="utf-8").strip()
    return found


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _origin(loc: tuple[int | str, ...], env_data: dict[str, Any], source: str) -> str:
    node: Any = env_data
    for part in loc:
        if not isinstance(node, dict) or part not in node:
            return source
        node = node[part]
    return "environment"
