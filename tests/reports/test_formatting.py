"""Numbers on charts and cards: USD in k/M, compact counts, percent, latency."""

from __future__ import annotations

import math

import pytest

from app.reports.formatting import (
    compact,
    milliseconds,
    month,
    percent,
    usd_full,
    usd_per_mtok,
    usd_short,
)


@pytest.mark.parametrize(("value", "text"), [
    (0, "$0"),
    (7.5, "$7.50"),
    (950, "$950"),
    (1000, "$1k"),
    (12_500, "$12.5k"),
    (500_000, "$500k"),  # trailing zeros of a whole number stay
    (100_000, "$100k"),
    (1_000_000, "$1M"),
    (1_250_000, "$1.25M"),
    (2_500_000, "$2.5M"),
    (3_100_000_000, "$3.1B"),
    (4.2e12, "$4.2T"),
    (1.08e20, "$1.08e+20"),
    (-12_000, "−$12k"),
    (999_999, "$1M"),  # rounds up into the next unit rather than "$1000k"
])
def test_usd_short(value: float, text: str) -> None:
    assert usd_short(value) == text


def test_missing_values_show_a_dash() -> None:
    for fn in (usd_short, usd_full, usd_per_mtok, compact, milliseconds):
        assert fn(None) == "—"
        assert fn(math.nan) == "—"
    assert percent(None) == "—"


def test_other_formats() -> None:
    assert usd_short(1_500_000, decimals=0) == "$2M"
    assert usd_full(1_234_567.4) == "$1,234,567"
    from app.reports.formatting import number
    assert number(623_662_208) == "623,662,208" and number(6.2e299) == "6.2e+299"
    assert usd_per_mtok(0.4234) == "$0.42"
    assert compact(12_500) == "12.5k"
    assert percent(0.973) == "97 %"
    assert month(None) == "never" and month(14) == "month 14"
    assert milliseconds(60.0) == "60 ms" and milliseconds(62.5) == "62.5 ms"
    assert milliseconds(1500) == "1,500 ms" and milliseconds(12_000) == "12.0 s"
