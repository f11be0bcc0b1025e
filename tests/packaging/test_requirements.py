"""The hashed requirement locks agree with pyproject.toml and are complete.

The bundle and the wheelhouse install from packaging/requirements*.txt with --require-hashes, so
a pin changed in pyproject.toml but not re-locked (python3 packaging/lock_requirements.py) would
ship something other than what the tests ran against.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import app
from tests.packaging.conftest import ROOT

PACKAGING = ROOT / "packaging"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})\b")


def _locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{name: (version, [sha256, ...])} from a pip requirements file with hash lines."""
    entries: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pin = _PIN.match(line)
        if pin:
            current = canonicalize_name(pin.group(1))
            assert current not in entries, f"{path.name}: {current} listed twice"
            entries[current] = (pin.group(2), [])
        elif line.startswith("--hash="):
            assert current, f"{path.name}: hash before any requirement: {line}"
            assert _HASH.fullmatch(line.rstrip("\\ ").strip()), f"{path.name}: bad hash {line}"
            entries[current][1].extend(_HASH.findall(line))
        else:
            pytest.fail(f"{path.name}: not a pinned requirement or hash line: {line!r}")
    return entries


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for text in requirements:
        req = Requirement(text)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"not pinned with ==: {text}"
        pins[canonicalize_name(req.name)] = specs[0].version
    return pins


RUNTIME = _locked(PACKAGING / "requirements.txt")
BUILD = _locked(PACKAGING / "requirements-build.txt")


def test_every_locked_wheel_is_pinned_and_hashed() -> None:
    for name, (version, hashes) in {**RUNTIME, **BUILD}.items():
        assert version and hashes, f"{name} has no version or no sha256 hash"


def test_runtime_lock_matches_pyproject_pins() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    wanted = _pins(project["dependencies"])
    locked = {name: version for name, (version, _) in RUNTIME.items()}
    mismatched = {name: (version, locked.get(name)) for name, version in wanted.items()
                  if locked.get(name) != version}
    assert not mismatched, ("pyproject.toml and packaging/requirements.txt disagree "
                            f"(pyproject, lock): {mismatched}; "
                            "run python3 packaging/lock_requirements.py")


def test_build_lock_matches_its_source_and_stack_pins() -> None:
    lines = (PACKAGING / "requirements-build.in").read_text(encoding="utf-8").splitlines()
    wanted = _pins([ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")])
    assert wanted == {"pyinstaller": "6.22.3", "pyinstaller-hooks-contrib": "2026.9"}
    for name, version in wanted.items():
        assert BUILD.get(name, ("", []))[0] == version, f"requirements-build.txt: {name}"


def test_build_and_runtime_locks_do_not_overlap() -> None:
    # Both files go into one pip call; a package in both would have to agree, so keep it in one.
    assert set(RUNTIME) & set(BUILD) == set()


def test_runtime_lock_is_closed_over_installed_dependencies() -> None:
    """Every dependency of a locked package (as installed here, same version) is locked too."""
    checked = 0
    for name, (version, _) in RUNTIME.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        checked += 1
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            dep = canonicalize_name(req.name)
            assert dep in RUNTIME, f"{name} {version} needs {dep}, missing from requirements.txt"
            assert req.specifier.contains(RUNTIME[dep][0], prereleases=True), (
                f"{name} needs {req}, but requirements.txt pins {dep}=={RUNTIME[dep][0]}")
    assert checked >= 3, "too few locked packages are installed here to check the lock"


def test_app_version_matches_pyproject() -> None:
    # build.sh names the archive after pyproject's version; the app reports app.__version__.
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert app.__version__ == project["version"]
