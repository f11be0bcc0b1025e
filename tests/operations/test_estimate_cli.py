"""`enclave estimate` and `enclave sweep` end to end (no Qt)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.operations.estimate import OUTPUT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
HEADER = "case_id,model,gpu,gpu_count,tp,pp,ep,weights,kv_cache,engine,mode,load,input_tokens,output_tokens,extra\n"
GOOD = [
    "a,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,tensorrt-llm,offline,,128,128,x",
    "b,llama-3-8b,RTX 4090 24GB,1,1,1,1,q4_k_m,fp16,llama.cpp,batch,1,512,0,x",
    "c,llama-3-70b,RTX 3090 24GB,4,1,4,1,q4_k_m,fp16,llama.cpp,batch,1,0,512,x",
    "d,llama-3.1-70b,nvidia-h100-sxm-80gb,8,8,1,1,bf16,bf16,vllm,rate,4,1024,256,x",
]
BAD = {
    "e1,llama-9,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,1,128,128,x": "model",
    "e2,llama-3.1-8b,H100 SXM 80GB,3,2,1,1,fp8,fp8,vllm,batch,1,128,128,x": "gpu_count",
    "e3,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp7,fp8,vllm,batch,1,128,128,x": "weights",
    "e4,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,two,128,128,x": "load",
    "e5,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,warp,1,128,128,x": "mode",
    "e6,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,1,-5,128,x": "input_tokens",
    "e7,llama-3.1-8b,Voodoo 2,1,1,1,1,fp8,fp8,vllm,batch,1,128,128,x": "gpu",
    "e8,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,ollamaish,batch,1,128,128,x": "engine",
}


def run(tmp_path: Path, text: str) -> tuple[int, list[dict[str, str]], Path]:
    cases = tmp_path / "cases.csv"
    cases.write_text(text, encoding="utf-8")
    out = tmp_path / "pred.csv"
    code = main(["estimate", "--cases", str(cases), "--out", str(out)])
    rows = (
        list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))) if out.exists() else []
    )
    return code, rows, out


def test_good_rows_come_out_with_every_column(tmp_path: Path) -> None:
    code, rows, _ = run(tmp_path, HEADER + "\n".join(GOOD) + "\n")
    assert code == 0
    assert [r["case_id"] for r in rows] == ["a", "b", "c", "d"]
    assert set(OUTPUT_COLUMNS) <= set(rows[0])
    for r in rows:
        assert r["status"] == "ok", r["message"]
        assert r["bound"]
        assert float(r["weights_gib"]) > 0
    assert float(rows[0]["output_tokens_per_s"]) > 1000
    assert rows[1]["output_tokens_per_s"] == "" and float(rows[1]["ttft_ms"]) > 0
    assert float(rows[2]["output_tokens_per_s"]) > 0 and rows[2]["ttft_ms"] == ""
    low, mid, high = (float(rows[0][f"output_tokens_per_s{s}"]) for s in ("_low", "", "_high"))
    assert low < mid < high


def test_bad_rows_get_errors_naming_the_column_and_others_still_come_out(tmp_path: Path) -> None:
    code, rows, _ = run(tmp_path, HEADER + "\n".join([GOOD[0], *BAD, GOOD[1]]) + "\n")
    assert code == 0
    by_id = {r["case_id"]: r for r in rows}
    assert by_id["a"]["status"] == "ok" and by_id["b"]["status"] == "ok"
    for line, column in BAD.items():
        row = by_id[line.split(",")[0]]
        assert row["status"] == "error"
        assert column in row["message"]
        assert row["output_tokens_per_s"] == ""


def test_short_or_ragged_rows_do_not_crash(tmp_path: Path) -> None:
    code, rows, _ = run(tmp_path, HEADER + "z,llama-3.1-8b\n,,,,\n")
    assert code == 0
    assert [r["status"] for r in rows] == ["error", "error"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_column_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,model,gpu\na,llama-3.1-8b,H100 SXM 80GB\n", encoding="utf-8")
    out = tmp_path / "pred.csv"
    proc = cli("estimate", "--cases", str(cases), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "missing required column" in proc.stderr and "gpu_count" in proc.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [cases]


def test_missing_cases_file_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "pred.csv"
    proc = cli(
        "--workspace",
        "ignored.sqlite",
        "estimate",
        "--cases",
        str(tmp_path / "nope.csv"),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "no such cases file" in proc.stderr
    assert not out.exists()


def test_existing_output_survives_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "pred.csv"
    out.write_text("precious\n", encoding="utf-8")
    bad = tmp_path / "cases.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["estimate", "--cases", str(bad), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "precious\n"


def test_sweep_prints_the_count_and_writes_the_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "front.json"
    assert (
        main(
            [
                "sweep",
                "--model",
                "llama-3.1-8b",
                "--input-tokens",
                "512",
                "--output-tokens",
                "128",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "evaluated" in printed and "configurations/s" in printed
    front = json.loads(out.read_text(encoding="utf-8"))
    assert front and {"accelerator", "cost_per_million_tokens_usd", "tpot_ms", "ttft_ms"} <= set(
        front[0]
    )
    costs = [r["cost_per_million_tokens_usd"] for r in front]
    assert costs == sorted(costs)


def test_sweep_unknown_model_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "--model", "no-such-model"]) == 2
    assert "no-such-model" in capsys.readouterr().err
