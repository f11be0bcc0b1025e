"""Error bands: how far a prediction is from what was measured, from calibration residuals.

One Qt-free entry point for every place that shows an estimate (dashboard, report, estimate
output, evaluate JSON): `error_band(table, metric, value, engine, hardware_class)` gives the
value with its band, e.g. `TPOT 42 ms (band 35–53 ms)` from `band_text`.

A band is the P10 and P90 of measured / predicted on calibration data, applied to the value:
`low = value x P10`, `high = value x P90`. Where it comes from:

- a site-calibrated group (the workspace refit this engine on this hardware class) with at
  least `MIN_SITE_POINTS` points of the metric: the residuals of the site's own points after
  the refit, widened where needed to hold the prediction itself;
- otherwise the published measurements the shipped factors were fitted to
  (`resources/efficiency/factors.json`, `bands`).

P95/P99 latencies use the band of their mean (`ttft_ms`, `tpot_ms`); a metric with no
calibration residuals (memory, end-to-end latency) has no band (None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.engine.efficiency import EfficiencyTable
from app.operations.site_efficiency import site_groups

MIN_SITE_POINTS = 10
BAND_METRIC = {"ttft_p95_ms": "ttft_ms", "ttft_p99_ms": "ttft_ms", "tpot_p99_ms": "tpot_ms"}
LABELS = {"output_tokens_per_s": "Throughput", "ttft_ms": "TTFT", "tpot_ms": "TPOT",
          "ttft_p95_ms": "TTFT P95", "ttft_p99_ms": "TTFT P99", "tpot_p99_ms": "TPOT P99",
          "e2e_latency_s": "End-to-end latency"}
UNITS = {"output_tokens_per_s": "tokens/s", "ttft_ms": "ms", "tpot_ms": "ms",
         "ttft_p95_ms": "ms", "ttft_p99_ms": "ms", "tpot_p99_ms": "ms", "e2e_latency_s": "s"}
SHIPPED_BASIS = "P10–P90 of measured/predicted on the published measurements (factors {version})"
SITE_BASIS = "P10–P90 of measured/predicted on {n} site points ({engine}/{hardware_class}, {date})"


@dataclass(frozen=True)
class BandRatios:
    """Multipliers of a prediction: P10 and P90 of measured / predicted, and their origin."""

    low: float
    high: float
    basis: str


@dataclass(frozen=True)
class ErrorBand:
    """A predicted value with its band, in the metric's unit."""

    metric: str
    value: float
    low: float
    high: float
    ratio_low: float
    ratio_high: float
    basis: str

    def to_json(self) -> dict[str, float | str]:
        return {"value": self.value, "low": self.low, "high": self.high,
                "ratio_p10": self.ratio_low, "ratio_p90": self.ratio_high, "basis": self.basis}


def band_ratios(table: EfficiencyTable, metric: str, engine: str = "",
                hardware_class: str = "") -> BandRatios | None:
    """The band multipliers of `metric` for predictions of `engine` on `hardware_class`."""
    metric = BAND_METRIC.get(metric, metric)
    group = site_groups(table).get((engine, hardware_class))
    if group is not None:
        site = group.bands.get(metric)
        if site is not None and site[2] >= MIN_SITE_POINTS:
            # The site's in-sample residuals can sit wholly on one side of the refit; the band
            # always holds the prediction itself.
            return BandRatios(min(site[0], 1.0), max(site[1], 1.0), SITE_BASIS.format(
                n=site[2], engine=engine, hardware_class=hardware_class, date=group.date))
    shipped = table.bands.get(metric)
    if shipped is None:
        return None
    return BandRatios(shipped[0], shipped[1],
                      SHIPPED_BASIS.format(version=table.version or "shipped"))


def error_band(table: EfficiencyTable, metric: str, value: float | None, engine: str = "",
               hardware_class: str = "") -> ErrorBand | None:
    """`value` with its band (None when the value is missing or the metric has no band)."""
    if value is None or not math.isfinite(value):
        return None
    ratios = band_ratios(table, metric, engine, hardware_class)
    if ratios is None:
        return None
    return ErrorBand(metric=metric, value=value, low=value * ratios.low,
                     high=value * ratios.high, ratio_low=ratios.low, ratio_high=ratios.high,
                     basis=ratios.basis)


def short_number(value: float) -> str:
    """Three significant figures at most, thousands separated: 1,234 / 42 / 4.2 / 0.042."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.1f}"
    return f"{value:.2g}"


def band_text(band: ErrorBand, label: str | None = None, unit: str | None = None) -> str:
    """`TPOT 42 ms (band 35–53 ms)`."""
    label = LABELS.get(band.metric, band.metric) if label is None else label
    unit = UNITS.get(band.metric, "") if unit is None else unit
    suffix = f" {unit}" if unit else ""
    head = f"{label} " if label else ""
    return (f"{head}{short_number(band.value)}{suffix} "
            f"(band {short_number(band.low)}–{short_number(band.high)}{suffix})")
