"""Capacity sizing: from a workload and its SLOs to replicas, GPUs, servers and power.

API (what the cost engine and the GUI call)::

    demand = Demand(peak_requests_per_s=40, input_tokens=1500, output_tokens=300,
                    ttft_target_ms=800, tpot_target_ms=50, percentile=0.95)
    result = size_candidates([Deployment(model, accel, fmt, kv, "vllm", 4, tp=4)], demand, table)
    result.gpus, result.servers, result.power_kw, result.meets_slo, result.bound, ...
    result.index(0)                                # one candidate as a dict of scalars

`size_candidates` takes catalog specs (a candidate's gpu_count is ignored: one replica is
tp x pp GPUs); `size_deployment` takes flat `ConfigArrays` of one replica each. Every field of
`CapacityResult` is an array (or list) with one entry per candidate.

Method, per candidate (vectorised over candidates x a grid of request rates):
1. the replica's capacity mu (requests/s) is its offline throughput / output tokens;
2. TTFT and TPOT at the SLO percentile (mean, p95 or p99 from `serving.at_rate`) are evaluated at
   rates from 0.5 % to 99.9 % of mu; the highest rate meeting both targets is the replica's
   sustainable rate (its running sequences are the concurrency per replica);
3. replicas = ceil(peak / sustainable rate), plus redundancy (`redundancy_replicas`, e.g. N+1,
   and/or `redundancy_fraction` of the serving replicas, rounded up);
4. GPUs = replicas x GPUs per replica; servers = ceil(GPUs / GPUs per server);
5. power at peak = GPUs x TDP x (idle share + (1 - idle share) x utilisation), in kW.
A candidate whose model does not fit, or that misses the SLO even when idle, has
`meets_slo = False` and a `reason`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from app.engine.configs import (
    GIB,
    Array,
    BoolArray,
    ConfigArrays,
    Deployment,
    IntArray,
    build_configs,
    describe,
)
from app.engine.efficiency import EfficiencyTable
from app.engine.memory import memory_budget
from app.engine.performance import BOUND_NAMES, NO_FIT, QUEUEING
from app.engine.serving import ServingResult, at_rate, offline

RATE_FRACTIONS = np.geomspace(0.005, 0.999, 48)
IDLE_POWER_SHARE = 0.3  # an idle GPU holding a model draws about 30 % of its TDP


@dataclass(frozen=True)
class Demand:
    """A workload at its peak and its service-level objectives."""

    peak_requests_per_s: float
    input_tokens: float
    output_tokens: float
    ttft_target_ms: float
    tpot_target_ms: float
    percentile: float = 0.95
    redundancy_replicas: int = 1
    redundancy_fraction: float = 0.0
    gpus_per_server: int = 8


@dataclass(frozen=True)
class LoadGrid:
    """Every candidate under the request rates the sizing tried (rows: candidates; columns:
    `RATE_FRACTIONS` of the replica's capacity), per replica, latency at the demand's
    percentile exactly as the SLO check reads it. Load curves are drawn from it."""

    requests_per_s: Array
    concurrency: Array
    output_tokens_per_s: Array
    ttft_ms: Array
    tpot_ms: Array


@dataclass(frozen=True)
class CapacityResult:
    """Sizing of each candidate deployment (arrays, one entry per candidate)."""

    fits: BoolArray
    meets_slo: BoolArray
    gpus: Array
    replicas: Array
    serving_replicas: Array
    gpus_per_replica: Array
    concurrency_per_replica: Array
    sustainable_requests_per_s: Array
    servers: Array
    ttft_ms: Array
    tpot_ms: Array
    output_tokens_per_s: Array
    capacity_output_tokens_per_s: Array
    utilisation: Array
    power_kw: Array
    bound: IntArray
    reason: list[str]
    basis: list[str]
    waterfall: list[list[tuple[str, float]]]
    grid: LoadGrid | None = None

    def bound_name(self, index: int = 0) -> str:
        """The dominant limit of candidate `index` as text."""
        return BOUND_NAMES[int(self.bound[index])]

    def index(self, i: int) -> dict[str, object]:
        """Candidate `i` as a plain dict (scalars)."""
        out: dict[str, object] = {}
        for f in fields(self):
            if f.name == "grid":
                continue
            value = getattr(self, f.name)
            out[f.name] = value[i] if isinstance(value, list) else np.ravel(value)[i].item()
        out["bound"] = self.bound_name(i)
        return out


def _column(c: ConfigArrays) -> ConfigArrays:
    """Every field as an (n, 1) column, to broadcast against a row of rates."""
    n = c.shape[0]
    values = {f.name: np.broadcast_to(getattr(c, f.name), (n,)).reshape(n, 1) for f in fields(c)}
    return ConfigArrays(**values)


def _at_percentile(mean: Array, p95: Array, p99: Array, percentile: float) -> Array:
    if percentile >= 0.99:
        return p99
    if percentile >= 0.95:
        return p95
    return mean


@dataclass(frozen=True)
class ServingGrid:
    """Steps 1 and 2 of the method for candidates `c` (flat) and a workload's token lengths,
    before any demand or target is looked at: the offline peak, and serving at
    `RATE_FRACTIONS` of it (`rates`, requests/s per replica: rows candidates). This is
    the slow part of sizing; edits to users, peak factor or targets reuse it."""

    peak: ServingResult
    rates: Array
    grid: ServingResult


ServingGrids = Callable[[ConfigArrays, float, float], ServingGrid]
"""`serving_grid`, or a cache of it (the live dashboard's)."""


def serving_grid(c: ConfigArrays, input_tokens: float, output_tokens: float) -> ServingGrid:
    """The `ServingGrid` of candidates `c` for `input_tokens` and `output_tokens`."""
    n = c.shape[0]
    isl = np.full(n, float(input_tokens))
    osl = np.full(n, float(max(output_tokens, 1.0)))
    with np.errstate(all="ignore"):
        peak = offline(c, isl, osl)
        mu = peak.output_tokens_per_s / c.replicas / osl
        col = _column(c)
        rates = mu[:, None] * RATE_FRACTIONS[None, :]
        grid = at_rate(col, rates * col.replicas, isl[:, None], osl[:, None])
    return ServingGrid(peak, rates, grid)


def size_deployment(c: ConfigArrays, demand: Demand,
                    grids: ServingGrids = serving_grid) -> CapacityResult:
    """Size every candidate replica in `c` (flat) for `demand` (see module docstring)."""
    n = c.shape[0]
    isl = np.full(n, float(demand.input_tokens))
    osl = np.full(n, float(max(demand.output_tokens, 1.0)))
    served = grids(c, demand.input_tokens, demand.output_tokens)
    peak, rates, grid = served.peak, served.rates, served.grid
    col = _column(c)
    with np.errstate(all="ignore"):
        mu = peak.output_tokens_per_s / c.replicas / osl
    ttft = _at_percentile(grid.ttft_ms, grid.ttft_p95_ms, grid.ttft_p99_ms, demand.percentile)
    tpot = grid.tpot_p99_ms if demand.percentile >= 0.95 else grid.tpot_ms
    ok = (ttft <= demand.ttft_target_ms) & (tpot <= demand.tpot_target_ms) & np.isfinite(ttft)
    ok &= grid.bound != QUEUEING
    best = np.where(ok.any(axis=1), ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    rows = np.arange(n)
    meets = ok[rows, best] & peak.fits
    rate = np.where(meets, rates[rows, best], np.nan)

    serving = np.where(meets, np.ceil(demand.peak_requests_per_s / rate - 1e-9), np.nan)
    serving = np.maximum(serving, 1.0)
    replicas = np.ceil(serving * (1.0 + demand.redundancy_fraction)) + demand.redundancy_replicas
    per_replica = c.tp * c.pp * np.ones(n)
    gpus = replicas * per_replica
    servers = np.ceil(gpus / max(demand.gpus_per_server, 1))
    utilisation = np.clip(demand.peak_requests_per_s / (replicas * np.maximum(mu, 1e-12)), 0.0, 1.0)
    share = IDLE_POWER_SHARE + (1.0 - IDLE_POWER_SHARE) * utilisation
    power_kw = gpus * c.tdp_w * share / 1000.0

    budget = memory_budget(c, isl + osl, grid.concurrency[rows, best])
    reasons = []
    for i in range(n):
        if not peak.fits[i]:
            reasons.append(
                "does not fit: weights and overheads leave no room for one sequence's KV cache"
            )
        elif not meets[i]:
            reasons.append(
                f"misses the SLO even at light load (TTFT {float(ttft[i, 0]):.0f} ms, "
                f"TPOT {float(tpot[i, 0]):.1f} ms)"
            )
        else:
            reasons.append("")
    bound = np.where(peak.fits, grid.bound[rows, best], NO_FIT).astype(np.intp)
    return CapacityResult(
        fits=peak.fits,
        meets_slo=meets,
        gpus=np.where(meets, gpus, np.nan),
        replicas=np.where(meets, replicas, np.nan),
        serving_replicas=np.where(meets, serving, np.nan),
        gpus_per_replica=per_replica,
        concurrency_per_replica=np.where(meets, grid.concurrency[rows, best] / c.replicas, np.nan),
        sustainable_requests_per_s=rate,
        servers=np.where(meets, servers, np.nan),
        ttft_ms=ttft[rows, best],
        tpot_ms=tpot[rows, best],
        output_tokens_per_s=np.where(meets, demand.peak_requests_per_s * osl, np.nan),
        capacity_output_tokens_per_s=peak.output_tokens_per_s,
        utilisation=np.where(meets, utilisation, np.nan),
        power_kw=np.where(meets, power_kw, np.nan),
        bound=bound,
        reason=reasons,
        basis=[describe(c, i) for i in range(n)],
        waterfall=[budget.waterfall(i) for i in range(n)],
        grid=LoadGrid(
            requests_per_s=rates,
            concurrency=grid.concurrency / col.replicas,
            output_tokens_per_s=grid.output_tokens_per_s / col.replicas,
            ttft_ms=ttft,
            tpot_ms=tpot,
        ),
    )


def size_candidates(
    candidates: Sequence[Deployment], demand: Demand, table: EfficiencyTable,
    grids: ServingGrids = serving_grid,
) -> CapacityResult:
    """Size catalog-spec candidates for `demand` (one replica each is tp x pp GPUs)."""
    replicas = [replace(d, gpu_count=d.tp * d.pp) for d in candidates]
    configs, _ = build_configs(replicas, table)
    return size_deployment(configs, demand, grids)


def kv_cache_gib_per_gpu(c: ConfigArrays, tokens: Array | float, sequences: Array | float) -> Array:
    """KV cache the workload holds per GPU, in GiB (convenience for reports)."""
    return memory_budget(c, tokens, sequences).kv_used_bytes / GIB
