"""`enclave evaluate`'s workload tables for the RAG service demo: where each workload runs and
what it costs, how it serves its peak, and one line of figures per encoder and fine-tune."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.operations.scenario_files import demo_scenario_paths


def _evaluate(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["evaluate", *args, "--draws", "200"]) == 0
    return capsys.readouterr().out.splitlines()


def _table(lines: list[str], header: str) -> dict[str, list[str]]:
    """Rows of the table whose header starts with `header`, by workload name (cells split on
    two or more spaces)."""
    import re

    start = next(i for i, line in enumerate(lines) if line.strip().startswith(header))
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells
    return rows


def _json(capsys: pytest.CaptureFixture[str], name: str) -> dict[str, object]:
    assert main(["evaluate", name, "--draws", "200", "--json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_rag_demo_tables(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, "rag-service-h100")
    by_name = {w["name"]: w for w in result["workloads"]}  # type: ignore[attr-defined]
    answers = by_name["answers"]
    lines = _evaluate(capsys, "rag-service-h100")
    text = "\n".join(lines)
    assert ("workloads on one pool (8 GPUs: 6 whole for the LLM replicas, 1 shared through "
            "MIG, 1 extra);") in text
    assert "periodic jobs in the serving GPUs' idle hours (54 of" in text
    placed = _table(lines, "name         kind")
    assert placed["answers"][1:5] == ["llm", "llama-3.1-70b", "6.00", "6 whole"]
    assert placed["answers"][6] == f"$ {answers['cost_share_usd'] / 1e6:.2f}M"
    assert placed["embedder"][3:5] == ["0.29", "2 × 1g.10gb, off-peak"]
    assert placed["reranker"][4] == "2 × 2g.20gb"
    assert placed["weekly-lora"][4] == "off-peak (3 GPUs)"
    served = _table(lines, "name         peak / capacity")
    assert served["answers"][1] == (f"{answers['peak_demand_per_s']:,.0f} / "
                                    f"{answers['capacity_per_s']:,.0f} output tokens/s")
    assert served["answers"][3] == f"{answers['latency_ms']:,.0f} / 2,000 ms"
    assert served["answers"][4] == "meets"
    assert served["reranker"][1] == "3.47 / 10.5 queries/s"
    assert served["weekly-lora"][1:] == ["231 / 2,705 training tokens/s", "9%", "4.1 / 48 h",
                                         "meets"]
    lora = by_name["weekly-lora"]["finetune"]  # type: ignore[index]
    assert (f"$ {lora['cost_per_run_usd']:,.0f} per run owned "
            f"($ {lora['cost_per_run_rented_usd']:,.0f} rented)") in text.replace("\n      ", " ")
    reranker = by_name["reranker"]["reranker"]  # type: ignore[index]
    assert f"$ {reranker['cost_per_1k_queries_usd']:.3f} per 1,000 queries" in text
    assert max(len(line) for line in lines if not line.startswith("Complete")) <= 112


def test_no_llm_means_no_cost_per_token(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    data = json.loads(demo_scenario_paths()["rag-service-h100"].read_text("utf-8"))
    data["workloads"] = [w for w in data["workloads"] if w["name"] in ("embedder", "reranker")]
    data["uncertainty"] = {k: v for k, v in data["uncertainty"].items()
                           if not k.startswith("workloads")}
    data["assumptions"] = [a for a in data["assumptions"] if not a["field"].startswith("workl")]
    path = tmp_path / "encoders.json"
    path.write_text(json.dumps(data), "utf-8")
    text = "\n".join(_evaluate(capsys, str(path)))
    assert "n/a (no generative workload)" in text and "inf" not in text
    assert "1 shared through MIG, 7 extra" in text
