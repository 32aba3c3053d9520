"""The architecture holds without anyone policing it: import layers, lint and types are checked here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(f"{name} is not installed: install the test extra (pip install '.[test]')")
    return on_path


def test_imports_run_one_way_through_the_layers():
    done = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_tree_passes_its_lint_rules():
    """``ruff check .`` with the rule set in pyproject.toml ([tool.ruff]), over the whole repository."""
    done = subprocess.run([_tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_the_package_type_checks():
    """``mypy`` with the settings in pyproject.toml ([tool.mypy]: the pathways_sim package)."""
    done = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


MAX_MODULE_LINES = 450  # a generous guard: modules are meant to stay near 400 lines or fewer


def test_no_module_of_the_package_is_oversized():
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in sorted((ROOT / "pathways_sim").rglob("*.py"))}
    oversized = {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert not oversized, f"modules over {MAX_MODULE_LINES} lines (split them): {oversized}"
