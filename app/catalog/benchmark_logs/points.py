"""What a benchmark log becomes: measured points in the `enclave estimate` case format.

Each point is one configuration (the estimate-case columns, as text, exactly what
`enclave estimate --cases` reads), one metric and its measured value, and where in the log it
came from. A reading also lists the well-formed rows it could not use, with the reason (a
llama-bench run that left layers on the CPU, a ramped request rate), so nothing is dropped
silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.catalog.benchmark_logs.errors import NO_POINTS, clean, fact_required, fail
from app.catalog.benchmark_logs.site import ResolvedSite
from app.catalog.loader import Catalog
from app.engine.catalog_types import AcceleratorSpec, ModelSpec

METRICS = ("output_tokens_per_s", "ttft_ms", "tpot_ms", "e2e_latency_s", "ttft_p99_ms",
           "tpot_p99_ms")
"""Metrics a point can measure (the estimate output columns of the same name)."""
UNITS = {"output_tokens_per_s": "tokens/s", "ttft_ms": "ms", "tpot_ms": "ms",
         "e2e_latency_s": "s", "ttft_p99_ms": "ms", "tpot_p99_ms": "ms"}
CASE_COLUMNS = ("case_id", "model", "gpu", "gpu_count", "tp", "pp", "ep", "weights", "kv_cache",
                "engine", "mode", "load", "input_tokens", "output_tokens")
MAX_POINTS = 100_000


@dataclass(frozen=True)
class MeasuredPoint:
    """One measured figure of one configuration.

    case: estimate-case columns (text), `case_id` being `label`.
    metric: one of `METRICS`; value: in the metric's unit (`UNITS`), finite and > 0.
    label: where in the log, e.g. `record 2` or `row 3 (tg128)`.
    """

    case: dict[str, str]
    metric: str
    value: float
    label: str


@dataclass(frozen=True)
class LogReading:
    """A whole log read: its points, the rows left out (label, reason) and where it came from."""

    file_name: str
    format: str
    format_label: str
    sha256: str
    points: tuple[MeasuredPoint, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    measured_on: str = ""
    tool: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


def date_span(dates: set[str]) -> str:
    """`2025-05-01`, or `2025-05-01 to 2025-05-03` for several dates ('' for none)."""
    ordered = sorted(d for d in dates if d)
    if not ordered:
        return ""
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]} to {ordered[-1]}"


def finished_reading(file: str, fmt: str, label: str, sha256: str,
                     points: list[MeasuredPoint], skipped: list[tuple[str, str]],
                     dates: set[str], tool: str) -> LogReading:
    """The reading of a log whose rows gave `points` and left out `skipped` (where, why); a log
    no row of which gave a point is refused, naming the first row left out and why."""
    if not points:
        why = f": {skipped[0][0]}: {skipped[0][1]}" if skipped else ""
        fail(file, NO_POINTS.format(why=why))
    return LogReading(file_name=file, format=fmt, format_label=label, sha256=sha256,
                      points=tuple(points), skipped=tuple((w, clean(r)) for w, r in skipped),
                      measured_on=date_span(dates), tool=clean(tool))


def site_case(
    file: str,
    site: ResolvedSite,
    *,
    label: str,
    engine: str,
    weights: str,
    kv_cache: str | None,
    gpu_count: int,
    tp: int,
    pp: int,
    mode: str,
    load: str,
    input_tokens: int,
    output_tokens: int,
    model_hint: str = "",
    gpu_hint: str = "",
) -> dict[str, str]:
    """The estimate case of one log row; model and gpu must have been given."""
    model, gpu = _model_and_gpu(file, site, model_hint, gpu_hint)
    return {
        "case_id": label,
        "model": model.id,
        "gpu": gpu.id,
        "gpu_count": str(gpu_count),
        "tp": str(tp),
        "pp": str(pp),
        "ep": "1",
        "weights": weights,
        "kv_cache": kv_cache or "",
        "engine": engine,
        "mode": mode,
        "load": load,
        "input_tokens": str(input_tokens),
        "output_tokens": str(output_tokens),
    }


def layout(file: str, site: ResolvedSite) -> tuple[int, int, int]:
    """(gpu_count, tp, pp) of a serving engine run: 1 GPU unless given; tp fills the rest."""
    pp = site.pp or 1
    count = site.gpu_count or (site.tp or 1) * pp
    tp = site.tp or max(count // pp, 1)
    if count % (tp * pp):
        fact_required(file, "gpu_count",
                      f"gpu count {count} must be a multiple of tp x pp ({tp} x {pp})")
    return count, tp, pp


@dataclass(frozen=True)
class ReadContext:
    """What a reader checks a log against: the user's resolved facts and the catalog."""

    site: ResolvedSite
    catalog: Catalog
    engines: frozenset[str]
    aliases: Mapping[str, str]


def number(value: object) -> float | None:
    """A JSON number as float (None for anything else, booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def require_model_and_gpu(file: str, ctx: ReadContext, model_hint: str, gpu_hint: str) -> None:
    """Refuse, naming the fact, when the catalog model or accelerator was not given."""
    _model_and_gpu(file, ctx.site, model_hint, gpu_hint)


def _model_and_gpu(file: str, site: ResolvedSite, model_hint: str,
                   gpu_hint: str) -> tuple[ModelSpec, AcceleratorSpec]:
    """The given catalog model and accelerator; a missing one is refused, with what the log
    calls it (`model_hint`, `gpu_hint`) when it says."""
    if site.model is None:
        hint = f"; the log names '{model_hint[:80]}'" if model_hint else ""
        fact_required(file, "model", "a benchmark log does not name the catalog model" + hint)
    if site.gpu is None:
        hint = f"; the log names '{gpu_hint[:80]}'" if gpu_hint else ""
        fact_required(file, "gpu", "a benchmark log does not name the catalog accelerator" + hint)
    return site.model, site.gpu
