"""Variants of the RAG service demo for report tests: other sharing, a guard model, a dedicated
fine-tune, encoders without an LLM, a fine-tune that does not fit (plain scenario dicts)."""

from __future__ import annotations

import json
from typing import Any

from app.catalog.loader import Catalog
from app.engine.scenario import Scenario
from app.operations.evaluate import evaluate
from app.operations.scenario_files import demo_scenario_paths
from app.reports.subject import ReportSubject, subject_of
from tests.reports.conftest import RAG_DEMO, TEST_DRAWS


def rag_dict() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo_scenario_paths()[RAG_DEMO].read_text("utf-8"))
    return data


def only(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The scenario with only the named workloads (ranges and notes of the others dropped)."""
    data["workloads"] = [w for w in data["workloads"] if w["name"] in names]
    data["uncertainty"] = {k: v for k, v in data["uncertainty"].items()
                           if not k.startswith("workloads")}
    data["assumptions"] = [a for a in data["assumptions"] if not a["field"].startswith("workloads")]
    return data


def guard_time_sliced() -> dict[str, Any]:
    """Five workloads: a Llama Guard-like 8B screen added, time-slicing instead of MIG, and a
    fine-tune so large (60 runs of 400 M tokens a month) it needs dedicated GPUs."""
    data = rag_dict()
    data["name"] = "RAG with a guard, time-sliced, dedicated fine-tune"
    data["workloads"].append({
        "name": "guard", "template": "guard", "model": "llama-3.1-8b", "weights": "bf16",
        "users": 3000, "requests_per_user_per_day": 15, "input_tokens": 1200, "output_tokens": 5,
        "active_hours_per_day": 9, "peak_factor": 2.5, "ttft_target_ms": 300,
        "tpot_target_ms": None, "guard": {"checks_per_request": 2}})
    data["deployment"]["gpu_sharing"] = "time-slicing"
    tune = data["workloads"][3]["finetune"]
    tune.update(runs_per_month=60, dataset_tokens=2e8)
    return data


def encoders_only() -> dict[str, Any]:
    data = only(rag_dict(), ("embedder", "reranker"))
    data["name"] = "Retrieval only: embedder and reranker"
    return data


def tune_not_fitting() -> dict[str, Any]:
    """Full fine-tuning of the 70B model on one GPU without sharding: it does not fit."""
    data = only(rag_dict(), ("answers", "weekly-lora"))
    data["name"] = "Full fine-tune on one GPU"
    data["workloads"][1]["finetune"].update(method="full", gpus=1, zero_stage=0)
    return data


def subject(catalog: Catalog, data: dict[str, Any]) -> ReportSubject:
    scenario = Scenario.from_dict(data)
    result = evaluate(scenario, catalog, draws=TEST_DRAWS)
    return subject_of(result, catalog, "test", "2025-12-31")
