"""Edge cases: empty input, loader rules, redundancy, layouts, queue figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.catalog.efficiency import parse_efficiency, read_raw
from app.catalog.loader import Catalog, CatalogError
from app.engine import serving
from app.engine.capacity import Demand, size_deployment
from app.engine.efficiency import EfficiencyTable
from app.engine.search import SweepGrid
from app.operations.estimate import estimate_rows
from tests.engine.conftest import MakeConfigs


def test_serve_with_no_rows(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB").take(np.zeros(0, dtype=np.intp))
    w = serving.Workload(np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0), np.zeros(0))
    r = serving.serve(c, w)
    assert r.output_tokens_per_s.shape == (0,) and r.fits.dtype == bool


def test_shipped_efficiency_file_loads_and_names_its_fit() -> None:
    raw = read_raw()
    table, aliases = parse_efficiency(raw)
    assert aliases["trt-llm"] == "tensorrt-llm"
    assert raw["fit"]["leave_one_source_out"] and raw["fit"]["data_sha256"]
    assert table.groups and all(0 < f.mfu <= 1 and 0 < f.mbu <= 1 for f in table.groups.values())
    for metric in ("output_tokens_per_s", "ttft_ms", "tpot_ms"):
        low, high = table.bands[metric]
        assert low < 1 < high


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(kind="nope"), "kind 'efficiency'"),
        (
            lambda d: d["groups"].append(
                {"engine": "x", "hardware_class": "y", "mfu": 2, "mbu": 0.5, "layer_overhead_us": 1}
            ),
            "mfu must be in (0, 1]",
        ),
        (
            lambda d: d["groups"].append(
                {
                    "engine": "x",
                    "hardware_class": "y",
                    "mfu": 0.5,
                    "mbu": "a",
                    "layer_overhead_us": 1,
                }
            ),
            "mbu must be a number",
        ),
        (lambda d: d["engines"]["vllm"].update(prior_scales=[1, 2]), "prior_scales"),
    ],
)
def test_bad_efficiency_file_names_the_field(change: object, message: str) -> None:
    raw = json.loads(json.dumps(read_raw()))
    change(raw)  # type: ignore[operator]
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_efficiency(raw)


def test_redundancy_fraction_rounds_up(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    base = Demand(30, 1000, 200, ttft_target_ms=2000, tpot_target_ms=80, redundancy_replicas=0)
    plain = size_deployment(c, base)
    spare = size_deployment(
        c,
        Demand(
            30,
            1000,
            200,
            ttft_target_ms=2000,
            tpot_target_ms=80,
            redundancy_replicas=0,
            redundancy_fraction=0.25,
        ),
    )
    assert spare.replicas[0] == np.ceil(plain.serving_replicas[0] * 1.25)


def test_per_request_tpot_p99_is_above_the_mean_under_load(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    r = serving.at_rate(c, np.array([5.0]), np.array([2000.0]), np.array([200.0]))
    assert r.tpot_p99_ms[0] > r.tpot_ms[0]


def test_offline_ttft_includes_the_wait_for_a_slot(make: MakeConfigs) -> None:
    c = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    small = serving.offline(c, np.array([128.0]), np.array([2048.0]), benchmark_requests=10)
    big = serving.offline(c, np.array([128.0]), np.array([2048.0]), benchmark_requests=1000)
    assert big.ttft_ms[0] > 10 * small.ttft_ms[0]
    assert big.output_tokens_per_s[0] == pytest.approx(small.output_tokens_per_s[0])


def test_layouts_cover_tensor_pipeline_and_replicas(catalog: Catalog) -> None:
    q = catalog.quantizations
    grid = SweepGrid([catalog.accelerator("H100 SXM 80GB")], [q["bf16"]], [q["bf16"]], (1, 2, 4))
    assert grid.layouts() == [
        (1, 1, 1),
        (2, 1, 1),
        (2, 1, 2),
        (2, 2, 1),
        (4, 1, 1),
        (4, 1, 2),
        (4, 1, 4),
        (4, 2, 1),
        (4, 2, 2),
        (4, 4, 1),
    ]


def test_estimate_rows_keep_order_when_every_row_is_bad(
    catalog: Catalog, table: EfficiencyTable
) -> None:
    rows = [{"case_id": "x", "model": "nope"}, {"case_id": "y"}]
    out = estimate_rows(rows, catalog, table, {})
    assert [r["case_id"] for r in out] == ["x", "y"]
    assert all(r["status"] == "error" and r["message"] for r in out)
