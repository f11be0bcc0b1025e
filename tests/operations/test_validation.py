"""Validation data: every shipped measurement is predicted; errors per source and metric."""

from __future__ import annotations

import math

import pytest

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.operations.validation import (
    PointFilter,
    ValidationPoint,
    error_rows,
    filtered,
    validation_data,
)


def _point(series: str, measured: float, predicted: float, **kw: str) -> ValidationPoint:
    values = {"key": "k", "origin": "published", "source": series, "source_label": series,
              "url": "", "date": "", "detail": "", "model": "m", "gpu": "g", "gpu_name": "G",
              "hardware_class": "c", "engine": "vllm", "metric": "tpot_ms",
              "configuration": "", "series": series, **kw}
    return ValidationPoint(measured=measured, predicted=predicted,
                           predicted_shipped=predicted, **values)  # type: ignore[arg-type]


def test_error_rows_count_mdape_within_and_beyond() -> None:
    points = [_point("S1", 10, 11), _point("S1", 10, 13), _point("S1", 10, 25),
              _point("S2", 10, 4.9)]
    rows = {r.series: r for r in error_rows(points)}
    s1 = rows["S1"]
    assert (s1.n, s1.mdape_pct, s1.beyond_2x) == (3, pytest.approx(30.0), 1)
    assert s1.within_25_pct == pytest.approx(100 / 3)
    assert rows["S2"].beyond_2x == 1 and rows["all published"].n == 4


def test_filters_keep_only_what_they_name() -> None:
    points = [_point("S1", 1, 1, hardware_class="a", gpu="g1"),
              _point("S2", 1, 1, hardware_class="b", gpu="g2", engine="llama.cpp")]
    assert [p.source for p in filtered(points, PointFilter(hardware="class:a"))] == ["S1"]
    assert [p.source for p in filtered(points, PointFilter(hardware="g2"))] == ["S2"]
    assert [p.source for p in filtered(points, PointFilter(engine="llama.cpp"))] == ["S2"]
    assert len(filtered(points, PointFilter())) == 2


def test_every_published_measurement_is_predicted_with_its_source() -> None:
    table, aliases = load_efficiency()
    data = validation_data(Catalog.shipped(), table, aliases)
    assert len(data.points) == 688 and data.unresolved == () and not data.site_calibrated
    for p in data.points:
        assert math.isfinite(p.predicted) and p.predicted > 0 and p.url.startswith("http")
    overall = {r.metric: r for r in error_rows(data.points) if r.series == "all published"}
    assert overall["output_tokens_per_s"].mdape_pct < 20.0  # DESIGN.md accuracy targets
    assert overall["ttft_ms"].mdape_pct < 30.0
