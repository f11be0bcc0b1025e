"""Two to four scenarios side by side: one row per KPI, the best and worst marked by the KPI's
direction (lower cost is better, higher throughput is better), and each value's difference
from the first scenario (the reference). Qt-free, so the report prints the same table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.operations.evaluate import EvaluationResult
from app.reports.bands import METRICS, band_ratios
from app.reports.formatting import compact, milliseconds, month, number, percent, usd_short

LOWER, HIGHER, NEITHER = "lower", "higher", "neither"
NEVER = math.inf  # a break-even that never happens sorts after every month


@dataclass(frozen=True)
class CompareRow:
    """One KPI across the scenarios. `best`/`worst` mark columns (only when values differ);
    `deltas` are the differences from the first scenario ('' for the first itself)."""

    key: str
    label: str
    direction: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]
    best: tuple[bool, ...]
    worst: tuple[bool, ...]
    deltas: tuple[str, ...]


@dataclass(frozen=True)
class CompareTable:
    names: tuple[str, ...]
    rows: tuple[CompareRow, ...]
    notes: tuple[str, ...]  # a scenario that could not be evaluated, and why


def _p(result: EvaluationResult, which: str) -> float | None:
    mc = result.uncertainty
    if mc is None or "tco_usd" not in mc.percentiles or not mc.inputs:
        return None
    return getattr(mc.percentiles["tco_usd"], which)  # type: ignore[no-any-return]


def _fails(result: EvaluationResult, status: str) -> float:
    return float(sum(1 for c in result.constraints if c.status == status))


def _never(value: int | None, compared: bool) -> float | None:
    if not compared:
        return None
    return NEVER if value is None else float(value)


Getter = Callable[[EvaluationResult], float | None]
KPIS: tuple[tuple[str, str, str, Getter, Callable[[float | None], str]], ...] = (
    ("fits", "Fits in memory", HIGHER, lambda r: 1.0 if r.kpis.fits else 0.0,
     lambda v: "yes" if v else "no"),
    ("meets_slo", "Meets the latency targets", HIGHER,
     lambda r: 1.0 if r.kpis.meets_slo else 0.0, lambda v: "yes" if v else "no"),
    ("gpus", "GPUs at the start", LOWER, lambda r: float(r.kpis.gpus), number),
    ("gpus_final", "GPUs at the end", LOWER,
     lambda r: None if r.kpis.gpus_final is None else float(r.kpis.gpus_final), number),
    ("servers", "Servers", LOWER, lambda r: float(r.kpis.servers), number),
    ("power_kw", "Power, nameplate (kW)", LOWER, lambda r: r.kpis.power_kw,
     lambda v: number(v, 1)),
    ("ttft_ms", "TTFT at the SLO percentile", LOWER, lambda r: r.kpis.ttft_ms, milliseconds),
    ("tpot_ms", "TPOT at the SLO percentile", LOWER, lambda r: r.kpis.tpot_ms, milliseconds),
    ("output_tokens_per_s", "Throughput (tokens/s)", HIGHER,
     lambda r: r.kpis.output_tokens_per_s, compact),
    ("capex_usd", "CapEx", LOWER, lambda r: r.kpis.capex_usd, usd_short),
    ("opex_usd_per_month", "OpEx per month", LOWER, lambda r: r.kpis.opex_usd_per_month,
     usd_short),
    ("tco_usd", "TCO (on-premise)", LOWER, lambda r: r.kpis.tco_usd, usd_short),
    ("tco_usd_p10", "TCO P10", LOWER, lambda r: _p(r, "p10"), usd_short),
    ("tco_usd_p90", "TCO P90", LOWER, lambda r: _p(r, "p90"), usd_short),
    ("cost_per_million_tokens_usd", "Cost per 1M tokens", LOWER,
     lambda r: r.kpis.cost_per_million_tokens_usd,
     lambda v: "—" if v is None else f"${v:,.2f}"),
    ("api_tco_usd", "Cloud API over the horizon", NEITHER, lambda r: r.kpis.api_tco_usd,
     usd_short),
    ("break_even_month_vs_api", "Break-even vs API", LOWER,
     lambda r: _never(r.kpis.break_even_month_vs_api, r.kpis.api_tco_usd is not None),
     lambda v: "—" if v is None else month(None if v == NEVER else int(v))),
    ("break_even_month_vs_rental", "Break-even vs rental", LOWER,
     lambda r: _never(r.kpis.break_even_month_vs_rental, r.kpis.rental_tco_usd is not None),
     lambda v: "—" if v is None else month(None if v == NEVER else int(v))),
    ("p_onprem_cheaper", "P(on-prem cheaper than API)", HIGHER,
     lambda r: r.uncertainty.p_onprem_cheaper_than_api if r.uncertainty else None, percent),
    ("npv_usd", "NPV vs API", HIGHER, lambda r: r.kpis.npv_usd, usd_short),
    ("constraint_fails", "Constraint checks failed", LOWER, lambda r: _fails(r, "fail"),
     number),
    ("constraint_warns", "Constraint checks to review", LOWER, lambda r: _fails(r, "warn"),
     number),
)


def _delta(value: float | None, reference: float | None, text: Callable[[float | None], str],
           key: str) -> str:
    if value is None or reference is None or value == reference:
        return ""
    if math.isinf(value) or math.isinf(reference):
        return ""
    if key in ("fits", "meets_slo"):
        return ""
    diff = value - reference
    if reference and key not in ("constraint_fails", "constraint_warns", "gpus", "servers",
                                 "gpus_final", "break_even_month_vs_api",
                                 "break_even_month_vs_rental", "p_onprem_cheaper"):
        return f"{diff / abs(reference):+.0%}"
    if key == "p_onprem_cheaper":
        return f"{100 * diff:+.0f} pts"
    return f"{diff:+,.0f}"


BAND_LABELS = {"ttft_ms": "TTFT calibration band", "tpot_ms": "TPOT calibration band",
               "output_tokens_per_s": "Throughput calibration band"}


def _band(result: EvaluationResult | None, key: str, value: float | None,
          show: Callable[[float | None], str]) -> str:
    """`1,456–3,197 ms`: a predicted TTFT, TPOT or throughput times its calibration band
    (P10–P90 of measured / predicted, `app.reports.bands`); `—` without one."""
    if result is None or value is None:
        return "—"
    ratios = band_ratios(result, key)
    if ratios is None:
        return "—"
    low, high = (show(value * r) for r in ratios)
    for unit in (" ms", " s"):  # the unit once, unless the two ends differ
        if low.endswith(unit) and high.endswith(unit):
            low = low.removesuffix(unit)
            break
    return f"{low}–{high}"


def compare_table(names: Sequence[str], results: Sequence[EvaluationResult | None],
                  problems: Sequence[str] = ()) -> CompareTable:
    """The table for `results` (None: the scenario could not be evaluated, see `problems`)."""
    rows = []
    for key, label, direction, get, show in KPIS:
        values = tuple(get(r) if r is not None and (r.kpis.fits or key in (
            "fits", "meets_slo", "gpus", "servers", "constraint_fails", "constraint_warns"))
            else None for r in results)
        known = [v for v in values if v is not None]
        best = worst = tuple(False for _ in values)
        if direction != NEITHER and len(known) >= 2 and min(known) != max(known):
            good = min(known) if direction == LOWER else max(known)
            bad = max(known) if direction == LOWER else min(known)
            best = tuple(v == good for v in values)
            worst = tuple(v == bad for v in values)
        reference = values[0] if values else None
        deltas = tuple("" if i == 0 else _delta(v, reference, show, key)
                       for i, v in enumerate(values))
        rows.append(CompareRow(key, label, direction, values,
                               tuple("—" if v is None else show(v) for v in values),
                               best, worst, deltas))
        if key in METRICS:  # the prediction's calibration band, on a row of its own
            none = tuple(False for _ in values)
            rows.append(CompareRow(
                f"{key}_band", BAND_LABELS[key], NEITHER, tuple(None for _ in values),
                tuple(_band(r, key, v, show) for v, r in zip(values, results, strict=True)),
                none, none, tuple("" for _ in values)))
    notes = tuple(f"{name}: {problem}" for name, problem in zip(names, problems, strict=False)
                  if problem)
    return CompareTable(tuple(names), tuple(rows), notes)
