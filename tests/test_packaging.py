"""The distribution: packages are typed; tfa_core needs only the standard library."""

from __future__ import annotations

import ast
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
