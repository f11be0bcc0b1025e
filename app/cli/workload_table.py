"""The per-workload part of `enclave evaluate`'s human output: one row each, one line per kind.

    workloads (8 GPUs: 6 whole for the LLM replicas, 1 shared through MIG, 1 extra; …):
      name      kind  model          GPU share  slots    memory/GPU  cost share
      answers   llm   llama-3.1-70b       6.00  6 whole     71.5 GB     $ 2.89M

      name      peak / capacity                 use  latency / target  target
      answers   1,042 / 1,769 output tokens/s   59%  1,731 / 2,000 ms  meets
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from app.operations.evaluate import EvaluationResult
from app.operations.sizing import WorkloadSizing
from app.reports import fmt
from app.reports.workload_facts import METHOD_NAMES

KIND_LINE_WIDTH = 110
SHARING = {"mig": "MIG", "time-slicing": "time-slicing", "none": "whole GPUs"}


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def _num(x: float | None, digits: int = 0) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if digits == 0 and 0 < abs(x) < 10:
        return f"{x:,.1f}"
    return f"{x:,.{digits}f}"


def _rate(x: float | None) -> str:
    """Rates as the report prints them (`1,769`, `10.5`, `3.47`), `-` when missing."""
    return fmt.rate(x, "-")


def _usd(x: float | None) -> str:
    """`$ 2.89M`, `$ 138k`, `$ 65`, `$ 0.079`."""
    if x is None or not math.isfinite(x):
        return "-"
    a = abs(x)
    if a >= 1e6:
        return f"$ {x / 1e6:,.2f}M"
    if a >= 1e4:
        return f"$ {x / 1e3:,.0f}k"
    if a >= 1:
        return f"$ {x:,.0f}"
    return f"$ {x:.3f}"


def _gb(x: Any) -> str:
    return f"{float(x) / 1e9:,.1f} GB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _slots(s: WorkloadSizing) -> str:
    parts = []
    for slot, n in s.slots.items():
        if slot == "off-peak":
            parts.append(f"off-peak ({_plural(n, 'GPU')})" if s.kind == "finetune"
                         else "off-peak")
        elif slot in ("whole", "shared", "dedicated"):
            parts.append(f"{n} {slot}")
        else:
            parts.append(f"{n} × {slot}")
    return ", ".join(parts) or "-"


def _latency(r: EvaluationResult, s: WorkloadSizing) -> str:
    """`1,731 / 2,000 ms` (TTFT or one request against its target), `4.1 / 48 h` (a run)."""
    if s.kind == "finetune":
        deadline = _finite(s.details.get("deadline_hours"))
        wall = _finite(s.details.get("wall_time_h"))
        return f"{_num(wall, 1)} / {_num(deadline) if deadline else 'none'} h"
    target = r.scenario.workloads[s.index].ttft_target_ms
    return f"{_num(_finite(s.latency_ms))} / {_num(target) if target else 'none'} ms"


def _status(s: WorkloadSizing) -> str:
    if not s.fits:
        return "DOES NOT FIT"
    return "meets" if s.meets_slo else "MISSES"


def _kind_line(s: WorkloadSizing) -> str | None:
    d = s.details
    if s.kind == "embedding":
        cost = d.get("corpus_embed_cost_usd")
        reembed = _finite(d.get("reembed_gpu_hours_per_month")) or 0.0
        return (
            f"{s.name}: {d['vectors'] / 1e6:,.2f} M vectors ({d['dimension']}-d "
            f"{d['vector_precision']}, {d['index']}): index {_gb(d['index_memory_bytes'])} in "
            f"host memory, {_gb(d['index_disk_bytes'])} on disk; embedding the corpus "
            f"{_num(d['corpus_embed_gpu_hours'], 1)} GPU-h"
            + (f" ({_usd(cost)})" if cost is not None else "")
            + (f", re-embedding {_num(reembed, 1)} GPU-h/month" if reembed else "")
        )
    if s.kind == "reranker":
        cost = d.get("cost_per_1k_queries_usd")
        return (
            f"{s.name}: {d['candidates_per_query']} passages × {d['tokens_per_pair']:,.0f} "
            f"tokens per query, {d['gpu_seconds_per_query'] * 1000:,.1f} GPU-ms each"
            + (f"; {_usd(cost)} per 1,000 queries" if cost is not None else "")
        )
    if s.kind == "guard":
        return (f"{s.name}: {_plural(int(d['checks_per_request']), 'check')} per request of "
                f"{d['tokens_per_check']:,.0f} tokens, "
                f"{_rate(d['checks_per_s_per_gpu'])} checks/s per GPU")
    if s.kind == "finetune":
        cost, rented = d.get("cost_per_run_usd"), d.get("cost_per_run_rented_usd")
        off_peak = d.get("runs_off_peak")
        where = ("not scheduled" if off_peak is None
                 else "off-peak on the serving GPUs" if off_peak else "on dedicated GPUs")
        deadline = _finite(d.get("deadline_hours"))
        timing = (f"within the {_num(deadline)} h deadline" if d.get("meets_deadline")
                  else f"over the {_num(deadline)} h deadline" if deadline else "no deadline")
        costs = ""
        if cost is not None:
            costs = f", {_usd(cost)} per run owned" + (
                f" ({_usd(rented)} rented)" if rented is not None else "")
        return (
            f"{s.name}: {METHOD_NAMES.get(str(d['method']), d['method'])}, "
            f"{d['tokens_per_run'] / 1e6:,.1f} M tokens per run on "
            f"{_plural(int(d['job_gpus']), 'GPU')}: {_num(d['wall_time_h'], 1)} h ({timing}), "
            f"{_num(d['gpu_hours_per_run'], 1)} GPU-h{costs}; "
            f"{d['runs_per_month']:g} runs/month {where}; "
            f"{_gb(d['memory_per_gpu_bytes'])} per GPU of {_gb(d['capacity_per_gpu_bytes'])} "
            f"(largest: {d['largest_memory_component']}; fewest GPUs that fit: "
            f"{d['min_gpus_to_fit'] or 'none'})"
        )
    return None


def _head(r: EvaluationResult) -> str:
    pool = r.pool
    if pool is None:
        return "workloads (no pool: a workload does not fit)"
    p = pool.pool
    parts = []
    if pool.llm_gpus:
        parts.append(f"{pool.llm_gpus} whole for the LLM replicas")
    if p.gpus_whole > pool.llm_gpus:
        parts.append(f"{p.gpus_whole - pool.llm_gpus} whole for encoders")
    if p.gpus_shared:
        parts.append(f"{p.gpus_shared} shared through {SHARING.get(pool.sharing, pool.sharing)}")
    if p.gpus_periodic:
        parts.append(f"{p.gpus_periodic} for periodic jobs")
    extra = r.kpis.gpus - p.gpus
    if extra > 0:
        parts.append(f"{extra} extra")
    head = f"workloads on one pool ({_plural(r.kpis.gpus, 'GPU')}: {', '.join(parts)})"
    if p.periodic_gpu_hours_per_month > 0 and p.periodic_in_idle:
        head += (f";\n  periodic jobs in the serving GPUs' idle hours "
                 f"({_num(p.periodic_gpu_hours_per_month)} of "
                 f"{_num(p.idle_gpu_hours_per_month)} idle GPU-h/month)")
    return head


def _table(rows: Sequence[tuple[str, ...]], right: tuple[int, ...] = ()) -> list[str]:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return ["    " + "  ".join(cell.rjust(w) if c in right and i else cell.ljust(w)
                               for c, (cell, w) in enumerate(zip(row, widths, strict=True)))
            .rstrip() for i, row in enumerate(rows)]


def _use(s: WorkloadSizing) -> str:
    peak, capacity = _finite(s.peak_demand_per_s), _finite(s.capacity_per_s)
    if peak is None or not capacity:
        return "-"
    use = peak / capacity
    return "<1%" if 0 < use < 0.005 else f"{use:.0%}"


def workload_lines(r: EvaluationResult) -> list[str]:
    """Two short tables (where each workload runs and what it costs; how it serves its peak),
    then one line per encoder and fine-tune with its kind's own figures."""
    placed = [("name", "kind", "model", "GPU share", "slots", "memory/GPU", "cost share")]
    served = [("name", "peak / capacity", "use", "latency / target", "target")]
    for s in r.workloads:
        memory = _finite(s.memory_per_instance_bytes)
        placed.append((s.name, s.kind, s.model, _num(s.gpu_share, 2), _slots(s),
                       "-" if memory is None else _gb(memory), _usd(s.cost_share_usd)))
        served.append((s.name, f"{_rate(_finite(s.peak_demand_per_s))} / "
                               f"{_rate(_finite(s.capacity_per_s))} {s.rate_unit}",
                       _use(s), _latency(r, s), _status(s)))
    lines = [f"  {_head(r)}:"]
    lines += _table(placed, right=(3, 5, 6))
    lines.append("")
    lines += _table(served, right=(2,))
    kinds = [line for line in map(_kind_line, r.workloads) if line]
    if kinds:
        lines.append("")
    lines += [textwrap.fill(line, width=KIND_LINE_WIDTH, initial_indent="    ",
                            subsequent_indent="      ", break_on_hyphens=False)
              for line in kinds]
    return lines
