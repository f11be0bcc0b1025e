"""Demand per workload over the months, and the fleet it needs (staged purchases).

Inputs are rows of shape (1, n) keyed by scenario path (see `app.engine.cost.Params`);
series have shape (M, n) — months first — or (M, 1) when nothing in them varies between draws.

    requests_per_day   = users × requests_per_user_per_day
    tokens_per_month   = requests_per_day × active_days_per_year / 12 × tokens_per_request × g[m]
    peak_tokens_per_s  = requests_per_day / (active_hours_per_day × 3600) × peak_factor
                         × tokens_per_request × g[m]
    g[m]               = (1 + growth_per_year)^(m / 12)       (m = 0..M−1)
    replicas[m]        = ceil(ceil(peak_tokens_per_s[m] / replica_tokens_per_s) × (1 + headroom))
                         + spare
    gpus[m]            = max(initial_gpus, max_{t ≤ m} Σ_w replicas_w[t] × gpus_per_replica_w
                         + pooled_gpus), rounded up to whole servers when servers only come full
A fleet never shrinks: capacity bought for a peak is kept. `pooled_gpus` are the GPUs that
workloads sized outside this model (co-located encoders, periodic fine-tuning: see
`app.engine.gpu_pool`) add to the fleet; they are kept in every month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.finance import MONTHS_PER_YEAR, FloatArray, geometric_growth, running_max

HOURS_PER_MONTH = 730.0  # 8,760 h / 12
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
SECONDS_PER_HOUR = 3600.0
CEIL_TOLERANCE = 1e-9  # 2.0000000001 replicas is 2, not 3


@dataclass(frozen=True)
class WorkloadCapacity:
    """What the cost engine needs from sizing, for one workload.

    `replica_tokens_per_s` is the throughput one replica sustains within the workload's SLOs, in
    tokens of `tokens_kind` (`output` for generation, `input` for embedding/reranking) per second.
    `replicas` is the initial count, redundancy included. `workload_index` is the position of
    the workload in the scenario (None: the capacity's own position in the list).
    """

    gpus_per_replica: int
    replica_tokens_per_s: float
    replicas: int
    tokens_kind: str = "output"
    workload_index: int | None = None


@dataclass(frozen=True)
class WorkloadDemand:
    """One workload's demand: a growth series times per-draw coefficients (at growth 1)."""

    growth: FloatArray  # (M, n|1) multiplier g[m]
    growth_total: FloatArray  # (1, n|1) Σ_m g[m]
    input_tokens_per_month: FloatArray  # (1, n|1)
    output_tokens_per_month: FloatArray
    peak_tokens_per_s: FloatArray  # tokens of the capacity kind
    mean_tokens_per_s: FloatArray  # over all hours of the month



def workload_demand(
    p: Mapping[str, FloatArray], index: int, tokens_kind: str, months: int
) -> WorkloadDemand:
    """Demand of `workloads[index]` (formulas in the module docstring)."""
    w = f"workloads[{index}]."
    requests_per_day = p[w + "users"] * p[w + "requests_per_user_per_day"]
    requests_per_month = requests_per_day * p[w + "active_days_per_year"] / MONTHS_PER_YEAR
    peak_requests_per_s = (
        requests_per_day / (p[w + "active_hours_per_day"] * SECONDS_PER_HOUR) * p[w + "peak_factor"]
    )
    tokens = p[w + "output_tokens"] if tokens_kind == "output" else p[w + "input_tokens"]
    growth = geometric_growth(p[w + "growth_per_year"], months)
    return WorkloadDemand(
        growth=growth,
        growth_total=growth.sum(axis=0, keepdims=True),
        input_tokens_per_month=requests_per_month * p[w + "input_tokens"],
        output_tokens_per_month=requests_per_month * p[w + "output_tokens"],
        peak_tokens_per_s=peak_requests_per_s * tokens,
        mean_tokens_per_s=requests_per_month * tokens / SECONDS_PER_MONTH,
    )


@dataclass(frozen=True)
class Fleet:
    """Installed accelerators and servers per month, and how loaded they are."""

    gpus: FloatArray  # (M, n|1)
    servers: FloatArray  # (M, n|1)
    peak_gpu_equivalents: FloatArray  # (M, n|1) GPUs the peak demand needs, without spares
    mean_gpu_equivalents_total: FloatArray  # (1, n|1) Σ_m GPUs the mean demand needs


def plan_fleet(
    demands: Sequence[WorkloadDemand],
    capacities: Sequence[WorkloadCapacity],
    *,
    months: int,
    initial_gpus: int,
    gpus_per_server: int,
    spare_replicas: int,
    headroom_fraction: float,
    scale_with_growth: bool,
    whole_servers: bool = False,
    pooled_gpus: int = 0,
    pooled_peak_gpu_equivalents: float = 0.0,
    pooled_mean_gpu_equivalents: float = 0.0,
) -> Fleet:
    """Staged purchases: the fleet grows in the month demand first needs more replicas.

    pooled_*: GPUs the co-located non-generative workloads add (whole GPUs), and the GPU
    equivalents they use at peak and on average (for the utilisation KPIs).
    """
    required: FloatArray | None = None
    peak_equivalents: FloatArray | None = None
    mean_total: FloatArray = np.zeros((1, 1))
    for cap, d in zip(capacities, demands, strict=True):
        per_token = 1.0 / cap.replica_tokens_per_s
        continuous = d.growth * (d.peak_tokens_per_s * per_token)  # replicas, unrounded
        replicas = np.ceil(continuous - CEIL_TOLERANCE)
        if headroom_fraction > 0.0:
            replicas = np.ceil(replicas * (1.0 + headroom_fraction) - CEIL_TOLERANCE)
        replicas += spare_replicas
        replicas *= cap.gpus_per_replica
        continuous *= cap.gpus_per_replica
        required = replicas if required is None else required + replicas
        peak_equivalents = continuous if peak_equivalents is None else peak_equivalents + continuous
        mean_total = mean_total + d.growth_total * (
            d.mean_tokens_per_s * per_token * cap.gpus_per_replica
        )
    if required is None or peak_equivalents is None:
        if pooled_gpus <= 0:
            raise ValueError("a fleet needs at least one workload")
        required = np.zeros((months, 1))
        peak_equivalents = np.zeros((months, 1))
    if pooled_gpus:
        required = required + float(pooled_gpus)
        peak_equivalents = peak_equivalents + pooled_peak_gpu_equivalents
        mean_total = mean_total + pooled_mean_gpu_equivalents * months
    if scale_with_growth:
        gpus = running_max(required)
        np.maximum(gpus, float(initial_gpus), out=gpus)
    else:
        gpus = np.full((months, 1), float(initial_gpus))
    servers = gpus * (1.0 / gpus_per_server)
    servers -= CEIL_TOLERANCE
    np.ceil(servers, out=servers)
    if whole_servers:
        gpus = servers * gpus_per_server
    return Fleet(
        gpus=gpus,
        servers=servers,
        peak_gpu_equivalents=peak_equivalents,
        mean_gpu_equivalents_total=mean_total,
    )
