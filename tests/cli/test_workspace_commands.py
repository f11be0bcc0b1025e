"""Headless commands read the workspace: its scenarios by name and its edited catalog."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest

from app.cli import main
from app.operations.workspace_ops import open_workspace
from app.storage import catalog_store, scenario_store


def test_evaluate_finds_a_workspace_scenario_by_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.sqlite"
    with open_workspace(path) as ws:
        demo = scenario_store.get(ws.db, scenario_store.list_rows(ws.db)[0].id)
        renamed = {**copy.deepcopy(demo), "name": "Our pilot"}
        scenario_store.insert(ws.db, renamed)
    assert main(["--workspace", str(path), "evaluate", "our pilot", "--draws", "200",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scenario"] == "Our pilot" or result["scenario"]["name"] == "Our pilot"
    assert main(["--workspace", str(path), "evaluate", "no such plan"]) == 2
    assert "no such plan" in capsys.readouterr().err


def test_estimate_uses_the_workspace_catalog(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.sqlite"
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,model,gpu,gpu_count,tp,pp,ep,weights,kv_cache,engine,mode,load,"
        "input_tokens,output_tokens\n"
        "a,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,1,128,128\n")
    out = tmp_path / "pred.csv"

    def tpot() -> float:
        assert main(["--workspace", str(path), "estimate", "--cases", str(cases),
                     "--out", str(out)]) == 0
        capsys.readouterr()
        with out.open(encoding="utf-8") as handle:
            return float(next(csv.DictReader(handle))["tpot_ms"])

    before = tpot()
    with open_workspace(path) as ws:
        entry = next(e for e in catalog_store.entries(ws.db, "accelerators")
                     if e["id"] == "nvidia-h100-sxm-80gb")
        slower = {**entry, "memory_bandwidth_tbs": entry["memory_bandwidth_tbs"] / 2}
        catalog_store.save_entry(ws.db, "accelerators", slower)
    assert tpot() > before * 1.5
