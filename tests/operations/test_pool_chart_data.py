"""The pool placement chart's data: every month-1 GPU, stacked by workload and slot."""

from __future__ import annotations

import json

import pytest

from app.catalog.loader import Catalog
from app.engine.scenario import Scenario
from app.operations.evaluate import EvaluationResult, evaluate
from app.operations.pool_chart_data import NO_POOL, pool_placement
from app.operations.scenario_files import demo_scenario_paths

H100_BYTES = 80e9


def _rag(**deployment: object) -> EvaluationResult:
    data = json.loads(demo_scenario_paths()["rag-service-h100"].read_text("utf-8"))
    data["deployment"].update(deployment)
    return evaluate(Scenario.from_dict(data), Catalog.shipped(), draws=200)


def test_the_rag_demo_gpu_by_gpu() -> None:
    result = _rag()
    data = pool_placement(result, H100_BYTES)
    assert data.note == "" and data.sharing == "mig" and data.pool_gpus == 7
    assert [g.role for g in data.gpus] == ["whole"] * 6 + ["shared", "extra"]
    for gpu in data.gpus[:6]:  # three TP-2 replicas of the LLM, one whole GPU each
        assert [(s.workload, s.slot, s.share) for s in gpu.segments] == [("answers", "whole", 1.0)]
    assert [s.instance for g in data.gpus[:6] for s in g.segments] == [0, 0, 1, 1, 2, 2]
    shared = data.gpus[6]
    assert [(s.workload, s.slot) for s in shared.segments] == [
        ("embedder", "1g.10gb"), ("embedder", "1g.10gb"),
        ("reranker", "2g.20gb"), ("reranker", "2g.20gb")]
    assert [s.share for s in shared.segments] == pytest.approx([1 / 7, 1 / 7, 2 / 7, 2 / 7])
    assert [s.bottom for s in shared.segments] == pytest.approx([0, 1 / 7, 2 / 7, 4 / 7])
    assert [s.memory_gb for s in shared.segments] == [10.0, 10.0, 20.0, 20.0]
    assert shared.used_share == pytest.approx(6 / 7)
    # the same attribution as the cost shares
    for name in ("embedder", "reranker"):
        placed = sum(s.share for g in data.gpus for s in g.segments if s.workload == name)
        w = next(w for w in result.workloads if w.name == name)
        off_peak = w.gpu_share - placed
        assert off_peak == pytest.approx(
            sum(j.gpu_hours_per_month for j in data.off_peak if j.workload == name) / 730)
    assert [j.workload for j in data.off_peak] == ["embedder", "weekly-lora"]
    assert data.idle_gpu_hours_per_month == result.pool.pool.idle_gpu_hours_per_month  # type: ignore[union-attr]


def test_time_slicing_shares_by_compute_or_memory() -> None:
    result = _rag(gpu_sharing="time-slicing")
    data = pool_placement(result, H100_BYTES)
    shared = [s for g in data.gpus if g.role == "shared" for s in g.segments]
    assert shared and {s.slot for s in shared} == {"shared"}
    usable = H100_BYTES * 0.95
    placements = [p for p in result.pool.pool.placements if p.slot == "shared"]  # type: ignore[union-attr]
    for seg, p in zip(shared, placements, strict=True):
        assert seg.share == pytest.approx(max(p.compute_share, p.memory_bytes / usable))
    for gpu in data.gpus:
        assert gpu.used_share <= 1 + 1e-9


def test_no_pool_when_something_does_not_fit() -> None:
    data = json.loads(demo_scenario_paths()["rag-service-h100"].read_text("utf-8"))
    data["workloads"][3]["finetune"].update(method="full", gpus=1, zero_stage=0)
    result = evaluate(Scenario.from_dict(data), Catalog.shipped(), draws=200)
    chart = pool_placement(result, H100_BYTES)
    assert chart.gpus == () and chart.note == NO_POOL
