"""The headline KPIs of one or more evaluations as one table (for CSV/XLSX exports from the
dashboard and the report screen): one row per KPI, one column per scenario, raw values."""

from __future__ import annotations

from collections.abc import Sequence

from app.operations.evaluate import EvaluationResult, Kpis
from app.reports import tables as t
from app.reports.bands import METRICS, band_ratios
from app.reports.model import Cell, Table

KPI_UNITS = {
    "gpus": "GPUs", "servers": "servers", "ttft_ms": "ms", "tpot_ms": "ms",
    "output_tokens_per_s": "tokens/s", "power_kw": "kW", "break_even_month_vs_api": "month",
    "break_even_month_vs_rental": "month", "utilisation_mean": "fraction",
    "utilisation_peak": "fraction", "gpus_final": "GPUs", "tokens": "tokens",
    "cost_per_gpu_hour_usd": "USD/GPU-hour",
}


def _unit(name: str) -> str:
    if name in KPI_UNITS:
        return KPI_UNITS[name]
    if name.endswith("_usd_per_month"):
        return "USD/month"
    return "USD" if name.endswith("_usd") else ""


def kpi_table(results: Sequence[EvaluationResult]) -> Table:
    """`kpi`, `unit`, then one column per scenario; a KPI that does not apply is empty."""
    columns = [t.left("kpi"), t.left("unit")] + [t.right(r.scenario.name) for r in results]
    rows = []
    for name in Kpis.__dataclass_fields__:
        cells = [t.text(name), t.text(_unit(name))]
        for r in results:
            value = getattr(r.kpis, name)
            cells.append(Cell("" if value is None else str(value),
                              "" if value is None else value))
        rows.append(cells)
    for name in ("tco_usd_p10", "tco_usd_p50", "tco_usd_p90", "p_onprem_cheaper_than_api"):
        cells = [t.text(name), t.text("fraction" if name.startswith("p_") else "USD")]
        for r in results:
            mc = r.uncertainty
            band: float | None = None
            if mc is not None and mc.inputs:
                p = mc.percentiles["tco_usd"]
                band = {"tco_usd_p10": p.p10, "tco_usd_p50": p.p50, "tco_usd_p90": p.p90,
                         "p_onprem_cheaper_than_api": mc.p_onprem_cheaper_than_api}[name]
            cells.append(Cell("" if band is None else str(band), "" if band is None else band))
        rows.append(cells)
    for metric in METRICS:  # calibration bands (P10–P90 of measured / predicted)
        for end, index in (("low", 0), ("high", 1)):
            cells = [t.text(f"{metric}_band_{end}"), t.text(_unit(metric))]
            for r in results:
                value = getattr(r.kpis, metric)
                ratios = band_ratios(r, metric)
                banded = None if value is None or ratios is None else value * ratios[index]
                cells.append(Cell("" if banded is None else str(banded),
                                  "" if banded is None else banded))
            rows.append(cells)
    return t.table("kpis", "Headline KPIs", columns, rows)
