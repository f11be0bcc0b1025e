"""Sweep accelerators x count x format x KV precision x parallel layout x batch, keep the Pareto front.

`sweep` evaluates the whole grid in one vectorised pass: every `ConfigArrays` field is an array
with one axis per sweep dimension (accelerator, layout, weights, KV, batch), so numpy broadcasts
the formulas over the grid without a Python loop per configuration. Each configuration is a
static batch of `batch` sequences per replica (see `serving.static_batch`); it *fits* when its
weights, overheads and the batch's KV cache fit the memory budget in one wave.

Cost per 1M output tokens = GPUs x $/GPU-hour / (output tokens/s x 3600) x 1e6, where the
$/GPU-hour is `CostModel.usd_per_gpu_hour`: the accelerator price amortised over
`amortisation_years` plus its power (TDP x PUE x tariff) unless the caller passes its own
(the cost engine does; the explorer passes `gpu_hour_cost.GpuHourPrices`, built from a
scenario's cost inputs). Without a price the fallback rate is used and flagged.

`pareto_front` returns the configurations no other one beats on every objective (all
minimised): cost per 1M tokens, TPOT, TTFT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.configs import Array, BoolArray, ColumnTables, IntArray, gather_configs
from app.engine.efficiency import EfficiencyTable
from app.engine.memory import max_sequences
from app.engine.serving import static_batch

HOURS_PER_YEAR = 8760.0


class GpuHourPricing(Protocol):
    """Anything that prices one GPU-hour of an accelerator: (USD, estimated?)."""

    def usd_per_gpu_hour(self, accel: AcceleratorSpec) -> tuple[float, bool]: ...


@dataclass(frozen=True)
class CostModel:
    """Simple amortised cost of one GPU-hour (used when no cost engine is plugged in)."""

    amortisation_years: float = 3.0
    server_overhead: float = 0.5  # server, network, storage as a share of the GPU price
    usd_per_kwh: float = 0.15
    pue: float = 1.4
    fallback_usd_per_gpu_hour: float = 2.5

    def usd_per_gpu_hour(self, accel: AcceleratorSpec) -> tuple[float, bool]:
        """($ per GPU-hour, estimated?) for one accelerator."""
        energy = (accel.tdp_w or 0.0) / 1000.0 * self.pue * self.usd_per_kwh
        if not accel.price_usd:
            return self.fallback_usd_per_gpu_hour, True
        capex = accel.price_usd * (1.0 + self.server_overhead)
        return capex / (self.amortisation_years * HOURS_PER_YEAR) + energy, False


@dataclass(frozen=True)
class SweepGrid:
    """The axes of a sweep."""

    accelerators: Sequence[AcceleratorSpec]
    weights: Sequence[QuantFormat]
    kv_formats: Sequence[QuantFormat]
    gpu_counts: Sequence[int] = (1, 2, 4, 8)
    batches: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
    engine: str = "vllm"

    def layouts(self) -> list[tuple[int, int, int]]:
        """(gpu_count, tp, pp) with tp x pp dividing gpu_count (the rest are replicas)."""
        out = []
        for count in self.gpu_counts:
            for tp in range(1, count + 1):
                for pp in range(1, count // tp + 1):
                    if count % (tp * pp) == 0 and _power_of_two(tp) and _power_of_two(pp):
                        out.append((count, tp, pp))
        return out

    @property
    def size(self) -> int:
        """Configurations in the grid."""
        return (
            len(self.accelerators)
            * len(self.layouts())
            * len(self.weights)
            * len(self.kv_formats)
            * len(self.batches)
        )


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


@dataclass(frozen=True)
class SweepResult:
    """Flat arrays over the grid (C order of accelerator, layout, weights, KV, batch)."""

    accelerator: IntArray
    layout: IntArray
    weights: IntArray
    kv: IntArray
    batch: Array
    gpu_count: Array
    tp: Array
    pp: Array
    fits: BoolArray
    emulated: BoolArray
    output_tokens_per_s: Array
    ttft_ms: Array
    tpot_ms: Array
    cost_per_million_tokens_usd: Array
    usd_per_gpu_hour: Array
    price_estimated: BoolArray
    weights_gib: Array
    bound: IntArray

    @property
    def size(self) -> int:
        return int(self.fits.shape[0])


def sweep(
    model: ModelSpec,
    grid: SweepGrid,
    table: EfficiencyTable,
    input_tokens: float,
    output_tokens: float,
    cost: GpuHourPricing | None = None,
) -> SweepResult:
    """Evaluate every configuration of `grid` for `model` (see module docstring)."""
    cost = cost or CostModel()
    tables = ColumnTables.build(
        [model], grid.accelerators, grid.weights, grid.kv_formats, [grid.engine], table
    )
    layouts = np.array(grid.layouts(), dtype=np.float64)
    n_acc, n_lay, n_w = len(grid.accelerators), len(layouts), len(grid.weights)
    n_kv, n_b = len(grid.kv_formats), len(grid.batches)
    acc = np.arange(n_acc).reshape(n_acc, 1, 1, 1, 1)
    lay = np.arange(n_lay).reshape(1, n_lay, 1, 1, 1)
    wts = np.arange(n_w).reshape(1, 1, n_w, 1, 1)
    kvs = np.arange(n_kv).reshape(1, 1, 1, n_kv, 1)
    batch = np.asarray(grid.batches, dtype=np.float64).reshape(1, 1, 1, 1, n_b)
    count, tp, pp = (layouts[:, k].reshape(1, n_lay, 1, 1, 1) for k in range(3))
    zero = np.zeros((1, 1, 1, 1, 1), dtype=np.intp)
    c = gather_configs(tables, zero, acc, wts, kvs, zero, count, tp, pp, np.ones_like(tp))
    isl = np.asarray(float(input_tokens))
    osl = np.asarray(float(max(output_tokens, 1.0)))
    per_replica = batch  # a batch of this many sequences on every replica
    with np.errstate(all="ignore"):
        result = static_batch(c, per_replica * c.replicas, isl, osl)
        in_one_wave = (per_replica <= max_sequences(c, isl + osl)) & (per_replica <= c.max_batch)
    shape = np.broadcast_shapes(result.output_tokens_per_s.shape, (n_acc, n_lay, n_w, n_kv, n_b))
    fits = np.broadcast_to(result.fits & in_one_wave, shape)

    prices = [cost.usd_per_gpu_hour(a) for a in grid.accelerators]
    rate = np.array([p for p, _ in prices]).reshape(n_acc, 1, 1, 1, 1)
    estimated = np.array([e for _, e in prices]).reshape(n_acc, 1, 1, 1, 1)
    tokens = np.broadcast_to(result.output_tokens_per_s, shape)
    dollars = count * rate / (tokens * 3600.0) * 1e6

    def flat(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a, shape).reshape(-1)

    return SweepResult(
        accelerator=flat(acc),
        layout=flat(lay),
        weights=flat(wts),
        kv=flat(kvs),
        batch=flat(batch),
        gpu_count=flat(count),
        tp=flat(tp),
        pp=flat(pp),
        fits=flat(fits),
        emulated=flat(c.emulated),
        output_tokens_per_s=flat(tokens),
        ttft_ms=flat(result.ttft_ms),
        tpot_ms=flat(result.tpot_ms),
        cost_per_million_tokens_usd=flat(dollars),
        usd_per_gpu_hour=flat(rate),
        price_estimated=flat(estimated),
        weights_gib=flat(result.weights_gib),
        bound=flat(result.bound),
    )


def pareto_front(objectives: Array, chunk: int = 1024) -> IntArray:
    """Indices of the rows of `objectives` (n x k, all minimised) that no other row dominates.

    Rows are visited in lexicographic order (first objective first), so no later row can
    dominate an earlier one. For three objectives a row is dropped when a kept row is no worse
    on the other two, found with a staircase (rows kept so far sorted by the second objective,
    running minimum of the third) and `searchsorted`; rows of the same chunk are then compared
    pairwise. Identical rows keep the first. Cost grows as n log(front).
    """
    values = np.asarray(objectives, dtype=np.float64)
    finite = np.flatnonzero(np.all(np.isfinite(values), axis=1))
    order = finite[np.lexsort(values[finite].T[::-1])]
    k = values.shape[1]
    front = np.empty((0, k))
    kept: list[IntArray] = []
    for begin in range(0, order.size, chunk):
        idx = order[begin : begin + chunk]
        cand = values[idx]
        if front.shape[0]:
            alive = ~_dominated_by(front, cand)
            idx, cand = idx[alive], cand[alive]
        if idx.size == 0:
            continue
        le = np.all(cand[:, None, :] <= cand[None, :, :], axis=2)
        lt = np.any(cand[:, None, :] < cand[None, :, :], axis=2)
        same = np.all(cand[:, None, :] == cand[None, :, :], axis=2)
        beaten = np.any(le & lt, axis=0) | np.any(np.triu(same, k=1), axis=0)
        kept.append(idx[~beaten])
        front = np.vstack([front, cand[~beaten]])
    return np.concatenate(kept) if kept else np.empty(0, dtype=np.intp)


def _dominated_by(front: Array, cand: Array) -> BoolArray:
    """Whether a row of `front` (all with first objective <= the candidates') is no worse than
    each candidate on every other objective."""
    if front.shape[1] != 3:
        le = np.all(front[:, None, :] <= cand[None, :, :], axis=2)
        result: BoolArray = np.any(le, axis=0)
        return result
    order = np.argsort(front[:, 1], kind="stable")
    second = front[order, 1]
    best_third = np.minimum.accumulate(front[order, 2])
    pos = np.searchsorted(second, cand[:, 1], side="right") - 1
    covered = pos >= 0
    staircase = np.where(covered, best_third[np.maximum(pos, 0)], np.inf)
    dominated: BoolArray = covered & (staircase <= cand[:, 2])
    return dominated
