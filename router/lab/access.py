"""Credentials and access rules of the lab's Redis and Mosquitto, as docs/security.md
recommends for production, so the tests prove them end to end.

Redis: the router's ACL user may run everything but admin and dangerous commands, on its
own keys (``hotline:*``) only. Mosquitto: a second listener takes no anonymous client;
there the router may use its own prefix (``hotline/#``), a desk application logs in as its
operator or specialist id and may command only itself, and a unit's system logs in as the
unit id and sees only its own tickets. (The lab's first listener and Redis's ``default``
user stay open: the lab's own tooling and most tests use them.)
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

__all__ = ["LAB_DESKS", "LAB_UNITS", "ROUTER_NAMESPACE", "mosquitto_secure_listener",
           "redis_acl"]

ROUTER_NAMESPACE = "hotline"  # the keys and topics the router's credentials are for
LAB_DESKS = ("1001", "1002", "2001")  # operators and a specialist with lab desk logins
LAB_UNITS = ("tax",)


def redis_acl(user: str, password: str) -> str:
    """redis.conf lines: the router's user, limited to its keys (the password stored as
    its SHA-256, as ``ACL SETUSER ... #<hash>`` takes it)."""
    digest = hashlib.sha256(password.encode()).hexdigest()
    return (f"user {user} on #{digest} ~{ROUTER_NAMESPACE}:* resetchannels "
            "+@all -@admin -@dangerous\n"
            "user default on nopass ~* &* +@all\n")


def mosquitto_secure_listener(port: int, directory: Path, router_user: str,
                              passwords: dict[str, str]) -> str:
    """mosquitto.conf lines for the authenticated listener; writes its password file (via
    ``mosquitto_passwd``, so the hashes are Mosquitto's own) and ACL file."""
    password_file, acl_file = directory / "passwords", directory / "acl"
    password_file.write_text("", encoding="utf-8")
    password_file.chmod(0o600)
    for user, password in passwords.items():
        subprocess.run(["mosquitto_passwd", "-b", str(password_file), user, password],
                       check=True, capture_output=True)
    p = f"{ROUTER_NAMESPACE}/v1"
    acl_file.write_text(
        f"# the router: its own prefix\nuser {router_user}\ntopic readwrite "
        f"{ROUTER_NAMESPACE}/#\n\n"
        "# a desk application, logged in as its operator or specialist id: only itself\n"
        f"pattern write {p}/operators/%u/commands\npattern read {p}/operators/%u/#\n"
        f"pattern write {p}/specialists/%u/commands\npattern read {p}/specialists/%u/#\n"
        "# a unit's ticket system, logged in as the unit id: only its own tickets\n"
        f"pattern read {p}/units/%u/#\npattern write {p}/units/%u/ticket-commands\n",
        encoding="utf-8")
    acl_file.chmod(0o600)
    return (f"listener {port} 127.0.0.1\nallow_anonymous false\n"
            f"password_file {password_file}\nacl_file {acl_file}\n")
