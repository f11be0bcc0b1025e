"""The per-workload part of `enclave evaluate`'s human output: one row each, one line per kind."""

from __future__ import annotations

import math
from typing import Any

from app.operations.evaluate import EvaluationResult
from app.operations.sizing import WorkloadSizing


def _num(x: float | None, digits: int = 0) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if digits == 0 and 0 < abs(x) < 10:
        return f"{x:,.1f}"
    return f"{x:,.{digits}f}"


def _gb(x: Any) -> str:
    return f"{float(x) / 1e9:,.1f} GB"


def _slots(s: WorkloadSizing) -> str:
    return ", ".join(f"{n} {slot}" if slot not in ("off-peak",) else slot
                     for slot, n in s.slots.items()) or "-"


def _kind_line(s: WorkloadSizing) -> str | None:
    d = s.details
    if s.kind == "embedding":
        cost = d.get("corpus_embed_cost_usd")
        return (
            f"{s.name}: {d['vectors'] / 1e6:,.2f} M vectors ({d['dimension']}-d "
            f"{d['vector_precision']}, {d['index']}): index {_gb(d['index_memory_bytes'])} in "
            f"host memory, {_gb(d['index_disk_bytes'])} on disk; corpus embedding "
            f"{_num(d['corpus_embed_gpu_hours'], 1)} GPU-h"
            + (f" ($ {cost:,.0f})" if cost is not None else "")
            + f", re-embedding {_num(d['reembed_gpu_hours_per_month'], 1)} GPU-h/month"
        )
    if s.kind == "reranker":
        cost = d.get("cost_per_1k_queries_usd")
        return (
            f"{s.name}: {d['candidates_per_query']} passages × {d['tokens_per_pair']:,.0f} "
            f"tokens per query, {d['gpu_seconds_per_query'] * 1000:,.1f} GPU-ms each"
            + (f"; $ {cost:,.3f} per 1,000 queries" if cost is not None else "")
        )
    if s.kind == "guard":
        return (f"{s.name}: {d['checks_per_request']} check(s) per request of "
                f"{d['tokens_per_check']:,.0f} tokens")
    if s.kind == "finetune":
        cost = d.get("cost_per_run_usd")
        off_peak = d.get("runs_off_peak")
        where = ("not scheduled" if off_peak is None
                 else "off-peak on the serving GPUs" if off_peak else "on dedicated GPUs")
        return (
            f"{s.name}: {d['method']}, {d['tokens_per_run'] / 1e6:,.1f} M tokens per run on "
            f"{d['job_gpus']} GPU(s): {_num(d['wall_time_h'], 1)} h, "
            f"{_num(d['gpu_hours_per_run'], 1)} GPU-h"
            + (f", $ {cost:,.0f} per run" if cost is not None else "")
            + f"; {d['runs_per_month']:g} runs/month {where}; "
            f"{_gb(d['memory_per_gpu_bytes'])} per GPU of {_gb(d['capacity_per_gpu_bytes'])}"
        )
    return None


def workload_lines(r: EvaluationResult) -> list[str]:
    """Rows (name, kind, model, GPU share, slots, peak / capacity, latency), then kind lines."""
    pool = r.pool
    head = "workloads"
    if pool is not None:
        p = pool.pool
        periodic = ""
        if p.periodic_gpu_hours_per_month > 0:
            periodic = ("; periodic jobs off-peak" if p.periodic_in_idle
                        else f"; {p.gpus_periodic} GPU(s) for periodic jobs")
        head += (f" (one pool of {p.gpus} GPUs: {pool.llm_gpus} for LLMs, {p.gpus_shared} "
                 f"shared by {pool.sharing}{periodic})")
    rows = [("name", "kind", "model", "GPUs", "slots", "peak / capacity", "latency")]
    for s in r.workloads:
        rate = (f"{_num(s.peak_demand_per_s)} / {_num(s.capacity_per_s)} {s.rate_unit}"
                if s.kind != "finetune" else
                f"{_num(s.capacity_per_s)} {s.rate_unit}")
        rows.append((s.name, s.kind, s.model, _num(s.gpu_share, 2), _slots(s), rate,
                     f"{_num(s.latency_ms)} ms" if math.isfinite(s.latency_ms) else "-"))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [f"  {head}:"]
    lines += ["    " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
              .rstrip() for row in rows]
    lines += [f"    {line}" for line in map(_kind_line, r.workloads) if line]
    return lines
