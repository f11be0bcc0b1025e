"""Error bands: shipped residual bands, site residual bands, and the text every screen shows."""

from __future__ import annotations

import pytest

from app.catalog.efficiency import load_efficiency
from app.engine.efficiency import EfficiencyFactors
from app.errors import UserError
from app.operations.error_bands import MIN_SITE_POINTS, band_text, error_band, short_number
from app.operations.site_efficiency import SiteGroup, efficiency_note, group_from_row, with_site
from app.storage.calibration_store import FactorRow

SHIPPED, _ = load_efficiency()
SITE = SiteGroup("vllm", "nvidia-hopper", EfficiencyFactors(0.4, 0.6, 40.0),
                 EfficiencyFactors(0.5, 0.7, 35.0), 24, "2026-12-03T10:00:00+00:00",
                 {"tpot_ms": (0.9, 1.2, MIN_SITE_POINTS), "ttft_ms": (0.5, 2.0, 3)})


def test_shipped_band_reads_as_the_design_example() -> None:
    low, high = SHIPPED.bands["tpot_ms"]
    band = error_band(SHIPPED, "tpot_ms", 42.0, "vllm", "nvidia-hopper")
    assert band is not None
    assert (band.low, band.high) == pytest.approx((42.0 * low, 42.0 * high))
    assert band_text(band) == f"TPOT 42 ms (band {42 * low:.0f}–{42 * high:.0f} ms)"
    assert "published measurements" in band.basis


def test_site_band_needs_enough_points_and_always_holds_the_value() -> None:
    table = with_site(SHIPPED, {("vllm", "nvidia-hopper"): SITE})
    tpot = error_band(table, "tpot_ms", 10.0, "vllm", "nvidia-hopper")
    assert tpot is not None and (tpot.low, tpot.high) == pytest.approx((9.0, 12.0))
    assert "site points" in tpot.basis
    ttft = error_band(table, "ttft_ms", 100.0, "vllm", "nvidia-hopper")  # 3 points: shipped
    assert ttft is not None and "published" in ttft.basis
    other = error_band(table, "tpot_ms", 10.0, "vllm", "nvidia-ampere")
    assert other is not None and "published" in other.basis
    narrow = with_site(SHIPPED, {("vllm", "nvidia-hopper"): SiteGroup(
        "vllm", "nvidia-hopper", SITE.factors, SITE.start, 24, SITE.fitted_at,
        {"tpot_ms": (0.9, 0.95, 20)})})
    one_sided = error_band(narrow, "tpot_ms", 10.0, "vllm", "nvidia-hopper")
    assert one_sided is not None and one_sided.high == pytest.approx(10.0)


def test_no_band_without_residuals_or_value() -> None:
    assert error_band(SHIPPED, "weights_gib", 10.0) is None
    assert error_band(SHIPPED, "tpot_ms", None) is None
    assert error_band(SHIPPED, "tpot_ms", float("nan")) is None
    p99 = error_band(SHIPPED, "tpot_p99_ms", 50.0)
    assert p99 is not None and p99.ratio_low == SHIPPED.bands["tpot_ms"][0]


def test_short_numbers() -> None:
    assert [short_number(v) for v in (1234.5, 42.4, 4.24, 0.0424)] == ["1,234", "42", "4.2",
                                                                      "0.042"]


def test_notes_and_damaged_rows() -> None:
    table = with_site(SHIPPED, {("vllm", "nvidia-hopper"): SITE})
    assert efficiency_note(table).endswith("vllm/nvidia-hopper site-calibrated from 24 points, "
                                           "2026-12-03")
    assert efficiency_note(SHIPPED) == f"shipped efficiency factors {SHIPPED.version}"
    bad = FactorRow("vllm", "nvidia-hopper", {"mfu": 3.0, "mbu": 0.5, "layer_overhead_us": 1},
                    4, "2026-12-03")
    with pytest.raises(UserError, match=r"efficiency_factors vllm/nvidia-hopper: mfu must be"):
        group_from_row(bad)
