"""`enclave sweep --scenario`: a scenario's workload, requirements and costs; bad input exits 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main
from app.operations.scenario_files import demo_folder
from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store

ALLOWED_FOR_CN = {"cambricon-mlu370-x8-48gb", "huawei-ascend-910b-64gb",
                  "huawei-ascend-910c-128gb", "huawei-ascend-950pr-112gb"}


def test_sweep_a_demo_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "front.json"
    workspace = tmp_path / "ws.enclave.sqlite"
    assert main(["sweep", "--scenario", "rag-ascend-910b", "--workspace", str(workspace),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "evaluated 363,440 configurations in" in printed
    assert "configurations/s" in printed
    assert "excluded by the site's requirements: 338,800 of 363,440 (failing " \
           "hardware-origin 338,800; export-control" in printed
    assert "TTFT ≤ 2,000 ms; TPOT ≤ 60 ms" in printed
    front = json.loads(out.read_text(encoding="utf-8"))
    assert front and {row["accelerator"] for row in front} <= ALLOWED_FOR_CN
    assert all(row["tpot_ms"] <= 60 and row["ttft_ms"] <= 2000 for row in front)
    assert all(row["constraint_status"] in ("pass", "warn") for row in front)
    costs = [row["cost_per_million_tokens_usd"] for row in front]
    assert costs == sorted(costs)


def test_sweep_a_workspace_scenario_by_name_as_csv(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ws.enclave.sqlite"
    data = json.loads((demo_folder() / "rag-ascend-910b.json").read_text(encoding="utf-8"))
    data["name"] = "Site B"
    data["workloads"][0]["tpot_target_ms"] = 15
    with open_workspace(path, with_demos=False) as ws:
        scenario_store.insert(ws.db, data)
    out = tmp_path / "front.csv"
    assert main(["sweep", "--scenario", "site b", "--workspace", str(path), "--engine", "all",
                 "--max-gpus", "16", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "scenario: Site B (workspace:Site B)" in printed
    assert "engines: vllm, tensorrt-llm, sglang, llama.cpp" in printed
    assert "need more than 16 GPUs for the peak demand" in printed
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert rows and {r["accelerator"] for r in rows} <= ALLOWED_FOR_CN
    assert all(float(r["tpot_ms"]) <= 15 and int(r["fleet_gpus"]) <= 16 for r in rows)


def test_sweep_a_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = demo_folder() / "secure-chat-h100.json"
    assert main(["sweep", "--scenario", str(path), "--workspace",
                 str(tmp_path / "ws.sqlite")]) == 0
    printed = capsys.readouterr().out
    header = printed.splitlines()[next(i for i, line in enumerate(printed.splitlines())
                                       if line.startswith("accelerator,"))]
    assert "constraint_status" in header and "fleet_gpus" in header


@pytest.mark.parametrize("args, message", [
    (["--scenario", "no-such-scenario"], "no-such-scenario"),
    (["--model", "llama-3.1-8b", "--workload", "0"], "--workload: only with --scenario"),
    (["--scenario", "rag-ascend-910b", "--workload", "3"], "workloads[3]"),
    (["--scenario", "rag-ascend-910b", "--engine", "nope"], "--engine 'nope'"),
    (["--scenario", "rag-ascend-910b", "--max-gpus", "0"], "max GPUs"),
    (["--model", "llama-3.1-8b", "--scenario", "rag-ascend-910b"], "not allowed with"),
    ([], "one of the arguments --model --scenario is required"),
])
def test_bad_input_exits_2_and_writes_nothing(args: list[str], message: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "front.csv"
    out.write_text("precious\n", encoding="utf-8")
    assert main(["sweep", *args, "--workspace", str(tmp_path / "ws.sqlite"),
                 "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "precious\n"
