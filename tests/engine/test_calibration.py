"""The fit recovers known factors and the efficiency table resolves fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from app.catalog.loader import Catalog
from app.engine.calibration import CalibrationCases, fit_groups, mdape_pct, metric_values
from app.engine.configs import Deployment, build_configs
from app.engine.efficiency import EfficiencyFactors, EfficiencyTable, EngineProfile
from app.engine.serving import Workload, serve


def synthetic(
    catalog: Catalog, table: EfficiencyTable, truth: EfficiencyFactors
) -> CalibrationCases:
    q = catalog.quantization
    deps, modes, loads, isl, osl, metric = [], [], [], [], [], []
    for model in ("llama-3.1-8b", "llama-3.1-70b"):
        for batch in (1, 8, 64, 256):
            for n_in, n_out in ((128, 128), (2048, 128), (128, 1024)):
                tp = 4 if "70b" in model else 1
                for m in (0, 1) if batch == 1 else (0,):  # batch 1: throughput and TTFT
                    deps.append(
                        Deployment(
                            catalog.model(model),
                            catalog.accelerator("H100 SXM 80GB"),
                            q("fp8"),
                            q("fp8"),
                            "tensorrt-llm",
                            tp,
                            tp,
                            1,
                            1,
                        )
                    )
                    modes.append(0)
                    loads.append(batch)
                    isl.append(n_in)
                    osl.append(n_out)
                    metric.append(m)
    configs, _ = build_configs(deps, table)
    n = len(deps)
    configs = configs.with_efficiency(
        np.full(n, truth.mfu), np.full(n, truth.mbu), np.full(n, truth.layer_overhead_us * 1e-6)
    )
    w = Workload(
        np.array(modes), np.array(loads, float), np.array(isl, float), np.array(osl, float)
    )
    measured = metric_values(serve(configs, w), np.array(metric))
    return CalibrationCases(
        configs, w, np.array(metric), measured, [("tensorrt-llm", "nvidia-hopper")] * n
    )


def test_fit_recovers_the_factors_that_made_the_data(
    catalog: Catalog, table: EfficiencyTable
) -> None:
    truth = EfficiencyFactors(mfu=0.42, mbu=0.66, layer_overhead_us=60.0)
    cases = synthetic(catalog, table, truth)
    start = EfficiencyFactors(0.6, 0.8, 60.0)  # overhead at its physical prior
    result = fit_groups(cases, {("tensorrt-llm", "nvidia-hopper"): start})
    fitted = result.groups[("tensorrt-llm", "nvidia-hopper")]
    assert fitted.mfu == pytest.approx(truth.mfu, rel=0.05)
    assert fitted.mbu == pytest.approx(truth.mbu, rel=0.05)
    assert fitted.layer_overhead_us == pytest.approx(truth.layer_overhead_us, rel=0.1)
    stats = result.stats[0]
    assert stats.mdape_after_pct < 2.0 < stats.mdape_before_pct


def test_overhead_prior_resists_data_that_hardly_depends_on_it(
    catalog: Catalog, table: EfficiencyTable
) -> None:
    truth = EfficiencyFactors(mfu=0.5, mbu=0.75, layer_overhead_us=40.0)
    cases = synthetic(catalog, table, truth)
    big = np.flatnonzero(cases.workload.load >= 64)  # large batches hide the overhead
    result = fit_groups(
        cases.subset(big), {("tensorrt-llm", "nvidia-hopper"): EfficiencyFactors(0.6, 0.8, 20.0)}
    )
    fitted = result.groups[("tensorrt-llm", "nvidia-hopper")]
    assert fitted.layer_overhead_us < 40.0
    assert fitted.mfu == pytest.approx(truth.mfu, rel=0.1)


def test_small_groups_are_not_fitted(catalog: Catalog, table: EfficiencyTable) -> None:
    cases = synthetic(catalog, table, EfficiencyFactors(0.5, 0.7, 40.0))
    result = fit_groups(cases, {}, min_rows=10_000)
    assert result.groups == {}


def test_mdape() -> None:
    assert mdape_pct(
        np.array([110.0, 90.0, 100.0]), np.array([100.0, 100.0, 100.0])
    ) == pytest.approx(10.0)


def test_resolve_walks_the_fallback_chain() -> None:
    hopper = EfficiencyFactors(0.5, 0.8, 30.0)
    table = EfficiencyTable(
        groups={("tensorrt-llm", "nvidia-hopper"): hopper},
        engines={
            "vllm": EngineProfile(
                "vllm", reference_engine="tensorrt-llm", prior_scales=(0.9, 1.0, 2.0)
            )
        },
        classes={},
    )
    exact = table.resolve("tensorrt-llm", "nvidia-hopper")
    assert exact.fitted and exact.factors == hopper
    derived = table.resolve("vllm", "nvidia-hopper")
    assert not derived.fitted and "fallback" in derived.basis
    assert derived.factors.mfu == pytest.approx(
        0.45
    ) and derived.factors.layer_overhead_us == pytest.approx(60.0)
    assert table.resolve("sglang", "amd-cdna3").basis == "built-in default"
