"""Every package folder under app/ is listed in pyproject's explicit `packages` (else it would
be missing from an installed Enclave)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_app_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "app").rglob(
        "__init__.py")}
    assert found - listed == set()
    assert "app.catalog.importers" in listed
