"""Several workloads on one fleet: whole GPUs, MIG profiles, time-sliced sharing, periodic jobs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.catalog.loader import Catalog
from app.engine.catalog_types import AcceleratorSpec
from app.engine.gpu_pool import (
    WorkloadDemand,
    encoder_demand,
    finetune_demand,
    mig_scheme,
    plan_pool,
)
from app.engine.transformer_dims import PlanningInputError


@pytest.fixture(scope="module")
def h100() -> AcceleratorSpec:
    return Catalog.shipped().accelerator("nvidia-h100-sxm-80gb")


def rag_stack() -> tuple[WorkloadDemand, ...]:
    return (
        WorkloadDemand("chat", "llm", instances=2, memory_bytes_per_instance=70e9,
                       gpus_per_instance=2, compute_share=0.8),
        encoder_demand("embedder", "embedding", 1000.0, 3e9, 150.0),
        WorkloadDemand("guard", "guard", instances=1, memory_bytes_per_instance=18e9,
                       compute_share=0.3),
        finetune_demand("weekly fine-tune", 40.0, 52 / 12, 2),
    )


def test_h100_mig_profiles_follow_the_nvidia_guide(h100: AcceleratorSpec) -> None:
    scheme = mig_scheme(h100)
    assert scheme is not None
    assert [p.name for p in scheme.profiles] == [
        "1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]
    assert [p.max_instances for p in scheme.profiles] == [7, 4, 3, 2, 1, 1]
    assert (scheme.compute_slices, scheme.memory_slices) == (7, 8)
    assert mig_scheme(Catalog.shipped().accelerator("nvidia-l40s-48gb")) is None


def test_multi_gpu_replicas_take_whole_gpus(h100: AcceleratorSpec) -> None:
    plan = plan_pool(rag_stack(), h100)
    assert plan.gpus_whole == 4
    assert {p.gpu for p in plan.placements if p.workload == "chat"} == {0, 1, 2, 3}


def test_small_models_share_one_gpu(h100: AcceleratorSpec) -> None:
    plan = plan_pool(rag_stack(), h100)
    shared = {p.gpu for p in plan.placements if p.workload in ("embedder", "guard")}
    assert len(shared) == 1 and plan.gpus_shared == 1
    assert plan.gpus == 5


def test_mig_gives_each_small_model_the_smallest_fitting_profile(h100: AcceleratorSpec) -> None:
    plan = plan_pool(rag_stack(), h100, partitions=mig_scheme(h100))
    slots = {p.workload: p.slot for p in plan.placements if p.slot != "whole"}
    # embedder needs 150/(1000·0.7) = 21 % of the compute: 2 of 7 slices; guard 30 %: 3 slices
    assert slots == {"embedder": "2g.20gb", "guard": "3g.40gb"}
    assert plan.gpus_shared == 1
    assert plan.gpu_share_by_workload["embedder"] == pytest.approx(2 / 7)


def test_mig_instance_limits_open_new_gpus(h100: AcceleratorSpec) -> None:
    # 1g.10gb: at most 7 per GPU; 10 tiny models need two GPUs
    tiny = WorkloadDemand("tiny", "embedding", instances=10, memory_bytes_per_instance=2e9,
                          compute_share=0.1)
    assert plan_pool((tiny,), h100, partitions=mig_scheme(h100)).gpus == 2
    # without MIG, ten 10 %-compute models fit one GPU by compute and memory
    assert plan_pool((tiny,), h100).gpus == 1


def test_periodic_finetune_runs_in_idle_capacity(h100: AcceleratorSpec) -> None:
    plan = plan_pool(rag_stack(), h100)
    assert plan.periodic_in_idle and plan.gpus_periodic == 0
    assert plan.periodic_gpu_hours_per_month == pytest.approx(40 * 52 / 12)


def test_periodic_job_gets_dedicated_gpus_when_the_fleet_is_too_small(
        h100: AcceleratorSpec) -> None:
    demands = (encoder_demand("embedder", "embedding", 1000.0, 3e9, 650.0),
               finetune_demand("monthly full fine-tune", 400.0, 1.0, 8))
    plan = plan_pool(demands, h100)
    assert not plan.periodic_in_idle
    assert plan.gpus_periodic == 8 and plan.gpus == 9
    dedicated_off = plan_pool(demands, h100, periodic_on_idle=False)
    assert dedicated_off.gpus_periodic == 8


def test_utilisation(h100: AcceleratorSpec) -> None:
    plan = plan_pool(rag_stack(), h100)
    memory = 4 * 70e9 + 3e9 + 18e9
    assert plan.memory_utilisation == pytest.approx(memory / (5 * 80e9))
    compute = 4 * 0.8 + 150 / 700 + 0.3 + 40 * 52 / 12 / 730
    assert plan.compute_utilisation == pytest.approx(compute / 5)


def test_a_replica_too_big_for_the_gpu_is_refused(h100: AcceleratorSpec) -> None:
    with pytest.raises(PlanningInputError, match="chat"):
        plan_pool((WorkloadDemand("chat", "llm", instances=1,
                                  memory_bytes_per_instance=90e9),), h100)


def test_encoder_demand_splits_high_rates() -> None:
    demand = encoder_demand("embedder", "embedding", 100.0, 2e9, 250.0)
    assert demand.instances == 4  # 250 / (100 × 0.7) = 3.57
    assert demand.compute_share == pytest.approx(250 / 70 / 4)


def test_rag_stack_end_to_end(h100: AcceleratorSpec) -> None:
    """LLM replicas (from the capacity engine, as numbers) + embedder + reranker + fine-tune."""
    from app.engine.embeddings import encoder_throughput, reranker_load
    from app.engine.finetune import FinetuneSetup
    from app.engine.finetune_plan import plan_finetune

    catalog = Catalog.shipped()
    embedder = encoder_throughput(catalog.model("bge-m3"), h100, 64, 64)
    rerank = reranker_load(catalog.model("bge-reranker-v2-m3"), h100, 50, 32, 256)
    tune = plan_finetune(catalog.model("llama-3.1-8b"), FinetuneSetup(method="lora"), 5e7, h100,
                         runs_per_month=52 / 12)
    demands = (
        WorkloadDemand("chat", "llm", instances=2, memory_bytes_per_instance=72e9,
                       compute_share=0.9),
        encoder_demand("embedder", "embedding", float(embedder.documents_per_s),
                       float(embedder.memory_bytes), 200.0),
        encoder_demand("reranker", "reranker", float(rerank.queries_per_s_per_gpu),
                       float(rerank.throughput.memory_bytes), 5.0),
        tune.pool_demand("weekly fine-tune"),
    )
    plan = plan_pool(demands, h100, partitions=mig_scheme(h100))
    assert plan.gpus_whole == 2 and plan.gpus_shared >= 1
    assert plan.gpus == plan.gpus_whole + plan.gpus_shared + plan.gpus_periodic
    assert 0 < plan.compute_utilisation <= 1 and 0 < plan.memory_utilisation <= 1
    assert set(plan.gpu_share_by_workload) == {"chat", "embedder", "reranker",
                                                "weekly fine-tune"}


def test_idle_hours_count_the_mean_load_when_given(h100: AcceleratorSpec) -> None:
    """Serving GPUs busy at peak but lightly loaded on average leave room for a periodic job."""
    chat = WorkloadDemand("chat", "llm", instances=2, memory_bytes_per_instance=70e9,
                          gpus_per_instance=2)
    job = finetune_demand("weekly fine-tune", 50.0, 52 / 12, 2)
    busy = plan_pool((chat, job), h100)  # busy_fraction 1: no idle hours at all
    assert busy.idle_gpu_hours_per_month == 0 and not busy.periodic_in_idle
    assert busy.gpus_periodic == 2 and busy.gpus == 6
    quiet = replace(chat, busy_fraction=0.1)
    plan = plan_pool((quiet, job), h100)
    assert plan.idle_gpu_hours_per_month == pytest.approx(4 * 0.9 * 730)
    assert plan.periodic_in_idle and plan.gpus == 4
    with pytest.raises(PlanningInputError, match="busy_fraction"):
        plan_pool((replace(chat, busy_fraction=0.0),), h100)
