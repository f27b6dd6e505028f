"""The distribution: packages are typed; tfa_core needs only the standard library."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import tfa_core

ROOT = Path(__file__).resolve().parent.parent


def test_packages_are_typed() -> None:
    assert (ROOT / "tfa_core" / "py.typed").exists()
    assert (ROOT / "tfa_mock" / "py.typed").exists()


def test_core_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"tfa_core"}
    for path in (ROOT / "tfa_core").rglob("*.py"):
        if path == ROOT / "tfa_core" / "stores" / "redis.py":
            continue  # the one exception: redis-py, extra tfa[redis]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_core_exports_are_real_names() -> None:
    for name in tfa_core.__all__:
        assert hasattr(tfa_core, name), name


VENDORED = """
import importlib, pkgutil, sys
sys.path.insert(0, ".")  # -I leaves the folder off the path
import tfa_core
names = [m.name for m in pkgutil.walk_packages(tfa_core.__path__, "tfa_core.")]
for name in sorted(names):
    try:
        importlib.import_module(name)
    except ImportError as exc:
        print(name, "ImportError:", exc)
    else:
        print(name, "ok")
"""


def test_a_copied_tfa_core_imports_without_site_packages(tmp_path: Path) -> None:
    """Vendored: the folder alone, ``python -I -S``; only the Redis store fails."""
    shutil.copytree(ROOT / "tfa_core", tmp_path / "tfa_core")
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", VENDORED],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    failed = [line for line in out if not line.endswith(" ok")]
    assert failed == [
        "tfa_core.stores.redis ImportError: "
        "tfa_core.stores.redis needs redis-py: pip install tfa[redis]"
    ]
    assert "tfa_core.guard ok" in out
    assert "tfa_core.stores.sqlite ok" in out
