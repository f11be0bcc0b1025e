"""The offline wheelhouse path: verify, then install into a fresh venv with no network at all.

Runs when ENCLAVE_WHEELHOUSE names a wheelhouse (`bash packaging/make_wheelhouse.sh` makes
dist/wheelhouse); .ci/run sets it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, offline_prefix, user_env

pytestmark = pytest.mark.wheelhouse


def pip_env(home: Path) -> dict[str, str]:
    """Only the wheelhouse may serve pip: no pip.conf, no PIP_* variables (this machine's own
    configuration adds local find-links and mirrors)."""
    env = {k: v for k, v in user_env(home).items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_CACHE_DIR"] = "1"
    return env


def test_checksums_verify(wheelhouse: Path) -> None:
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=wheelhouse,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = {line.split(maxsplit=1)[1].lstrip("*") for line in
              (wheelhouse / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    present = {p.name for p in wheelhouse.iterdir()} - {"SHA256SUMS"}
    assert listed == present, "SHA256SUMS must cover every file in the wheelhouse"


def test_wheelhouse_carries_the_committed_lock(wheelhouse: Path) -> None:
    assert (wheelhouse / "requirements.txt").read_text(encoding="utf-8") == \
        (ROOT / "packaging" / "requirements.txt").read_text(encoding="utf-8")


def test_offline_install_into_a_fresh_venv_runs(wheelhouse: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [*offline_prefix(), str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index"]
    env = pip_env(home)
    deps = subprocess.run([*pip, "--find-links", str(wheelhouse), "--require-hashes",
                           "-r", str(wheelhouse / "requirements.txt")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert deps.returncode == 0, deps.stdout[-3000:] + deps.stderr[-3000:]
    wheels = sorted(wheelhouse.glob("enclave-*.whl"))
    assert len(wheels) == 1, wheels
    own = subprocess.run([*pip, "--no-deps", str(wheels[0])], env=env, capture_output=True,
                         text=True, timeout=300)
    assert own.returncode == 0, own.stdout[-3000:] + own.stderr[-3000:]
    check = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "check"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr

    enclave = [*offline_prefix(), str(venv / "bin" / "enclave")]
    run_env = user_env(home)
    listing = subprocess.run([*enclave, "catalog", "list", "models"], env=run_env,
                             capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) > 10, listing.stderr
    smoke = subprocess.run([*enclave, "--smoke"], env=run_env, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert (home / ".local" / "share" / "Enclave" / "workspace.enclave.sqlite").is_file()
