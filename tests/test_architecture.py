"""Architecture and hygiene checks that run with the tests, so CI enforces them.

- the import contracts in pyproject.toml (the core never imports Qt; the engine is pure);
- ruff lint;
- mypy --strict on app/;
- no pickle / eval / exec on anything.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail(f"{name} is not installed in the test environment (pip install -e .[test])")
    return found


def test_import_contracts_hold() -> None:
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "app", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([_tool("mypy"), "--cache-dir",
                             str(ROOT / ".mypy_cache")], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_no_pickle_eval_or_exec_in_app() -> None:
    banned = re.compile(r"\bimport pickle\b|\bpickle\.|\bmarshal\.loads|(?<![.\w])(eval|exec)\(")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if banned.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
