"""Fixtures for the packaging tests.

The checks on the packaging files always run. Those needing a built artefact run only when asked,
so the everyday suite stays fast and needs no network:
  ENCLAVE_BUNDLE=dist/enclave        after `bash packaging/build.sh`         (marker `bundle`)
  ENCLAVE_WHEELHOUSE=dist/wheelhouse after `bash packaging/make_wheelhouse.sh` (marker `wheelhouse`)
A variable that is set but points at nothing fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _artefact(variable: str, probe: str, how: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"set {variable} to test it ({how})")
    path = Path(value)
    if not path.is_absolute():
        path = ROOT / path
    if not (path / probe).exists():
        pytest.fail(f"{variable}={value} holds no {probe}; run {how} first")
    return path.resolve()


@pytest.fixture(scope="session")
def bundle() -> Path:
    return _artefact("ENCLAVE_BUNDLE", "enclave", "bash packaging/build.sh")


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    return _artefact("ENCLAVE_WHEELHOUSE", "SHA256SUMS", "bash packaging/make_wheelhouse.sh")


def offline_prefix() -> list[str]:
    """`unshare -n` when this process may create a network namespace with no network."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"],
                                                  capture_output=True).returncode == 0:
        return ["unshare", "-n"]
    return []


def user_env(home: Path) -> dict[str, str]:
    """A first-run user's environment: a fresh HOME, headless Qt, no Enclave or XDG overrides."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # set on some hosts for OpenBLAS
        if name in os.environ:
            env[name] = os.environ[name]
    return env
