"""Every workload kind on one fleet: hand-computed encoder sizing, pooling bounds, fine-tuning facts.

Numbers are worked by hand from the fixture catalog (tests/operations/catalog_fixture.py):
test-embedder and test-reranker are 0.57 B-parameter bidirectional encoders (24 layers, hidden
1024, 16 heads of 64, no vocabulary given, so every parameter counts as compute; MLP width
falls back to 4 × 1024); test-gpu-80gb has 989.4 TFLOPS dense BF16 and 3.35 TB/s. Encoders run
at 0.35 of peak, weights in 16 bit, batch 64, 70 % target utilisation.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.engine.scenario import Scenario, ScenarioError
from app.operations.evaluate import evaluate
from app.operations.resolve import resolve
from app.operations.stack import size_stack
from tests.operations.catalog_fixture import scenario_dict, test_catalog

PEAK_FLOPS = 989.4e12 * 0.35  # dense BF16 × encoder efficiency
PARAMS = 0.57e9
LAYERS, Q_DIM, HIDDEN, MLP = 24, 16 * 64, 1024, 4 * 1024


def encoder_flops(tokens: float) -> float:
    """2·N·t + 4·L·t²·q_dim (bidirectional attention)."""
    return 2 * PARAMS * tokens + 4 * LAYERS * tokens**2 * Q_DIM


def embedder(**overrides: Any) -> dict[str, Any]:
    """1,000 systems × 400,000 texts a day of 100 tokens, around the clock, flat."""
    return {"name": "embed", "template": "embedding", "model": "test-embedder", "users": 1000,
            "requests_per_user_per_day": 400_000, "input_tokens": 100,
            "active_hours_per_day": 24, "active_days_per_year": 365, "peak_factor": 1.0,
            "ttft_target_ms": None, **overrides}


def chat() -> dict[str, Any]:
    w: dict[str, Any] = scenario_dict()["workloads"][0]
    return {**w, "growth_per_year": 0.0}


def _stack(workloads: list[dict[str, Any]], **sections: Any) -> Any:
    s = Scenario.from_dict(scenario_dict(workloads=workloads, uncertainty={}, **sections))
    return size_stack(resolve(s, test_catalog()))


def _evaluate(workloads: list[dict[str, Any]], **sections: Any) -> dict[str, Any]:
    s = Scenario.from_dict(scenario_dict(workloads=workloads, uncertainty={}, **sections))
    return evaluate(s, test_catalog(), draws=200, seed=3).to_json()


# --- hand-computed encoder sizing ---------------------------------------------------------------

def test_embedder_throughput_instances_and_gpus_by_hand() -> None:
    stack = _stack([embedder()])
    s = stack.workloads[0]
    per_gpu = PEAK_FLOPS / encoder_flops(100)  # compute-bound at batch 64: 3,011.7 texts/s
    assert per_gpu == pytest.approx(3011.7, rel=1e-4)
    assert s.details["texts_per_s_per_gpu"] == pytest.approx(per_gpu, rel=1e-9)
    peak = 1000 * 400_000 / (24 * 3600)  # 4,629.6 texts/s
    assert s.peak_demand_per_s == pytest.approx(peak)
    share = peak / (per_gpu * 0.7)  # 2.196 GPUs of compute at 70 % utilisation
    assert share == pytest.approx(2.196, abs=1e-3)
    assert s.capacity.replicas == 3 + 1  # ceil(2.196) serving + N+1
    assert s.basis["per_instance_compute_share"] == pytest.approx(share / 3)
    # 0.732 of a GPU each: two never share one GPU (time-slicing on the fixture GPU)
    assert stack.fleet is not None and stack.fleet.pool.gpus == 4
    assert s.gpu_share == pytest.approx(4 * share / 3)
    working = 2 * 64 * 100 * (2 * HIDDEN + 2 * MLP)
    assert s.memory_per_instance_bytes == pytest.approx(2 * PARAMS + working + 1e9)
    assert s.bound == "compute"
    without_spare = _stack([embedder()], deployment={"redundancy": "none"})
    assert without_spare.workloads[0].capacity.replicas == 3
    assert without_spare.fleet is not None and without_spare.fleet.pool.gpus == 3


def test_embedding_corpus_and_index_by_hand() -> None:
    spec = {"corpus_documents": 1000, "tokens_per_document": 1000, "chunk_tokens": 512,
            "reembeds_per_month": 2, "index": "flat", "vector_precision": "fp32"}
    s = _stack([embedder(embedding=spec)]).workloads[0]
    d = s.details
    assert d["chunks_per_document"] == 2 and d["tokens_per_chunk"] == 500  # ceil(1000/512)
    assert d["vectors"] == 2000
    assert d["index_memory_bytes"] == 2000 * 1024 * 4  # flat: N × d × 4 bytes
    chunk_rate = PEAK_FLOPS / encoder_flops(500)  # 582.4 chunks/s
    assert d["chunks_per_s_per_gpu"] == pytest.approx(chunk_rate, rel=1e-9)
    assert d["corpus_embed_gpu_hours"] == pytest.approx(2000 / chunk_rate / 3600, rel=1e-9)
    assert d["reembed_gpu_hours_per_month"] == pytest.approx(2 * 2000 / chunk_rate / 3600)


def test_reranker_queries_per_gpu_by_hand() -> None:
    w = {"name": "rerank", "template": "reranker", "model": "test-reranker", "users": 100,
         "requests_per_user_per_day": 100, "input_tokens": 36, "active_hours_per_day": 10,
         "peak_factor": 2.0, "ttft_target_ms": 5000, "reranker": {"candidates_per_query": 20,
                                                                    "passage_tokens": 60}}
    s = _stack([w]).workloads[0]
    pair = 36 + 60 + 4  # query + passage + XLM-R special tokens
    per_gpu = PEAK_FLOPS / (20 * encoder_flops(pair))
    assert s.details["tokens_per_pair"] == pair
    assert s.details["queries_per_s_per_gpu"] == pytest.approx(per_gpu, rel=1e-9)
    assert s.peak_demand_per_s == pytest.approx(100 * 100 / (10 * 3600) * 2.0)
    assert s.rate_unit == "queries/s" and s.kind == "reranker"


def test_guard_checks_per_gpu_by_hand() -> None:
    """A causal 8B classifier: 2·N·t + 2·L·t²·q_dim per check of input + verdict tokens."""
    w = {"name": "guard", "template": "guard", "model": "test-8b", "users": 2000,
         "requests_per_user_per_day": 20, "input_tokens": 995, "output_tokens": 5,
         "ttft_target_ms": None, "guard": {"checks_per_request": 2}}
    s = _stack([w]).workloads[0]
    n = 8.03e9 - 128256 * 4096  # the untied input table is a lookup, not compute
    tokens = 995 + 5
    flops = 2 * n * tokens + 2 * 32 * tokens**2 * 32 * 128
    assert s.details["tokens_per_check"] == tokens
    assert s.details["checks_per_s_per_gpu"] == pytest.approx(PEAK_FLOPS / flops, rel=1e-9)
    assert s.peak_demand_per_s == pytest.approx(2000 * 20 / (8 * 3600) * 2.0 * 2)
    assert s.rate_unit == "checks/s" and s.fits
    working = 2 * 64 * tokens * (2 * 4096 + 2 * 14336)
    assert s.memory_per_instance_bytes == pytest.approx(2 * 8.03e9 + working + 1e9)


def test_a_latency_target_asks_for_a_bigger_share() -> None:
    relaxed = _stack([embedder(requests_per_user_per_day=100)]).workloads[0]
    assert relaxed.basis["per_instance_compute_share"] == pytest.approx(0.01)  # the floor
    latency = relaxed.basis["latency_whole_gpu_ms"]
    strict = _stack([embedder(requests_per_user_per_day=100,
                              ttft_target_ms=latency * 4)]).workloads[0]
    assert strict.basis["per_instance_compute_share"] == pytest.approx(0.25)
    impossible = _stack([embedder(requests_per_user_per_day=100,
                                  ttft_target_ms=latency / 2)]).workloads[0]
    assert not impossible.meets_slo


# --- one fleet: bounds --------------------------------------------------------------------------

MIXED = [
    chat(),
    embedder(requests_per_user_per_day=2000),
    {"name": "rerank", "template": "reranker", "model": "test-reranker", "users": 2000,
     "requests_per_user_per_day": 20, "input_tokens": 40},
    {"name": "tune", "template": "finetune", "model": "test-70b",
     "finetune": {"method": "lora", "dataset_tokens": 2e7, "runs_per_month": 4.33}},
]


@pytest.mark.parametrize("sharing", ["auto", "time-slicing", "none"])
def test_the_pool_lies_between_the_largest_workload_and_the_sum(sharing: str) -> None:
    together = _stack(MIXED, deployment={"gpu_sharing": sharing})
    assert together.fleet is not None
    alone = []
    for w in MIXED:
        one = _stack([w], deployment={"gpu_sharing": sharing})
        assert one.fleet is not None
        alone.append(one.fleet.pool.gpus)
    assert max(alone) <= together.fleet.pool.gpus <= sum(alone)
    assert together.fleet.pool.gpus < sum(alone)  # sharing and off-peak jobs save GPUs


def test_sharing_none_gives_every_encoder_instance_a_whole_gpu() -> None:
    shared = _stack(MIXED, deployment={"gpu_sharing": "time-slicing"})
    whole = _stack(MIXED, deployment={"gpu_sharing": "none"})
    assert shared.fleet is not None and whole.fleet is not None
    encoders = sum(s.capacity.replicas for s in whole.workloads
                   if s.kind in ("embedding", "reranker"))
    slots = [p.slot for p in whole.fleet.pool.placements if p.workload in ("embed", "rerank")]
    assert slots == ["whole"] * encoders
    assert whole.fleet.pool.gpus == whole.fleet.llm_gpus + encoders
    assert shared.fleet.pool.gpus_shared < encoders


def test_mig_is_refused_on_an_accelerator_without_it() -> None:
    with pytest.raises(ScenarioError, match=r"^deployment.gpu_sharing: 'mig' needs"):
        _stack(MIXED, deployment={"gpu_sharing": "mig"})


def test_one_tco_for_the_pooled_fleet() -> None:
    out = _evaluate(MIXED)
    k = out["kpis"]
    pool = out["pool"]
    assert k["gpus"] >= pool["gpus"] and pool["pooled_gpus"] == pool["gpus"] - pool["llm_gpus"]
    assert sum(c["usd"] for c in out["cost_breakdown"]) == pytest.approx(k["tco_usd"], abs=0.01)
    assert sum(w["cost_share_usd"] for w in out["workloads"]) == pytest.approx(k["tco_usd"])
    # the LLM alone, on the same terms, costs less: the encoders' GPUs are in the one TCO
    llm_only = _evaluate([chat()])["kpis"]
    assert k["tco_usd"] >= llm_only["tco_usd"]
    # cost per 1M tokens stays defined on the LLM's tokens only
    assert k["tokens"] == pytest.approx(llm_only["tokens"])
    assert k["cost_per_million_tokens_usd"] == pytest.approx(k["tco_usd"] / k["tokens"] * 1e6)
    gpu_hours = sum(p["gpus"] for p in out["series"]) * 730
    assert k["cost_per_gpu_hour_usd"] == pytest.approx(k["tco_usd"] / gpu_hours)
    tune = next(w for w in out["workloads"] if w["kind"] == "finetune")["finetune"]
    assert tune["cost_per_run_usd"] == pytest.approx(
        tune["gpu_hours_per_run"] * k["cost_per_gpu_hour_usd"])
    assert tune["gpu_hours_per_month"] == pytest.approx(tune["gpu_hours_per_run"] * 4.33)


def test_a_scenario_without_an_llm_evaluates_without_tokens() -> None:
    out = _evaluate([embedder()], alternatives={"cloud_api": None})
    k = out["kpis"]
    assert k["fits"] and k["gpus"] == 4 and k["tco_usd"] > 0
    assert k["tokens"] == 0 and k["cost_per_million_tokens_usd"] is None
    assert k["ttft_ms"] is None and k["output_tokens_per_s"] is None
    assert k["api_tco_usd"] is None


# --- fine-tuning at the evaluation level: the published facts hold ----------------------------

def _tune(model: str, accelerator: str, **spec: Any) -> dict[str, Any]:
    w = {"name": "tune", "template": "finetune", "model": model,
         "finetune": {"dataset_tokens": 1e7, "runs_per_month": 1, **spec}}
    return _evaluate([w], deployment={"accelerator": accelerator, "server": None,
                                      "gpus_per_server": 8},
                     costs={"server_price_usd": 10000, "server_base_power_w": 500},
                     alternatives={"cloud_api": None})


def test_qlora_fits_a_65b_model_on_one_48gb_gpu() -> None:
    spec = {"method": "qlora", "lora_rank": 64, "lora_targets": ["all"], "seq_len_tokens": 512}
    out = _tune("test-65b", "test-gpu-48gb", **spec)
    tune = out["workloads"][0]
    assert out["kpis"]["fits"] and tune["fits"]
    assert tune["gpus_per_replica"] == 1 and tune["finetune"]["job_gpus"] == 1
    assert tune["finetune"]["memory_per_gpu_bytes"] < 48e9
    assert out["kpis"]["gpus"] == 1  # a dedicated GPU: nothing else is served
    lora = _tune("test-65b", "test-gpu-48gb", **{**spec, "method": "lora", "gpus": 1})
    assert lora["kpis"]["fits"] is False and lora["kpis"]["tco_usd"] is None
    assert any("does not fit" in n for n in lora["basis"]["notes"])


def test_full_finetuning_of_70b_does_not_fit_one_80gb_gpu() -> None:
    one = _tune("test-70b", "test-gpu-80gb", method="full", gpus=1, zero_stage=0)
    assert one["kpis"]["fits"] is False
    assert one["workloads"][0]["finetune"]["memory_per_gpu_bytes"] > 16 * 70.55e9
    sharded = _tune("test-70b", "test-gpu-80gb", method="full", zero_stage=3)
    job = sharded["workloads"][0]["finetune"]["job_gpus"]
    assert sharded["kpis"]["fits"] and job >= 15 and sharded["kpis"]["gpus"] >= job


def test_finetune_time_by_hand() -> None:
    """LoRA r16 on q,k,v,o of test-70b, full checkpointing: 6N + 8·N_lora + 4A FLOPs/token."""
    out = _tune("test-70b", "test-gpu-80gb", method="lora", seq_len_tokens=4096, gpus=4,
                zero_stage=3)
    d = out["workloads"][0]["finetune"]
    n = 70.55e9 - 128256 * 8192  # the untied input table is a lookup
    n_lora = 80 * 16 * ((8192 + 8192) + 2 * (8192 + 1024) + (8192 + 8192))
    attention = 2 * 80 * 4096 * 8192
    per_token = 6 * n + 8 * n_lora + 4 * attention
    gpu_hours = 1e7 * per_token / (989.4e12 * d["efficiency"]) / 3600
    assert d["gpu_hours_per_run"] == pytest.approx(gpu_hours, rel=1e-9)
    assert d["wall_time_h"] == pytest.approx(gpu_hours / 4, rel=1e-9)
    assert d["trainable_params"] == n_lora


def test_a_deadline_sets_the_gpus_per_run() -> None:
    loose = _tune("test-70b", "test-gpu-80gb", method="lora")
    hours = loose["workloads"][0]["finetune"]["wall_time_h"]
    jobs = loose["workloads"][0]["finetune"]["job_gpus"]
    tight = _tune("test-70b", "test-gpu-80gb", method="lora", deadline_hours=hours / 3)
    d = tight["workloads"][0]["finetune"]
    assert d["job_gpus"] > jobs and d["wall_time_h"] <= hours / 3
    assert d["meets_deadline"] is True
    pinned = _tune("test-70b", "test-gpu-80gb", method="lora", gpus=jobs,
                   deadline_hours=hours / 3)
    assert pinned["workloads"][0]["meets_slo"] is False
    assert any("over the" in n for n in pinned["basis"]["notes"])
    assert math.isclose(pinned["workloads"][0]["finetune"]["wall_time_h"], hours)
