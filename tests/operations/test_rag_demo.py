"""The complete RAG service demo: it evaluates on the shipped catalog, on one fleet, with one TCO."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.catalog.loader import Catalog
from app.cli import main
from app.engine.scenario import Scenario
from app.operations.evaluate import evaluate
from app.operations.resolve import resolve
from app.operations.stack import size_stack
from app.operations.workload_results import COMMON_KEYS
from app.operations.workspace_ops import demo_scenarios

DEMO = Path(__file__).resolve().parents[2] / "resources/scenarios/demo/rag-service-h100.json"
KIND_KEYS = {
    "llm": {"tp", "concurrency_per_replica", "replica_output_tokens_per_s"},
    "embedding": {"vectors", "index_memory_bytes", "index_disk_bytes", "corpus_embed_gpu_hours",
                  "corpus_embed_cost_usd", "texts_per_s_per_gpu", "reembed_gpu_hours_per_month"},
    "reranker": {"candidates_per_query", "queries_per_s_per_gpu", "cost_per_1k_queries_usd"},
    "finetune": {"method", "job_gpus", "wall_time_h", "gpu_hours_per_run", "cost_per_run_usd",
                 "memory_per_gpu_bytes", "runs_off_peak", "gpu_hours_per_month"},
}
POOL_KEYS = {"gpus", "gpus_whole", "gpus_shared", "gpus_periodic", "llm_gpus", "pooled_gpus",
             "sharing", "placements", "gpu_share_by_workload", "periodic_in_idle"}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.from_dict(json.loads(DEMO.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def result(scenario: Scenario) -> dict[str, Any]:
    return evaluate(scenario, Catalog.shipped(), draws=2000, seed=5).to_json()


def test_the_demo_holds_every_kind_and_is_seeded(scenario: Scenario) -> None:
    kinds = [w.template for w in scenario.workloads]
    assert kinds == ["rag", "embedding", "reranker", "finetune"]
    assert scenario.name in {d["name"] for d in demo_scenarios()}


def test_the_demo_evaluates_on_one_fleet(result: dict[str, Any]) -> None:
    json.dumps(result, allow_nan=False)  # no NaN or infinity reaches the output
    k = result["kpis"]
    assert k["fits"] and k["meets_slo"] and k["tco_usd"] > 0
    pool = result["pool"]
    assert POOL_KEYS <= set(pool)
    assert pool["sharing"] == "mig"  # H100 has MIG profiles
    assert pool["gpus_shared"] == 1 and pool["gpus_periodic"] == 0  # fine-tune runs off-peak
    assert k["gpus"] >= pool["gpus"] and k["gpus"] % 8 == 0  # DGX H100: whole servers
    total = sum(c["usd"] for c in result["cost_breakdown"])
    assert total == pytest.approx(k["tco_usd"], rel=1e-9)
    assert k["cost_per_million_tokens_usd"] is not None
    assert result["series"][-1]["onprem_cumulative_usd"] == pytest.approx(k["tco_usd"])


def test_every_workload_has_the_documented_keys(result: dict[str, Any]) -> None:
    for w in result["workloads"]:
        assert set(COMMON_KEYS) <= set(w), w["name"]
        assert KIND_KEYS[w["kind"]] <= set(w[w["kind"]]), w["name"]
        assert w["fits"] and w["meets_slo"]
    by_kind = {w["kind"]: w for w in result["workloads"]}
    assert {p["slot"] for p in result["pool"]["placements"]
            if p["workload"] in ("embedder", "reranker")} <= {"1g.10gb", "2g.20gb", "3g.40gb"}
    assert by_kind["finetune"]["finetune"]["runs_off_peak"] is True
    assert by_kind["embedding"]["embedding"]["vectors"] == 500_000 * 6  # ceil(3000/512)
    assert by_kind["reranker"]["latency_ms"] <= 500


def test_the_pool_is_between_the_largest_workload_and_the_sum(scenario: Scenario) -> None:
    catalog = Catalog.shipped()
    together = size_stack(resolve(scenario, catalog)).fleet
    assert together is not None
    alone = []
    for w in scenario.to_dict()["workloads"]:
        data = {**scenario.to_dict(), "workloads": [w], "uncertainty": {}, "assumptions": []}
        fleet = size_stack(resolve(Scenario.from_dict(data), catalog)).fleet
        assert fleet is not None
        alone.append(fleet.pool.gpus)
    assert max(alone) <= together.pool.gpus < sum(alone)


def test_the_demo_prints_its_workload_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "rag-service-h100", "--draws", "200"]) == 0
    text = capsys.readouterr().out
    assert "workloads on one pool (8 GPUs" in text
    for name in ("answers", "embedder", "reranker", "weekly-lora", "1g.10gb", "off-peak",
                 "per run", "index", "cost per GPU-hour"):
        assert name in text, name
