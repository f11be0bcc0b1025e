"""`enclave scenario list | import | export`: round trips, and bad input exits 2 in one line
with every file left as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from app.cli import main
from app.operations.workspace_ops import demo_scenarios, open_workspace
from app.storage import scenario_store

DEMO_NAMES = sorted(d["name"] for d in demo_scenarios())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(path: Path) -> list[str]:
    with open_workspace(path) as ws:
        return sorted(r.name for r in scenario_store.list_rows(ws.db))


def test_list_csv_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "site.sqlite"
    assert main(["scenario", "list", "--workspace", str(ws)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(r["name"] for r in rows) == DEMO_NAMES
    assert all(r["id"] and r["model_id"] and r["accelerator_id"] for r in rows)
    assert main(["--workspace", str(ws), "scenario", "list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(d["name"] for d in data) == DEMO_NAMES


@pytest.mark.parametrize("suffix", [".enclave.zip", ".enclave.json"])
def test_export_then_import_elsewhere(tmp_path: Path, suffix: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    source, target = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    out = tmp_path / f"plans{suffix}"
    assert main(["scenario", "export", "--all", "--out", str(out),
                 "--workspace", str(source)]) == 0
    assert f"exported {len(DEMO_NAMES)} scenario(s) to {out}" in capsys.readouterr().out
    assert main(["scenario", "import", str(out), "--workspace", str(target)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"imported {len(DEMO_NAMES)} scenarios from {out.name}"
    # The target was created with the demos, so every name clashed and was renamed.
    assert all(line.strip().startswith("renamed") for line in printed[1:])
    assert _names(target) == sorted(DEMO_NAMES + [f"{n} (2)" for n in DEMO_NAMES])
    assert main(["scenario", "import", str(out), "--on-clash", "skip",
                 "--workspace", str(target)]) == 2
    assert "nothing to import" in capsys.readouterr().err


def test_export_one_by_name_as_plain_json(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "one.json"
    name = DEMO_NAMES[0]
    assert main(["scenario", "export", name.upper(), "--out", str(out),
                 "--workspace", str(tmp_path / "a.sqlite")]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == name
    assert main(["evaluate", str(out), "--draws", "50",
                 "--workspace", str(tmp_path / "a.sqlite")]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("args", [
    ["scenario", "export", "no such plan", "--out", "{tmp}/x.enclave.zip"],
    ["scenario", "export", "--out", "{tmp}/x.enclave.zip"],
    ["scenario", "export", "--all", "--out", "{tmp}/x.txt"],
    ["scenario", "export", "--all", "--out", "{tmp}/x.json"],
    ["scenario", "import", "{tmp}/missing.enclave.zip"],
    ["scenario", "import", "{tmp}/garbage.enclave.zip"],
    ["scenario", "import", "{tmp}/tampered.enclave.json"],
    ["scenario", "import", "{tmp}/plans.enclave.zip", "--on-clash", "merge"],
    ["scenario", "list", "--format", "xml"],
])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
        tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "site.sqlite"
    assert main(["scenario", "export", "--all", "--out", str(tmp_path / "plans.enclave.zip"),
                 "--workspace", str(ws)]) == 0
    good = tmp_path / "plans.enclave.json"
    assert main(["scenario", "export", "--all", "--out", str(good), "--workspace", str(ws)]) == 0
    tampered = tmp_path / "tampered.enclave.json"
    tampered.write_text(good.read_text(encoding="utf-8").replace('"users": 1600',
                                                                '"users": 16000'),
                        encoding="utf-8")
    (tmp_path / "garbage.enclave.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    capsys.readouterr()
    before = {p.name: _digest(p) for p in tmp_path.iterdir() if p.is_file()}
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--workspace", str(ws)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("enclave: ")
    assert "Traceback" not in captured.err
    after = {p.name: _digest(p) for p in tmp_path.iterdir() if p.is_file()}
    assert after == before
