"""`enclave calibrate`: imports, prints before/after, and later commands use the refit factors;
bad input is one line on stderr, exit 2, workspace unchanged."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main
from app.operations.workspace_ops import open_workspace
from tests.catalog.benchmark_log_files import llama_bench_md, llama_test, vllm_result, vllm_text
from tests.operations.site_logs import slow_vllm_log


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "ws.enclave.sqlite"
    open_workspace(path).close()  # with the demo scenarios
    return path


def _rows(path: Path) -> int:
    ws = open_workspace(path, read_only=True)
    try:
        return int(ws.db.execute("SELECT count(*) FROM calibration_points").fetchone()[0])
    finally:
        ws.close()


def test_calibrate_prints_before_and_after_and_later_commands_use_it(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = slow_vllm_log(tmp_path / "bench.json")
    args = ["calibrate", str(log), "--model", "llama-3.1-8b", "--gpu", "H100 SXM 80GB",
            "--weights", "bf16", "--kv", "bf16", "--workspace", str(workspace)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "imported 72 measurements from bench.json" in out
    assert "refit vllm on nvidia-hopper from 72 points:" in out
    table = {line.split()[0]: line.split() for line in out.splitlines()
             if line.split() and line.split()[0] in ("output_tokens_per_s", "ttft_ms",
                                                     "tpot_ms", "e2e_latency_s")}
    for metric, cells in table.items():
        before, after = float(cells[2].rstrip("%")), float(cells[3].rstrip("%"))
        assert cells[1] == "12" and after < before, metric
    assert "other engines and hardware classes: factors unchanged" in out

    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,model,gpu,gpu_count,weights,engine,mode,load,input_tokens,"
                     "output_tokens\nh,llama-3.1-8b,nvidia-h100-sxm-80gb,1,bf16,vllm,batch,8,"
                     "1024,128\na,llama-3.1-8b,nvidia-a100-sxm4-80gb,1,bf16,vllm,batch,8,1024,"
                     "128\n", encoding="utf-8")
    pred = tmp_path / "pred.csv"
    assert main(["estimate", "--cases", str(cases), "--out", str(pred), "--workspace",
                 str(workspace)]) == 0
    with pred.open(encoding="utf-8") as handle:
        rows = {r["case_id"]: r for r in csv.DictReader(handle)}
    assert "site-calibrated from 72 points" in rows["h"]["basis"]
    assert "site-calibrated" not in rows["a"]["basis"]
    assert "vllm/nvidia-hopper site-calibrated" in capsys.readouterr().err

    assert main(["evaluate", "secure-chat-h100", "--json", "--draws", "200", "--workspace",
                 str(workspace)]) == 0
    basis = json.loads(capsys.readouterr().out)["basis"]
    assert "site-calibrated from 72 points" in basis["efficiency_factors"]
    assert set(basis["error_bands"]) == {"ttft_ms", "tpot_ms", "output_tokens_per_s"}

    assert main(["sweep", "--model", "llama-3.1-8b", "--workspace", str(workspace),
                 "--out", str(tmp_path / "front.csv")]) == 0
    assert "vllm/nvidia-hopper site-calibrated from 72 points" in capsys.readouterr().out


def test_llama_bench_markdown_from_the_command_line(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "bench.md"
    log.write_text(llama_bench_md([llama_test(n_prompt=512, n_gen=0, avg_ts=6000.0),
                                   llama_test(n_prompt=0, n_gen=128, avg_ts=95.0),
                                   llama_test(n_prompt=0, n_gen=128, avg_ts=9.0,
                                              n_gpu_layers=4)]), encoding="utf-8")
    assert main(["calibrate", str(log), "--model", "llama-3.1-8b", "--gpu", "RTX 4090",
                 "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "imported 2 measurements from bench.md (llama-bench markdown table" in out
    assert "skipped line 5: n_gpu_layers 4" in out
    assert _rows(workspace) == 2


@pytest.mark.parametrize(("extra", "message"), [
    (["--gpu-count", "0"], "enclave: --gpu-count: must be a whole number from 1 to 4096"),
    (["--engine", "ollama2"], "enclave: --engine: 'ollama2' must be one of"),
    (["--model", "gpt-9"], "enclave: --model: 'gpt-9' is not a model in the catalog"),
    (["--weights", "fp3"], "enclave: --weights: 'fp3' is not a quantization format"),
])
def test_bad_facts_exit_2_naming_the_flag(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
        message: str) -> None:
    log = tmp_path / "bench.json"
    log.write_text(vllm_text(vllm_result()), encoding="utf-8")
    args = ["calibrate", str(log), "--model", "llama-3.1-8b", "--gpu", "H100 SXM 80GB",
            "--weights", "bf16", *extra, "--workspace", str(workspace)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err
    assert _rows(workspace) == 0


def test_missing_fact_and_malformed_log_exit_2(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "bench.json"
    log.write_text(vllm_text(vllm_result()), encoding="utf-8")
    assert main(["calibrate", str(log), "--model", "llama-3.1-8b", "--gpu", "H100 SXM 80GB",
                 "--workspace", str(workspace)]) == 2
    assert capsys.readouterr().err.startswith(
        "enclave: bench.json: weights is required: a vLLM result does not record the weight "
        "format (--weights)")
    log.write_text('{"completed": 3, "output_throughput": [1, 2]}', encoding="utf-8")
    assert main(["calibrate", str(log), "--model", "llama-3.1-8b", "--gpu", "H100 SXM 80GB",
                 "--weights", "bf16", "--workspace", str(workspace)]) == 2
    assert capsys.readouterr().err.startswith(
        "enclave: bench.json: result: total_input_tokens is missing")
    assert main(["calibrate", str(tmp_path / "nope.json"), "--workspace", str(workspace)]) == 2
    assert "nope.json: cannot be read" in capsys.readouterr().err
    assert _rows(workspace) == 0
