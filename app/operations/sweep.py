"""Sweep every accelerator x count x format x KV precision x layout x batch for one model (Qt-free).

Builds the grid from the catalog, evaluates it in one vectorised pass (`app.engine.search`),
keeps the configurations that fit, and returns their Pareto front (cost per 1M output tokens,
TPOT, TTFT) as rows ready for CSV or JSON.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.catalog_types import QuantFormat
from app.engine.efficiency import EfficiencyTable
from app.engine.performance import BOUND_NAMES
from app.engine.search import CostModel, SweepGrid, SweepResult, pareto_front, sweep
from app.errors import UserError
from app.operations.estimate import write_atomic
from app.storage.files import save_user_file

SERVING_FORMATS = ("bf16", "fp8", "int8", "int4-awq", "nvfp4")
GGUF_FORMATS = ("q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m")
KV_FORMATS = ("bf16", "fp8")
GGUF_KV_FORMATS = ("fp16", "q8_0")
FRONT_COLUMNS = (
    "accelerator",
    "gpu_count",
    "tp",
    "pp",
    "weights",
    "kv_cache",
    "batch",
    "output_tokens_per_s",
    "ttft_ms",
    "tpot_ms",
    "cost_per_million_tokens_usd",
    "usd_per_gpu_hour",
    "price_estimated",
    "emulated",
    "weights_gib",
    "bound",
)


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep evaluated and what it kept."""

    evaluated: int
    seconds: float
    fitting: int
    front: list[dict[str, object]]

    @property
    def configs_per_s(self) -> float:
        return self.evaluated / max(self.seconds, 1e-9)


def _formats(catalog: Catalog, ids: tuple[str, ...]) -> list[QuantFormat]:
    return [catalog.quantizations[i] for i in ids if i in catalog.quantizations]


def build_grid(catalog: Catalog, engine: str, table: EfficiencyTable) -> SweepGrid:
    """Every accelerator in the catalog with the formats the engine runs."""
    if engine not in table.engines:
        raise UserError(f"--engine '{engine}' must be one of {', '.join(sorted(table.engines))}")
    gguf = engine == "llama.cpp"
    return SweepGrid(
        accelerators=list(catalog.accelerators.values()),
        weights=_formats(catalog, GGUF_FORMATS if gguf else SERVING_FORMATS),
        kv_formats=_formats(catalog, GGUF_KV_FORMATS if gguf else KV_FORMATS),
        engine=engine,
    )


def run_sweep(
    model_id: str,
    input_tokens: int,
    output_tokens: int,
    engine: str = "vllm",
    catalog: Catalog | None = None,
    table: EfficiencyTable | None = None,
    cost: CostModel | None = None,
) -> SweepSummary:
    """Sweep the grid for `model_id` and return the Pareto front of what fits."""
    catalog = catalog or Catalog.shipped()
    if table is None:
        table, _ = load_efficiency()
    try:
        model = catalog.model(model_id)
    except KeyError:
        raise UserError(f"--model '{model_id}' is not in the catalog") from None
    if input_tokens < 0 or output_tokens < 1:
        raise UserError("--input-tokens must be at least 0 and --output-tokens at least 1")
    grid = build_grid(catalog, engine, table)
    start = time.perf_counter()
    result = sweep(model, grid, table, input_tokens, output_tokens, cost)
    seconds = time.perf_counter() - start
    fit = np.flatnonzero(result.fits)
    objectives = np.column_stack(
        [result.cost_per_million_tokens_usd[fit], result.tpot_ms[fit], result.ttft_ms[fit]]
    )
    front = fit[pareto_front(objectives)]
    front = front[np.argsort(result.cost_per_million_tokens_usd[front])]
    rows = [_row(result, grid, i) for i in front]
    return SweepSummary(evaluated=result.size, seconds=seconds, fitting=int(fit.size), front=rows)


def _row(r: SweepResult, grid: SweepGrid, i: int) -> dict[str, object]:
    return {
        "accelerator": grid.accelerators[int(r.accelerator[i])].id,
        "gpu_count": int(r.gpu_count[i]),
        "tp": int(r.tp[i]),
        "pp": int(r.pp[i]),
        "weights": grid.weights[int(r.weights[i])].id,
        "kv_cache": grid.kv_formats[int(r.kv[i])].id,
        "batch": int(r.batch[i]),
        "output_tokens_per_s": round(float(r.output_tokens_per_s[i]), 2),
        "ttft_ms": round(float(r.ttft_ms[i]), 2),
        "tpot_ms": round(float(r.tpot_ms[i]), 3),
        "cost_per_million_tokens_usd": round(float(r.cost_per_million_tokens_usd[i]), 4),
        "usd_per_gpu_hour": round(float(r.usd_per_gpu_hour[i]), 3),
        "price_estimated": bool(r.price_estimated[i]),
        "emulated": bool(r.emulated[i]),
        "weights_gib": round(float(r.weights_gib[i]), 3),
        "bound": BOUND_NAMES[int(r.bound[i])],
    }


def write_front(path: Path, rows: list[dict[str, object]]) -> None:
    """CSV, or JSON when the name ends in .json; written atomically."""
    if path.suffix.lower() == ".json":
        save_user_file(path, json.dumps(rows, indent=1) + "\n")
        return
    text_rows = [{k: str(v) for k, v in row.items()} for row in rows]
    write_atomic(path, FRONT_COLUMNS, text_rows)
