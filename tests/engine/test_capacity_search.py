"""Capacity sizing, the sweep and its Pareto front."""

from __future__ import annotations

import numpy as np
import pytest

from app.catalog.loader import Catalog
from app.engine.capacity import Demand, size_candidates, size_deployment
from app.engine.configs import Deployment, build_configs
from app.engine.efficiency import EfficiencyTable
from app.engine.search import SweepGrid, pareto_front, sweep


def candidates(catalog: Catalog, table: EfficiencyTable) -> object:
    m = catalog.model("llama-3.1-8b")
    q = catalog.quantization
    deps = [
        Deployment(m, catalog.accelerator("H100 SXM 80GB"), q("fp8"), q("fp8"), "vllm", 1, 1, 1, 1),
        Deployment(m, catalog.accelerator("L40S 48GB"), q("fp8"), q("fp8"), "vllm", 1, 1, 1, 1),
        Deployment(
            catalog.model("llama-3.1-405b"),
            catalog.accelerator("RTX 4090 24GB"),
            q("bf16"),
            q("bf16"),
            "vllm",
            1,
            1,
            1,
            1,
        ),
    ]
    return build_configs(deps, table)[0]


def test_sizing_meets_slo_with_n_plus_one(catalog: Catalog, table: EfficiencyTable) -> None:
    c = candidates(catalog, table)
    demand = Demand(
        peak_requests_per_s=20,
        input_tokens=1000,
        output_tokens=200,
        ttft_target_ms=1000,
        tpot_target_ms=60,
        gpus_per_server=8,
    )
    r = size_deployment(c, demand)  # type: ignore[arg-type]
    assert bool(r.meets_slo[0]) and bool(r.meets_slo[1])
    for i in (0, 1):
        assert r.ttft_ms[i] <= 1000 and r.tpot_ms[i] <= 60
        assert r.serving_replicas[i] == np.ceil(20 / r.sustainable_requests_per_s[i] - 1e-9)
        assert r.replicas[i] == r.serving_replicas[i] + 1
        assert r.servers[i] == np.ceil(r.gpus[i] / 8)
        assert r.power_kw[i] > 0
    assert r.gpus[0] < r.gpus[1]  # an H100 does more than an L40S
    assert not bool(r.fits[2]) and "does not fit" in r.reason[2]
    assert r.bound_name(2) == "does-not-fit"


def test_impossible_tpot_target_is_reported(catalog: Catalog, table: EfficiencyTable) -> None:
    c = candidates(catalog, table)
    r = size_deployment(c, Demand(1, 1000, 200, ttft_target_ms=1000, tpot_target_ms=0.5))  # type: ignore[arg-type]
    assert not bool(r.meets_slo[0]) and "misses the SLO" in r.reason[0]
    assert np.isnan(r.gpus[0])


def test_sweep_evaluates_the_whole_grid(catalog: Catalog, table: EfficiencyTable) -> None:
    q = catalog.quantizations
    grid = SweepGrid(
        accelerators=[catalog.accelerator("H100 SXM 80GB"), catalog.accelerator("L40S 48GB")],
        weights=[q["bf16"], q["fp8"]],
        kv_formats=[q["bf16"], q["fp8"]],
        gpu_counts=(1, 2),
        batches=(1, 8, 64),
    )
    r = sweep(catalog.model("llama-3.1-70b"), grid, table, 1000, 200)
    assert r.size == grid.size == 2 * 4 * 2 * 2 * 3
    # 70B BF16 never fits one GPU of 80 GB or less
    one_bf16 = (r.gpu_count == 1) & (r.weights == 0)
    assert not r.fits[one_bf16].any()
    assert r.fits.any()
    ok = r.fits
    assert np.all(r.cost_per_million_tokens_usd[ok] > 0)


def test_pareto_front_keeps_only_non_dominated_rows() -> None:
    points = np.array([[1, 5, 5], [2, 2, 2], [3, 1, 9], [3, 3, 3], [2, 2, 2], [np.nan, 0, 0]])
    front = set(pareto_front(points).tolist())
    assert front == {0, 1, 2}


def test_pareto_front_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    points = rng.random((3000, 3))
    front = set(pareto_front(points, chunk=256).tolist())
    dominated = np.array(
        [np.any(np.all(points <= p, axis=1) & np.any(points < p, axis=1)) for p in points]
    )
    assert front == set(np.flatnonzero(~dominated).tolist())


@pytest.mark.parametrize("engine", ["vllm", "llama.cpp"])
def test_sweep_cost_uses_fallback_price_when_catalog_has_none(
    catalog: Catalog, table: EfficiencyTable, engine: str
) -> None:
    q = catalog.quantizations
    fmt = q["q4_k_m"] if engine == "llama.cpp" else q["bf16"]
    grid = SweepGrid([catalog.accelerator("RTX 4090 24GB")], [fmt], [q["fp16"]], (1,), (1,), engine)
    r = sweep(catalog.model("llama-3-8b"), grid, table, 100, 100)
    assert bool(r.price_estimated[0])
    expected = 2.5 / (r.output_tokens_per_s[0] * 3600) * 1e6
    assert r.cost_per_million_tokens_usd[0] == pytest.approx(expected)


def test_size_candidates_uses_one_replica_of_tp_x_pp(
    catalog: Catalog, table: EfficiencyTable
) -> None:
    q = catalog.quantization
    d = Deployment(
        catalog.model("llama-3.1-70b"),
        catalog.accelerator("H100 SXM 80GB"),
        q("fp8"),
        q("fp8"),
        "vllm",
        64,
        2,
        1,
        1,
    )
    r = size_candidates([d], Demand(5, 1000, 200, 2000, 80), table)
    assert r.gpus_per_replica[0] == 2 and bool(r.meets_slo[0])
    assert r.gpus[0] == 2 * r.replicas[0]
    assert r.index(0)["bound"] in ("compute", "memory", "communication", "overhead", "kv-capacity")
    assert "mfu" in r.basis[0]
