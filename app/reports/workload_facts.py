"""How workloads of each kind are named and described in the report (Qt-free, plain text).

Shared by the workloads section, its summary sentences and the other sections that must tell a
generative LLM (sized by latency targets) from encoders and fine-tuning runs (sized by
throughput, memory and deadlines).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.engine.gpu_pool import PoolPlan
from app.engine.scenario import Workload
from app.operations.evaluate import EvaluationResult
from app.operations.sizing import WorkloadSizing
from app.reports import fmt
from app.reports.subject import ReportSubject

KIND_NAMES = {"llm": "LLM", "embedding": "embedding", "reranker": "reranker",
              "guard": "guard model", "finetune": "fine-tuning"}
KIND_NOUNS = {"llm": "LLM", "embedding": "embedder", "reranker": "reranker",
              "guard": "guard model", "finetune": "fine-tune"}
METHOD_NAMES = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}
SLOT_ORDER = ("whole", "shared", "dedicated", "off-peak")
KIND_SHORT = {"llm": "LLM", "embedding": "embedding", "reranker": "reranker", "guard": "guard",
              "finetune": "fine-tune"}
SHARING_TEXT = {"mig": "MIG partitions", "time-slicing": "time-slicing", "none": "no sharing"}
INTERFERENCE = (
    "Co-location caveat: each workload is sized as if it ran alone in its slot. MIG partitions "
    "isolate memory and compute, but time-sliced GPUs, jobs run in the serving GPUs' idle "
    "hours and the shared host (CPU, PCIe, network, vector index in host memory) can slow the "
    "serving workloads when they overlap; a periodic job that runs late into the working day "
    "takes capacity from the peak. Measure the co-located set on the site before committing.")


def llms(s: ReportSubject) -> list[tuple[int, WorkloadSizing]]:
    """(index, sizing) of the generative workloads, in scenario order."""
    return [(i, w) for i, w in enumerate(s.result.workloads) if w.kind == "llm"]


def has_workloads_area(result: EvaluationResult) -> bool:
    """Several workloads, or one that is not a generative LLM: such a scenario gets the
    dashboard's workloads area and the report's workloads section."""
    ws = result.workloads
    return len(ws) > 1 or any(w.kind != "llm" for w in ws)


def finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def method_name(w: WorkloadSizing) -> str:
    """`LoRA`, `QLoRA`, `full fine-tuning` (the fine-tune's method as people say it)."""
    method = str(w.details.get("method", ""))
    return METHOD_NAMES.get(method, method)


def noun(w: WorkloadSizing) -> str:
    """`the embedder`, `the reranker “rr-1”`, `the LoRA fine-tune “weekly-lora”`: the kind's
    noun, with the workload's own name in quotes unless it is that noun already."""
    kind = KIND_NOUNS.get(w.kind, w.kind)
    if w.kind == "finetune":
        kind = f"{method_name(w)} fine-tune" if w.details.get("method") != "full" else \
            "full fine-tune"
    if w.name.strip().lower() in (kind.lower(), KIND_NOUNS.get(w.kind, "").lower(),
                                  w.kind, w.template):
        return f"the {kind}"
    return f"the {kind} “{w.name}”"


def join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def slots_text(w: WorkloadSizing) -> str:
    """`6 whole GPUs`, `2 × 1g.10gb, off-peak`, `off-peak (3 GPUs)`, `2 shared`."""
    parts = []
    ordered = sorted(w.slots.items(), key=lambda kv: (SLOT_ORDER.index(kv[0])
                                                      if kv[0] in SLOT_ORDER else 1, kv[0]))
    for slot, n in ordered:
        if slot == "whole":
            parts.append(f"{n} whole GPU{'s' if n != 1 else ''}")
        elif slot == "off-peak":
            parts.append("off-peak" if w.kind != "finetune"
                         else f"off-peak ({n} GPU{'s' if n != 1 else ''})")
        elif slot == "dedicated":
            parts.append(f"{n} dedicated GPU{'s' if n != 1 else ''}")
        elif slot == "shared":
            parts.append(f"{n} time-sliced")
        else:
            parts.append(f"{n} × {slot}")
    return ", ".join(parts) or "—"


def latency_target(w: WorkloadSizing, spec: Workload) -> tuple[str, str]:
    """(what is measured, `191 ms / 500 ms`): TTFT for an LLM, one request for an encoder, the
    wall time of a run against its deadline for a fine-tune."""
    if w.kind == "finetune":
        wall = finite(w.details.get("wall_time_h"))
        deadline = w.details.get("deadline_hours")
        return ("run", f"{fmt.hours(wall)} / "
                       f"{fmt.hours(float(deadline)) if deadline is not None else 'no deadline'}")
    target = spec.ttft_target_ms
    latency = finite(w.latency_ms)
    what = "TTFT" if w.kind == "llm" else "request"
    return (what, f"{fmt.ms(latency)} / {fmt.ms(target) if target is not None else 'none'}")


def peak_capacity(w: WorkloadSizing) -> str:
    """`1,042 / 1,769 output tokens/s` (peak demand / capacity of the placed instances)."""
    return (f"{fmt.rate(finite(w.peak_demand_per_s))} / {fmt.rate(finite(w.capacity_per_s))} "
            f"{w.rate_unit}")


def utilisation_at_peak(w: WorkloadSizing) -> float | None:
    peak, capacity = finite(w.peak_demand_per_s), finite(w.capacity_per_s)
    if peak is None or capacity is None or capacity <= 0:
        return None
    return peak / capacity


def slo_word(w: WorkloadSizing) -> tuple[str, str]:
    """(`meets` / `misses` / `does not fit`, status) against the latency target or deadline."""
    if not w.fits:
        return "does not fit", "fail"
    return ("meets", "pass") if w.meets_slo else ("misses", "fail")


def placement_text(w: WorkloadSizing) -> str:
    """Where an encoder or a fine-tune runs, in words: `2 instances on 2 × 1g.10gb MIG
    partitions; re-embedding off-peak`, `runs of 3 GPUs, off-peak on the serving GPUs`."""
    periodic = ("off-peak on the serving GPUs" if w.slots.get("off-peak") else
                "on dedicated GPUs" if w.slots.get("dedicated") else "")
    if w.kind == "finetune":
        n = w.capacity.gpus_per_replica
        return f"runs of {n} GPU{'s' if n != 1 else ''}" + (f", {periodic}" if periodic else "")
    parts = []
    for slot, n in w.slots.items():
        if slot == "whole":
            parts.append(f"{n} whole GPU{'s' if n != 1 else ''}")
        elif slot == "shared":
            parts.append(f"{n} time-sliced share{'s' if n != 1 else ''}")
        elif slot not in ("off-peak", "dedicated"):
            parts.append(f"{n} × {slot} MIG partition{'s' if n != 1 else ''}")
    n = w.capacity.replicas
    text = f"{n} instance{'s' if n != 1 else ''}" + (f" on {join(parts)}" if parts else "")
    if periodic:
        text += f"; re-embedding {periodic}"
    return text


def periodic_jobs_text(p: PoolPlan) -> str:
    """`12.5 GPU-h a month, in the serving GPUs' idle hours (3,650 idle GPU-h a month)`, or
    `…, on 2 dedicated GPUs`: the pool's periodic jobs (re-embedding, fine-tuning runs)."""
    where = (f"in the serving GPUs' idle hours ({fmt.num(p.idle_gpu_hours_per_month)} idle "
             "GPU-h a month)" if p.periodic_in_idle
             else f"on {p.gpus_periodic} dedicated GPU{'s' if p.gpus_periodic != 1 else ''}")
    return f"{fmt.num(p.periodic_gpu_hours_per_month, digits=1)} GPU-h a month, {where}"
