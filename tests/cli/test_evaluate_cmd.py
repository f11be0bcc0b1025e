"""`enclave evaluate`: every demo evaluates; --json has DESIGN.md's keys; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.operations.scenario_files import demo_scenario_paths

DESIGN_KPIS = {
    "fits", "gpus", "servers", "ttft_ms", "tpot_ms", "output_tokens_per_s", "capex_usd",
    "opex_usd_per_month", "tco_usd", "npv_usd", "cost_per_million_tokens_usd",
    "break_even_month_vs_api", "break_even_month_vs_rental",
}


@pytest.mark.parametrize("stem", sorted(demo_scenario_paths()))
def test_every_demo_evaluates_from_the_command_line(
    stem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", stem, "--json", "--draws", "2000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert DESIGN_KPIS <= set(out["kpis"])
    assert {"tco_usd_p10", "tco_usd_p50", "tco_usd_p90", "p_onprem_cheaper_than_api"} <= set(
        out["uncertainty"])
    assert {"month", "onprem_cumulative_usd", "api_cumulative_usd",
            "rental_cumulative_usd"} <= set(out["series"][0])
    assert isinstance(out["constraints"], list) and "basis" in out
    k = out["kpis"]
    assert k["fits"] is True and k["gpus"] >= 1 and k["tco_usd"] > 0
    total = sum(c["usd"] for c in out["cost_breakdown"])
    assert total == pytest.approx(k["tco_usd"], rel=1e-9)
    u = out["uncertainty"]
    assert u["tco_usd_p10"] <= u["tco_usd_p50"] <= u["tco_usd_p90"]


def test_human_table(capsys: pytest.CaptureFixture[str]) -> None:
    stem = sorted(demo_scenario_paths())[0]
    assert main(["evaluate", stem, "--draws", "500"]) == 0
    text = capsys.readouterr().out
    for label in ("fits", "GPUs / servers", "CapEx", "TCO over", "break-even vs API",
                  "P(owning cheaper than API)"):
        assert label in text


def test_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "result.json"
    stem = sorted(demo_scenario_paths())[0]
    assert main(["evaluate", stem, "--json", "--draws", "100", "--out", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert "kpis" in json.loads(target.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"name": "broken"}', "enclave: bad.json: workloads: is required"),
        ("{", "enclave: bad.json: is not valid JSON"),
        (json.dumps({"name": "x", "workloads": [{"name": "w", "model": "llama-3.1-70b",
                                                  "users": 10, "requests_per_user_per_day": 1,
                                                  "input_tokens": 10, "output_tokens": 10,
                                                  "peak_factor": 0}],
                     "deployment": {"accelerator": "nvidia-h100-sxm-80gb"}}),
         "enclave: bad.json: workloads[0].peak_factor: must be at least 1"),
        (json.dumps({"name": "x", "workloads": [{"name": "w", "model": "llama-3.1-70b",
                                                  "users": 10, "requests_per_user_per_day": 1,
                                                  "input_tokens": 10, "output_tokens": 10}],
                     "deployment": {"accelerator": "no-such-gpu"}}),
         "enclave: deployment.accelerator: accelerator 'no-such-gpu' is not in the catalog"),
    ],
)
def test_bad_scenario_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    before = bad.read_bytes()
    assert main(["evaluate", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), captured.err
    assert "Traceback" not in captured.err
    assert bad.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["evaluate", "no-such-scenario"], "enclave: scenario 'no-such-scenario': no such file"),
        (["evaluate", "x.json", "--draws", "0"], "enclave: --draws: must be between 1 and"),
        (["evaluate"], "enclave: enclave evaluate: the following arguments are required"),
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(expected), err
