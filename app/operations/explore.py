"""The explorer: sweep a workload's whole option space under a site's requirements (Qt-free).

`sweep_space(request, catalog, table, progress, cancel)` evaluates every accelerator × GPU count
× parallel layout × weight format × KV-cache format × batch, for each engine asked for, in one
vectorised pass per engine (`app.engine.search.sweep`: a static batch per copy of the model).
It prices each configuration from the request's cost inputs (`app.engine.gpu_hour_cost`),
sizes the copies the peak demand needs (redundancy included), and judges every configuration
against the site's requirements: the rules run once per model, accelerator and accelerator ×
format pair (`app.engine.constraint_masks`) and their verdicts are gathered for every
configuration by index.

`select(space, filters)` then keeps the configurations the filters allow (fit, SLOs,
constraint status, vendor, engine, GPUs for the peak demand) and returns their Pareto front:
the configurations no other kept one beats on cost per 1M output tokens, TPOT and TTFT at once
(all minimised), cheapest first, with how many configurations each filter removed. A failing
rule excludes; a warning keeps the configuration but flags it. Selecting again with other
filters takes milliseconds: the sweep is not repeated.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.constraint_masks import FAIL_CODE, WARN_CODE, ConstraintTable, build_table
from app.engine.constraint_types import STATUSES, SiteRequirements
from app.engine.efficiency import EfficiencyTable
from app.engine.gpu_hour_cost import GpuHourPrices
from app.engine.performance import BOUND_NAMES
from app.engine.search import SweepGrid, pareto_front, sweep
from app.errors import UserError
from app.operations.estimate import write_atomic
from app.operations.explore_request import ExploreRequest, gpu_hour_prices
from app.operations.progress import CancelToken, ProgressCallback, no_progress
from app.storage.files import save_user_file

SERVING_KV = ("bf16", "fp8")
GGUF_ENGINE = "llama.cpp"
GGUF_KV = ("fp16", "q8_0")
MAX_COPIES = 1_000_000

ALLOWED, CLEAN, ANY = "allowed", "clean", "any"
CONSTRAINT_LEVELS = (ALLOWED, CLEAN, ANY)

Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class SweptSpace:
    """Every configuration swept, as flat arrays (one entry per configuration).

    Index arrays refer to `accelerators`, `formats` (weights and KV cache) and `engines`;
    `status` is the worst constraint status (0 pass, 1 warn, 2 fail) and `combo` the
    accelerator × weights × KV index whose per-rule verdicts are `rule_codes[:, combo]`.
    """

    request: ExploreRequest
    model: ModelSpec
    accelerators: tuple[AcceleratorSpec, ...]
    formats: tuple[QuantFormat, ...]
    engines: tuple[str, ...]
    prices: GpuHourPrices
    constraints: ConstraintTable
    rule_codes: NDArray[np.int8]
    engine: NDArray[np.int8]
    accelerator: NDArray[np.int16]
    weights: NDArray[np.int16]
    kv: NDArray[np.int16]
    gpu_count: NDArray[np.int16]
    tp: NDArray[np.int16]
    pp: NDArray[np.int16]
    batch: NDArray[np.int32]
    fits: Bools
    emulated: Bools
    price_estimated: Bools
    output_tokens_per_s: NDArray[np.float64]
    ttft_ms: NDArray[np.float64]
    tpot_ms: NDArray[np.float64]
    cost_per_million_tokens_usd: NDArray[np.float64]
    weights_gib: NDArray[np.float32]
    bound: NDArray[np.int8]
    fleet_gpus: NDArray[np.int64]
    status: NDArray[np.int8]
    combo: NDArray[np.int32]
    seconds: float

    @property
    def size(self) -> int:
        return int(self.fits.shape[0])

    @property
    def configs_per_s(self) -> float:
        return self.size / max(self.seconds, 1e-9)

    @property
    def rules(self) -> tuple[str, ...]:
        return self.constraints.rules

    def rule_failures(self, where: Bools | None = None) -> dict[str, int]:
        """Configurations (all, or those in `where`) failing each rule; rules with none left out."""
        combos = self.combo if where is None else self.combo[where]
        per_combo = np.bincount(combos, minlength=self.rule_codes.shape[1])
        failing = (self.rule_codes == FAIL_CODE).astype(np.int64) @ per_combo
        return {rule: int(n) for rule, n in zip(self.rules, failing, strict=True) if n}

    @property
    def constraint_failing(self) -> int:
        """Configurations some rule fails (excluded by the site's requirements)."""
        return int(np.count_nonzero(self.status == FAIL_CODE))

    def copies(self, i: int) -> int:
        return max(1, int(self.fleet_gpus[i]) // max(int(self.gpu_count[i]), 1))

    def row(self, i: int) -> dict[str, object]:
        """One configuration as plain values (CSV/JSON rows, the front table)."""
        accel = self.accelerators[int(self.accelerator[i])]
        return {
            "accelerator": accel.id,
            "accelerator_name": accel.name,
            "vendor": accel.vendor,
            "engine": self.engines[int(self.engine[i])],
            "gpu_count": int(self.gpu_count[i]),
            "tp": int(self.tp[i]),
            "pp": int(self.pp[i]),
            "weights": self.formats[int(self.weights[i])].id,
            "kv_cache": self.formats[int(self.kv[i])].id,
            "batch": int(self.batch[i]),
            "output_tokens_per_s": round(float(self.output_tokens_per_s[i]), 2),
            "ttft_ms": round(float(self.ttft_ms[i]), 2),
            "tpot_ms": round(float(self.tpot_ms[i]), 3),
            "cost_per_million_tokens_usd": round(float(self.cost_per_million_tokens_usd[i]), 4),
            "usd_per_gpu_hour": round(self.prices.usd_per_gpu_hour(accel)[0], 3),
            "price_estimated": bool(self.price_estimated[i]),
            "fleet_gpus": int(self.fleet_gpus[i]),
            "constraint_status": STATUSES[int(self.status[i])],
            "fits": bool(self.fits[i]),
            "emulated": bool(self.emulated[i]),
            "weights_gib": round(float(self.weights_gib[i]), 3),
            "bound": BOUND_NAMES[int(self.bound[i])],
        }


FRONT_COLUMNS = (
    "accelerator", "engine", "gpu_count", "tp", "pp", "weights", "kv_cache", "batch",
    "output_tokens_per_s", "ttft_ms", "tpot_ms", "cost_per_million_tokens_usd",
    "usd_per_gpu_hour", "price_estimated", "fleet_gpus", "constraint_status", "emulated",
    "weights_gib", "bound",
)


def engine_formats(catalog: Catalog, engine: str) -> tuple[list[QuantFormat], list[QuantFormat]]:
    """(weight formats, KV-cache formats) an engine runs, from the catalog's format entries."""
    weights = [q for q in catalog.quantizations.values() if engine in q.engines]
    if engine != GGUF_ENGINE:
        weights = [q for q in weights if q.scheme != "gguf"]
    kv_ids = GGUF_KV if engine == GGUF_ENGINE else SERVING_KV
    kv = [catalog.quantizations[k] for k in kv_ids if k in catalog.quantizations]
    return weights, kv


def grid_size(request: ExploreRequest, catalog: Catalog) -> int:
    """Configurations `sweep_space` evaluates for `request`."""
    total = 0
    for engine in request.engines:
        weights, kv = engine_formats(catalog, engine)
        grid = SweepGrid(list(catalog.accelerators.values()), weights, kv,
                         request.gpu_counts, request.batches, engine)
        total += grid.size
    return total


def sweep_space(request: ExploreRequest, catalog: Catalog, table: EfficiencyTable,
                progress: ProgressCallback = no_progress,
                cancel: CancelToken | None = None) -> SweptSpace:
    """Evaluate the request's whole option space (see the module docstring)."""
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    try:
        model = catalog.model(request.model_id)
    except KeyError:
        raise UserError(f"model '{request.model_id}' is not in the catalog") from None
    if model.kind != "llm":
        raise UserError(f"model '{model.id}' is a {model.kind} model; the explorer sweeps "
                        "language models")
    for engine in request.engines:
        if engine not in table.engines:
            raise UserError(f"engine '{engine}' has no efficiency profile "
                            f"({', '.join(sorted(table.engines))})")
    accels = tuple(catalog.accelerators.values())
    if not accels:
        raise UserError("the catalog has no accelerators to sweep")
    prices = gpu_hour_prices(request, catalog)
    per_engine = [engine_formats(catalog, e) for e in request.engines]
    formats = _union([f for w, kv in per_engine for f in (*w, *kv)])
    position = {f.id: k for k, f in enumerate(formats)}
    constraints, rule_codes = _judge(request.requirements, model, accels, formats)
    worst = rule_codes.max(axis=0)
    n_f = len(formats)

    parts: list[dict[str, np.ndarray]] = []
    for e, (engine, (weights, kv)) in enumerate(zip(request.engines, per_engine, strict=True)):
        cancel.raise_if_cancelled()
        grid = SweepGrid(list(accels), weights, kv, request.gpu_counts, request.batches, engine)
        progress(e / len(request.engines), f"{engine}: {grid.size:,} configurations")
        if not weights or not kv:
            continue
        r = sweep(model, grid, table, request.input_tokens, request.output_tokens, prices)
        w_map = np.array([position[f.id] for f in weights], dtype=np.int16)
        kv_map = np.array([position[f.id] for f in kv], dtype=np.int16)
        weights_idx = w_map[r.weights]
        kv_idx = kv_map[r.kv]
        combo = ((r.accelerator.astype(np.int32) * n_f + weights_idx) * n_f + kv_idx)
        parts.append({
            "engine": np.full(r.size, e, dtype=np.int8),
            "accelerator": r.accelerator.astype(np.int16),
            "weights": weights_idx,
            "kv": kv_idx,
            "gpu_count": r.gpu_count.astype(np.int16),
            "tp": r.tp.astype(np.int16),
            "pp": r.pp.astype(np.int16),
            "batch": r.batch.astype(np.int32),
            "fits": np.ascontiguousarray(r.fits),
            "emulated": np.ascontiguousarray(r.emulated),
            "price_estimated": np.ascontiguousarray(r.price_estimated),
            "output_tokens_per_s": np.ascontiguousarray(r.output_tokens_per_s, dtype=np.float64),
            "ttft_ms": np.nan_to_num(r.ttft_ms, nan=0.0) if request.input_tokens == 0
            else np.ascontiguousarray(r.ttft_ms, dtype=np.float64),
            "tpot_ms": np.ascontiguousarray(r.tpot_ms, dtype=np.float64),
            "cost_per_million_tokens_usd": np.ascontiguousarray(r.cost_per_million_tokens_usd,
                                                                dtype=np.float64),
            "weights_gib": r.weights_gib.astype(np.float32),
            "bound": r.bound.astype(np.int8),
            "combo": combo.astype(np.int32),
        })
    cancel.raise_if_cancelled()
    columns = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]} if parts else {}
    if not columns:
        raise UserError("no engine asked for has formats to sweep")
    columns["fleet_gpus"] = _fleet_gpus(request, columns["output_tokens_per_s"],
                                        columns["gpu_count"])
    columns["status"] = worst[columns["combo"]]
    progress(1.0, "done")
    return SweptSpace(request=request, model=model, accelerators=accels, formats=formats,
                      engines=request.engines, prices=prices, constraints=constraints,
                      rule_codes=rule_codes, seconds=time.perf_counter() - start,
                      **columns)


def _judge(site: SiteRequirements, model: ModelSpec, accels: tuple[AcceleratorSpec, ...],
           formats: tuple[QuantFormat, ...]) -> tuple[ConstraintTable, NDArray[np.int8]]:
    """The rules' table and their codes for every accelerator × weights × KV combination."""
    table = build_table(site, shipped_regions(), [model], accels, formats)
    n_f = len(formats)
    a, w, k = np.meshgrid(np.arange(len(accels)), np.arange(n_f), np.arange(n_f), indexing="ij")
    return table, table.masks(a.ravel(), w.ravel(), k.ravel()).status


def rejudge(space: SweptSpace, site: SiteRequirements) -> SweptSpace:
    """The same swept configurations judged against other requirements (no new sweep)."""
    table, rule_codes = _judge(site, space.model, space.accelerators, space.formats)
    request = dataclasses.replace(space.request, requirements=site)
    return dataclasses.replace(space, request=request, constraints=table, rule_codes=rule_codes,
                               status=rule_codes.max(axis=0)[space.combo])


def _union(formats: list[QuantFormat]) -> tuple[QuantFormat, ...]:
    seen: dict[str, QuantFormat] = {}
    for f in formats:
        seen.setdefault(f.id, f)
    return tuple(seen.values())


def _fleet_gpus(request: ExploreRequest, tokens_per_s: np.ndarray,
                gpu_count: np.ndarray) -> NDArray[np.int64]:
    """GPUs to serve the peak demand: copies = ceil(ceil(peak / tokens/s) × (1 + headroom))
    + spare copies (as `evaluate` sizes replicas); one copy when there is no demand."""
    peak = request.peak_output_tokens_per_s
    count = gpu_count.astype(np.int64)
    if peak <= 0:
        return count
    with np.errstate(all="ignore"):
        serving = np.ceil(peak / tokens_per_s - 1e-9)
        copies = np.ceil(np.maximum(serving, 1.0) * (1.0 + request.headroom_fraction) - 1e-9)
    copies = np.where(np.isfinite(copies), copies, MAX_COPIES)
    copies = np.clip(copies, 1, MAX_COPIES).astype(np.int64) + request.spare_replicas
    result: NDArray[np.int64] = copies * count
    return result


@dataclass(frozen=True)
class ExploreFilters:
    """Which configurations may be on the front.

    constraints: `allowed` (no rule fails; warnings kept and flagged), `clean` (every rule
    passes) or `any` (failing ones too, flagged). vendors / engines: empty = all.
    max_gpus: GPUs for the peak demand (one copy when there is none); None = no limit.
    priced_only: drop configurations whose GPU-hour price is estimated (no purchase price).
    targets: (TTFT, TPOT) targets in ms, either None for no target; None = the request's.
    """

    require_fit: bool = True
    require_slo: bool = True
    constraints: str = ALLOWED
    vendors: tuple[str, ...] = ()
    engines: tuple[str, ...] = ()
    max_gpus: int | None = None
    priced_only: bool = False
    targets: tuple[float | None, float | None] | None = None

    def __post_init__(self) -> None:
        if self.constraints not in CONSTRAINT_LEVELS:
            raise UserError(f"constraints filter: must be one of {', '.join(CONSTRAINT_LEVELS)}")
        if self.max_gpus is not None and self.max_gpus < 1:
            raise UserError("max GPUs: must be at least 1")
        for name, value in zip(("TTFT", "TPOT"), self.targets or (None, None), strict=True):
            if value is not None and not value > 0:
                raise UserError(f"{name} target: must be above 0 ms")

    def targets_for(self, request: ExploreRequest) -> tuple[float | None, float | None]:
        """The (TTFT, TPOT) targets in force: these filters' own, else the request's."""
        if self.targets is not None:
            return self.targets
        return request.ttft_target_ms, request.tpot_target_ms


# Filter stages in the order they are applied, with what a removed configuration failed.
STAGE_TEXT = {
    "fit": "do not fit in memory (weights, overheads and the batch's KV cache in one wave)",
    "slo": "miss the latency targets",
    "vendor": "are from a vendor not selected",
    "engine": "use an engine not selected",
    "gpus": "need more than the limit of GPUs for the peak demand",
    "priced": "have no sourced GPU price (their GPU-hour rate is estimated)",
    "constraints": "are excluded by the site's requirements",
}


def stage_text(stage: str, filters: ExploreFilters) -> str:
    """What the configurations a filter stage removed failed, with the filter's limit."""
    text = STAGE_TEXT[stage]
    if stage == "gpus" and filters.max_gpus is not None:
        text = text.replace("the limit of GPUs", f"{filters.max_gpus:,} GPUs")
    return text


@dataclass(frozen=True)
class Selection:
    """What the filters kept and the Pareto front of it (indices into the space, cheapest
    first). `removed` lists, stage by stage, how many configurations each filter removed."""

    filters: ExploreFilters
    targets: tuple[float | None, float | None]
    kept: Bools
    front: Ints
    removed: tuple[tuple[str, int], ...]
    rule_failures: dict[str, int]
    dominated: int
    seconds: float

    @property
    def kept_count(self) -> int:
        return int(np.count_nonzero(self.kept))


def slo_mask(space: SweptSpace, targets: tuple[float | None, float | None]) -> Bools:
    """Configurations meeting the (TTFT, TPOT) targets in ms (no target: met)."""
    ttft, tpot = targets
    ok = np.ones(space.size, dtype=bool)
    if ttft is not None:
        ok &= space.ttft_ms <= ttft
    if tpot is not None:
        ok &= space.tpot_ms <= tpot
    return ok


def select(space: SweptSpace, filters: ExploreFilters | None = None) -> Selection:
    """Apply `filters` and take the Pareto front of what is left (see the module docstring)."""
    filters = filters or ExploreFilters()
    start = time.perf_counter()
    keep = np.ones(space.size, dtype=bool)
    removed: list[tuple[str, int]] = []

    def stage(name: str, mask: Bools | None) -> None:
        nonlocal keep
        if mask is None:
            return
        before = int(np.count_nonzero(keep))
        keep &= mask
        removed.append((name, before - int(np.count_nonzero(keep))))

    stage("fit", space.fits if filters.require_fit else None)
    targets = filters.targets_for(space.request)
    has_targets = any(t is not None for t in targets)
    stage("slo", slo_mask(space, targets) if filters.require_slo and has_targets else None)
    if filters.vendors:
        wanted = {v.casefold() for v in filters.vendors}
        by_accel = np.array([a.vendor.casefold() in wanted for a in space.accelerators])
        stage("vendor", by_accel[space.accelerator])
    if filters.engines:
        by_engine = np.array([e in filters.engines for e in space.engines])
        stage("engine", by_engine[space.engine])
    if filters.max_gpus is not None:
        stage("gpus", space.fleet_gpus <= filters.max_gpus)
    if filters.priced_only:
        stage("priced", ~space.price_estimated)
    # Which rules the configurations reaching the constraint filter fail (for "excluded by").
    rule_failures = space.rule_failures(keep) if filters.constraints != ANY else {}
    if filters.constraints == ALLOWED:
        stage("constraints", space.status < FAIL_CODE)
    elif filters.constraints == CLEAN:
        stage("constraints", space.status < WARN_CODE)
    kept = np.flatnonzero(keep)
    # A layout with copies side by side (GPUs > tp × pp) ties its single copy on cost, TPOT
    # and TTFT and needs at least as many GPUs for the demand: only single copies compete.
    candidates = kept[space.gpu_count[kept] == space.tp[kept] * space.pp[kept]]
    objectives = np.column_stack([space.cost_per_million_tokens_usd[candidates],
                                  space.tpot_ms[candidates], space.ttft_ms[candidates]])
    front = candidates[pareto_front(objectives)]
    order = np.lexsort((space.ttft_ms[front], space.tpot_ms[front],
                        space.cost_per_million_tokens_usd[front]))
    front = front[order]
    return Selection(filters=filters, targets=targets, kept=keep, front=front.astype(np.int64),
                     removed=tuple(removed), rule_failures=rule_failures, dominated=int(kept.size - front.size),
                     seconds=time.perf_counter() - start)


def front_rows(space: SweptSpace, selection: Selection) -> list[dict[str, object]]:
    """The front as plain rows (cheapest first), `FRONT_COLUMNS` and a few more."""
    return [space.row(int(i)) for i in selection.front]


def write_front(path: Path, rows: list[dict[str, object]]) -> None:
    """CSV (`FRONT_COLUMNS`), or JSON when the name ends in .json; written atomically."""
    if path.suffix.lower() == ".json":
        save_user_file(path, json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        return
    write_atomic(path, FRONT_COLUMNS, [{k: str(v) for k, v in row.items()} for row in rows])
