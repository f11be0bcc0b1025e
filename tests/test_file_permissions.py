"""Every file Enclave writes for the user is readable by the user only (0600), whatever the
umask and whether or not it replaces an existing file: exports, bundles, predictions, evaluation
output, copies and backups."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.operations import workspace_maintenance
from app.operations.workspace_ops import demo_scenarios, open_workspace

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
DEMO = demo_scenarios()[0]["name"]


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    """A umask that would make new files world-readable, to show it is not relied on."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_exports_are_user_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = ["--workspace", str(tmp_path / "ws.sqlite")]
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,model,gpu,gpu_count,weights,engine,mode,input_tokens,output_tokens\n"
                     "a,llama-3.1-8b,H100 SXM 80GB,1,fp8,vllm,offline,128,128\n")
    outputs = {
        "bundle.enclave.zip": ["scenario", "export", "--all", "--out"],
        "bundle.enclave.json": ["scenario", "export", "--all", "--out"],
        "scenario.json": ["scenario", "export", DEMO, "--out"],
        "servers.csv": ["catalog", "export", "servers", "--out"],
        "models.json": ["catalog", "export", "models", "--out"],
        "pred.csv": ["estimate", "--cases", str(cases), "--out"],
        "evaluation.json": ["evaluate", DEMO, "--draws", "100", "--json", "--out"],
    }
    for name, args in outputs.items():
        target = tmp_path / name
        target.write_text("an older, world-readable file")
        os.chmod(target, 0o644)
        assert main([*args, str(target), *ws]) == 0, capsys.readouterr().err
        assert _mode(target) == 0o600, name
        assert target.read_bytes() != b"an older, world-readable file"
    capsys.readouterr()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert leftovers == []


def test_copies_and_backups_are_user_only(tmp_path: Path) -> None:
    with open_workspace(tmp_path / "ws.sqlite") as ws:
        backup = workspace_maintenance.back_up_now(ws)
        copy = workspace_maintenance.save_copy_as(ws, tmp_path / "copy.sqlite")
    assert _mode(backup.path) == 0o600
    assert _mode(backup.path.parent) == 0o700
    assert _mode(copy) == 0o600
    assert _mode(tmp_path / "ws.sqlite") == 0o600
