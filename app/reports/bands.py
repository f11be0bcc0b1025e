"""Calibration bands next to predicted TTFT, TPOT and throughput: `1,731 ms (1,456–3,197)`.

The band is the P10–P90 of measured / predicted on calibration data
(`app.operations.error_bands`), as the evaluation recorded it in `basis["error_bands"]` (the
site's own band where the workspace was site-calibrated); a result without it falls back to the
shipped factors' bands. The same multipliers apply to every generative workload of the
scenario (one engine on one hardware class).
"""

from __future__ import annotations

from app.operations.evaluate import EvaluationResult
from app.reports import fmt
from app.reports.method import efficiency

METRICS = ("ttft_ms", "tpot_ms", "output_tokens_per_s")


def band_ratios(result: EvaluationResult, metric: str) -> tuple[float, float] | None:
    """(P10, P90) multipliers of `metric` for this result, or None when there is no band."""
    recorded = (result.basis.get("error_bands") or {}).get(metric)
    if isinstance(recorded, dict) and "ratio_p10" in recorded and "ratio_p90" in recorded:
        return float(recorded["ratio_p10"]), float(recorded["ratio_p90"])
    table, _ = efficiency()
    shipped = table.bands.get(metric)
    return None if shipped is None else (float(shipped[0]), float(shipped[1]))


def ms_band(result: EvaluationResult, value: float | None, metric: str) -> str:
    """`1,731 ms (1,456–3,197)`; `n/a` without a value."""
    return fmt.band(value, band_ratios(result, metric), fmt.ms, fmt.ms_bare)


def tokens_band(result: EvaluationResult, value: float | None) -> str:
    """`2,064 (1,641–2,461)` output tokens/s."""
    return fmt.band(value, band_ratios(result, "output_tokens_per_s"), fmt.num, fmt.num_bare)


def band_only(result: EvaluationResult, value: float | None, metric: str) -> str:
    """`1,456–3,197 ms` (or `` when there is no band or no value)."""
    ratios = band_ratios(result, metric)
    if ratios is None or value is None:
        return ""
    bare = fmt.num_bare if metric == "output_tokens_per_s" else fmt.ms_bare
    unit = " tokens/s" if metric == "output_tokens_per_s" else " ms"
    return f"{bare(value * ratios[0])}–{bare(value * ratios[1])}{unit}"
