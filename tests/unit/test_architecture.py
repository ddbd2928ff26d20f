"""Dependency direction: the core is pure; skills and metrics never import router."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_OK = {"router.core", "router.errors", "router.dialplan", "router.masking", "skills",
           "metrics", "__future__"}
STDLIB_BANNED_IN_CORE = {"asyncio", "socket", "time", "threading", "subprocess"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "router" / "core").glob("*.py")),
                         ids=lambda p: p.name)
def test_the_core_imports_no_io_and_no_adapter(path: Path) -> None:
    for module in _imports(path):
        top = module.split(".")[0]
        assert top not in STDLIB_BANNED_IN_CORE, f"{path.name} imports {module}"
        if top in {"router", "skills", "metrics"}:
            assert any(module == ok or module.startswith(ok + ".") for ok in PURE_OK), \
                f"{path.name} imports {module}"
        assert module not in {"metrics.recorder", "redis", "aiomqtt"}, module


@pytest.mark.parametrize("package", ["skills", "metrics"])
def test_skills_and_metrics_never_import_router(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        assert not [m for m in _imports(path) if m.split(".")[0] == "router"], path


def test_only_the_adapters_import_their_libraries() -> None:
    """router/lab is exempt: the lab and the demo play the outside parties (a desk app)."""
    owners = {"aiomqtt": {"router/effects/mqtt.py"},
              "redis": {"router/effects/redis_client.py", "metrics/recorder.py",
                        "metrics/store.py"}}
    for library, allowed in owners.items():
        users = {str(p.relative_to(ROOT)) for p in (ROOT / "router").rglob("*.py")
                 if any(m.split(".")[0] == library for m in _imports(p))
                 and "router/lab/" not in str(p)}
        users |= {str(p.relative_to(ROOT)) for p in (ROOT / "metrics").rglob("*.py")
                  if any(m.split(".")[0] == library for m in _imports(p))}
        assert users <= allowed, (library, users - allowed)
