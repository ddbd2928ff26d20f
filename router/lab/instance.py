"""One lab: Asterisk 22 (chrooted), Redis and Mosquitto on loopback, with their own ports.

Ports derive from a base (default 15000): AMI base+38, Redis base+79, MQTT base+83. Two
labs with different names and bases run side by side. Asterisk runs in a private mount
namespace where /proc and the lab's directory are mounted inside the shared root; the
mounts vanish with the process, so ``down`` leaves none behind.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from router.lab.access import LAB_DESKS, LAB_UNITS, mosquitto_secure_listener, redis_acl
from router.lab.rootfs import LabRoot

__all__ = ["ASTERISK_CONF", "LabInstance", "LabPorts"]

ASTERISK_CONF = Path(__file__).resolve().parents[2] / "asterisk_conf"
LAB_ADMIN_USER = "hotline-lab"
ROUTER_USER = "hotline-router"


@dataclass(frozen=True, slots=True)
class LabPorts:
    base: int = 15000

    @property
    def ami(self) -> int:
        return self.base + 38

    @property
    def redis(self) -> int:
        return self.base + 79

    @property
    def mqtt(self) -> int:
        return self.base + 83

    @property
    def mqtt_secure(self) -> int:
        """The listener that takes only authenticated clients, under an ACL."""
        return self.base + 84


class LabInstance:
    def __init__(self, home: Path, name: str = "default", port_base: int | None = None) -> None:
        self.home = home
        self.name = name
        self.dir = home / "labs" / name
        self.ports = LabPorts(port_base if port_base is not None else self._saved_base())

    # -- files ---------------------------------------------------------------------------

    @property
    def secrets_dir(self) -> Path:
        return self.dir / "secrets"

    def secret(self, name: str) -> str:
        """A lab secret, created once (random) and kept in the lab's directory."""
        path = self.secrets_dir / name
        if not path.exists():
            self.secrets_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(18), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()

    @property
    def asterisk_marker(self) -> str:
        return f"/lab/{self.name}/asterisk/etc/asterisk.conf"

    def pid_file(self, service: str) -> Path:
        return self.dir / "run" / f"{service}.pid"

    def log_file(self, service: str) -> Path:
        return self.dir / "log" / f"{service}.log"

    def status_values(self, asterisk_version: str) -> dict[str, str]:
        return {
            "LAB_NAME": self.name,
            "LAB_DIR": str(self.dir),
            "AMI_HOST": "127.0.0.1",
            "AMI_PORT": str(self.ports.ami),
            "AMI_USER": ROUTER_USER,
            "AMI_SECRET": self.secret("ami_secret"),
            "LAB_AMI_USER": LAB_ADMIN_USER,
            "LAB_AMI_SECRET": self.secret("lab_ami_secret"),
            "REDIS_URL": f"redis://127.0.0.1:{self.ports.redis}/0",
            "MQTT_HOST": "127.0.0.1",
            "MQTT_PORT": str(self.ports.mqtt),
            "MQTT_SECURE_PORT": str(self.ports.mqtt_secure),
            "MQTT_ROUTER_USER": ROUTER_USER,
            "MQTT_ROUTER_PASSWORD": self.secret("mqtt_password"),
            "REDIS_ROUTER_URL": f"redis://{ROUTER_USER}@127.0.0.1:{self.ports.redis}/0",
            "REDIS_ROUTER_PASSWORD": self.secret("redis_password"),
            "ASTERISK_VERSION": asterisk_version,
        }

    def write_config(self, root: LabRoot) -> None:
        """Render every server's configuration into the lab directory."""
        for sub in ("run", "log", "redis", "mosquitto", "asterisk/spool", "asterisk/db",
                    "asterisk/run", "asterisk/log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "lab.json").write_text(json.dumps({"port_base": self.ports.base}),
                                           encoding="utf-8")
        self._write_asterisk(root)
        self._write_redis()
        self._write_mosquitto()

    def _saved_base(self) -> int:
        try:
            return int(json.loads((self.dir / "lab.json").read_text(encoding="utf-8"))
                       ["port_base"])
        except (OSError, ValueError, KeyError):
            return LabPorts().base

    def _write_asterisk(self, root: LabRoot) -> None:
        etc = self.dir / "asterisk" / "etc"
        shutil.rmtree(etc, ignore_errors=True)
        (etc / "manager.d").mkdir(parents=True)
        for source in ASTERISK_CONF.glob("*.conf"):
            shutil.copy2(source, etc / source.name)
        for source in (ASTERISK_CONF / "lab").glob("*.conf"):  # the lab overlay
            shutil.copy2(source, etc / source.name)
        inside = f"/lab/{self.name}"
        (etc / "asterisk.conf").write_text(
            "[directories]\n"
            f"astetcdir => {inside}/asterisk/etc\n"
            "astmoddir => /usr/lib/x86_64-linux-gnu/asterisk/modules\n"
            "astvarlibdir => /var/lib/asterisk\n"
            f"astdbdir => {inside}/asterisk/db\n"
            "astkeydir => /var/lib/asterisk\n"
            "astdatadir => /usr/share/asterisk\n"
            "astagidir => /usr/share/asterisk/agi-bin\n"
            f"astspooldir => {inside}/asterisk/spool\n"
            f"astrundir => {inside}/asterisk/run\n"
            f"astlogdir => {inside}/asterisk/log\n"
            "astsbindir => /usr/sbin\n"
            "[options]\nverbose = 3\ntransmit_silence = yes\n", encoding="utf-8")
        (etc / "manager_local.conf").write_text(
            f"port = {self.ports.ami}\nbindaddr = 127.0.0.1\n", encoding="utf-8")
        sample = (ASTERISK_CONF / "manager.d" / "hotline-router.conf.sample").read_text(
            encoding="utf-8")
        router_user = "\n".join(
            f"secret = {self.secret('ami_secret')}" if line.startswith("secret =") else line
            for line in sample.splitlines())
        (etc / "manager.d" / "hotline-router.conf").write_text(router_user + "\n",
                                                             encoding="utf-8")
        (etc / "manager.d" / "hotline-lab.conf").write_text(
            f"; the lab's own control user (simulated parties, tests); never on a real PBX\n"
            f"[{LAB_ADMIN_USER}]\nsecret = {self.secret('lab_ami_secret')}\n"
            "deny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.255\n"
            "read = all\nwrite = all\nwritetimeout = 5000\n", encoding="utf-8")
        mountpoint = root.path / "lab" / self.name
        mountpoint.mkdir(parents=True, exist_ok=True)

    def asterisk_argv(self, root: LabRoot) -> list[str]:
        inside = f"/lab/{self.name}"
        script = (
            'mount -t proc proc "$0/proc" && mount --bind "$1" "$0$2" && '
            f'exec chroot "$0" /usr/sbin/asterisk -C {inside}/asterisk/etc/asterisk.conf -f -n'
        )
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script,
                str(root.path), str(self.dir), inside]

    def _write_redis(self) -> None:
        (self.dir / "redis" / "redis.conf").write_text(
            f"port {self.ports.redis}\nbind 127.0.0.1\nprotected-mode yes\n"
            f"dir {self.dir / 'redis'}\n"
            # every acknowledged write survives kill -9 (what the router removes from its
            # buffer is what Redis acknowledged); the recorder's batches keep fsyncs few
            "appendonly yes\nappendfsync always\n"
            # answer LOADING while an AOF loads, as a large production dataset would
            "loading-process-events-interval-bytes 1024\n"
            "save \"\"\ndaemonize no\nloglevel notice\n"
            + redis_acl(ROUTER_USER, self.secret("redis_password")), encoding="utf-8")

    def _write_mosquitto(self) -> None:
        data = self.dir / "mosquitto"
        desk = self.secret("mqtt_desk_password")  # one for every lab desk and unit login
        passwords = {ROUTER_USER: self.secret("mqtt_password"),
                     **dict.fromkeys((*LAB_DESKS, *LAB_UNITS), desk)}
        (data / "mosquitto.conf").write_text(
            # the lab's files live under root's home: the broker stays root (lab only)
            "user root\nper_listener_settings true\n"
            f"persistence true\npersistence_location {data}/\n"
            "log_dest stdout\nlog_type error\nlog_type warning\n"
            "max_queued_messages 100000\n"
            # small MQTT packets go out at once: with Nagle on, a desk's command can wait
            # for the delayed ACK of the last one (40 ms on Linux)
            "set_tcp_nodelay true\n"
            f"listener {self.ports.mqtt} 127.0.0.1\nallow_anonymous true\n"
            + mosquitto_secure_listener(self.ports.mqtt_secure, data, ROUTER_USER, passwords),
            encoding="utf-8")
