"""Each encoder's and fine-tune's own figures as cards (Qt-free), with formulas as tooltips.

- embedding: vectors, index memory and disk, embedding the corpus (GPU-hours, time on the
  fleet, cost), re-embedding GPU-hours a month;
- reranker: latency per query against its target, cost per 1,000 queries, work per query,
  capacity at peak;
- guard model: latency per check, checks per request, checks per GPU, capacity at peak;
- fine-tune: method, tokens per run, GPUs per run (and the fewest that fit), wall time against
  the deadline, GPU-hours per run and a month, cost per run owned and rented, and the memory
  per GPU of one run by part against the GPU's capacity (`FinetuneMemoryData`, a chart).

Costs are at the owned fleet's cost per GPU-hour (`Kpis.cost_per_gpu_hour_usd` = TCO /
installed GPU-hours; `app.operations.workload_results`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.operations.evaluate import EvaluationResult
from app.operations.sizing import WorkloadSizing
from app.reports import fmt
from app.reports.kpi_cards import BAD, GOOD, NEUTRAL, KpiCard
from app.reports.workload_facts import KIND_NAMES, finite, method_name, utilisation_at_peak

MEMORY_PARTS = (("weights", "weights_bytes"), ("gradients", "gradients_bytes"),
                ("optimizer states", "optimizer_bytes"), ("activations", "activations_bytes"),
                ("overhead", "overhead_bytes"))


@dataclass(frozen=True)
class FinetuneMemoryData:
    """Memory per GPU of one fine-tuning run by part (GB), against the GPU's capacity (GB)."""

    workload: str
    parts: tuple[tuple[str, float], ...]
    capacity_gb: float
    job_gpus: int
    zero_stage: int
    min_gpus_to_fit: int | None
    fits: bool
    note: str = ""

    @property
    def total_gb(self) -> float:
        return sum(gb for _, gb in self.parts)


@dataclass(frozen=True)
class KindCard:
    """One non-LLM workload: a title and its figures (the same `KpiCard` as the KPI grid)."""

    index: int
    name: str
    kind: str
    title: str
    figures: tuple[KpiCard, ...]
    memory: FinetuneMemoryData | None = None

    def figure(self, key: str) -> KpiCard:
        return next(f for f in self.figures if f.key == key)


def tip(what: str, formula: str, inputs: list[str]) -> str:
    """A tooltip: what the number is, its formula, its inputs (empty parts left out)."""
    lines = [what]
    if formula:
        lines += ["", f"Formula: {formula}"]
    inputs = [i for i in inputs if i]
    if inputs:
        lines += ["", "Inputs:"] + [f"  • {i}" for i in inputs]
    return "\n".join(lines)


def _f(d: dict[str, Any], key: str) -> float | None:
    value = d.get(key)
    return finite(float(value)) if isinstance(value, int | float) else None


def _plural(n: float | int | None, word: str) -> str:
    return f"{fmt.sig(n)} {word}{'' if n == 1 else 's'}"


def kind_card(result: EvaluationResult, i: int, w: WorkloadSizing, model: str,
              gpu_memory_bytes: float) -> KindCard | None:
    """The card of workload `i` (None for an LLM: the KPI cards and charts cover it)."""
    builders = {"embedding": embedding_figures, "reranker": reranker_figures,
                "guard": guard_figures, "finetune": finetune_figures}
    build = builders.get(w.kind)
    if build is None:
        return None
    kind = KIND_NAMES.get(w.kind, w.kind)
    title = f"{w.name}: {kind} ({model})"
    try:
        figures = build(result, i, w)
    except (KeyError, TypeError, ValueError):  # a result without its kind's figures
        figures = (KpiCard("missing", kind, "—", "not evaluated", "", NEUTRAL),)
    memory = finetune_memory(w) if w.kind == "finetune" else None
    return KindCard(i, w.name, w.kind, title, figures, memory)


def embedding_figures(result: EvaluationResult, i: int, w: WorkloadSizing
                      ) -> tuple[KpiCard, ...]:
    d = w.details
    pool = result.pool
    fleet_gpus = pool.pool.gpus if pool is not None else 0
    rate = result.kpis.cost_per_gpu_hour_usd
    cost = _f(d, "corpus_embed_cost_usd")
    gpu_hours = float(d["corpus_embed_gpu_hours"])
    reembeds = float(d.get("reembeds_per_month") or 0.0)
    index = str(d.get("index", ""))
    index_name = index.upper() if index in ("hnsw", "ivf") else index
    where = (", off-peak" if w.slots.get("off-peak") else
             ", dedicated GPU" if w.slots.get("dedicated") else "")
    return (
        KpiCard("vectors", "Vectors in the index", fmt.millions(float(d["vectors"])),
                f"{fmt.num(float(d['corpus_documents']))} documents × "
                f"{d['chunks_per_document']} chunks; {d['dimension']}-d {d['vector_precision']}",
                tip("Vectors the index holds: one per chunk of every document.",
                    "vectors = documents × ceil(tokens per document ÷ chunk tokens)",
                    [f"documents {fmt.num(float(d['corpus_documents']))}",
                     f"tokens per document {fmt.num(float(d['tokens_per_document']))}",
                     f"chunks per document {d['chunks_per_document']} "
                     f"({fmt.num(float(d['tokens_per_chunk']))} tokens each)"])),
        KpiCard("index_memory", "Index in host memory", fmt.gb(float(d["index_memory_bytes"])),
                f"{fmt.gb(float(d['index_disk_bytes']))} on disk; {index_name}, "
                f"{fmt.num(float(d['index_bytes_per_vector']))} bytes per vector",
                tip("Memory and disk of the vector index (on the host, not the GPUs).",
                    "bytes = vectors × bytes per vector (dimension × bytes per component + "
                    "index links) × overhead factor",
                    [f"vectors {fmt.millions(float(d['vectors']))}",
                     f"dimension {d['dimension']}, {d['vector_precision']}",
                     f"overhead factor {fmt.sig(float(d['index_overhead_factor']))}",
                     *[str(x) for x in d.get("index_basis") or []]])),
        KpiCard("corpus_embedding", "Embedding the corpus",
                fmt.usd_short(cost) if cost is not None else
                f"{fmt.num(gpu_hours, digits=1)} GPU-h",
                f"{fmt.num(gpu_hours, digits=1)} GPU-h for "
                f"{fmt.tokens(float(d['corpus_tokens']))} tokens; "
                f"{fmt.hours(float(d['corpus_embed_hours_on_fleet']))} on the {fleet_gpus}-GPU "
                "pool",
                tip("Time and cost of one full pass over the corpus.",
                    "GPU-hours = corpus tokens ÷ tokens/s per GPU ÷ 3,600; cost = GPU-hours × "
                    "cost per GPU-hour (owned); time on the pool = GPU-hours ÷ pool GPUs",
                    [f"corpus tokens {fmt.tokens(float(d['corpus_tokens']))}",
                     f"chunks/s per GPU {fmt.rate(float(d['chunks_per_s_per_gpu']))}",
                     f"cost per GPU-hour {fmt.usd_cents(rate)}",
                     *[str(x) for x in d.get("throughput_basis") or []]])),
        KpiCard("reembedding", "Re-embedding per month",
                f"{fmt.num(float(d['reembed_gpu_hours_per_month']), digits=1)} GPU-h"
                if reembeds else "none",
                f"{fmt.sig(reembeds)} full pass{'es' if reembeds != 1 else ''} a month{where}"
                if reembeds else "embedded once, before go-live",
                tip("GPU-hours a month spent re-embedding the corpus.",
                    "GPU-hours per month = re-embeds per month × GPU-hours of one pass",
                    [f"re-embeds per month {fmt.sig(reembeds)}",
                     f"GPU-hours per pass {fmt.num(gpu_hours, digits=2)}"])),
    )


def _latency(result: EvaluationResult, i: int, w: WorkloadSizing, label: str) -> KpiCard:
    target = result.scenario.workloads[i].ttft_target_ms
    slots = [slot for slot in w.slots if slot not in ("off-peak", "dedicated")]
    where = (f"on a {slots[0]} partition" if slots and slots[0] not in ("whole", "shared")
             else "on a whole GPU" if slots == ["whole"] else "time-sliced")
    whole = _f(w.basis, "latency_whole_gpu_ms")
    return KpiCard(
        "latency", label, fmt.ms(finite(w.latency_ms)),
        f"target {fmt.ms(target) if target is not None else 'none'}; {where}, no queueing",
        tip("One request alone on an idle instance, against the target.",
            "latency = latency on a whole GPU ÷ the slot's share of the GPU's compute",
            [f"on a whole GPU {fmt.ms(whole)}", f"target {fmt.ms(target, 'none')}"]),
        GOOD if w.meets_slo else BAD)


def _capacity(w: WorkloadSizing) -> KpiCard:
    util = utilisation_at_peak(w)
    n = w.capacity.replicas
    return KpiCard(
        "capacity", "Capacity at peak", f"{fmt.rate(finite(w.capacity_per_s))} {w.rate_unit}",
        f"peak {fmt.rate(finite(w.peak_demand_per_s))} ({fmt.pct(util)} used); "
        f"{n} instance{'s' if n != 1 else ''}",
        tip("What the placed instances sustain against the month-1 peak.",
            "capacity = instances × rate per whole GPU × the slot's share of the GPU",
            [f"rate per whole GPU {fmt.rate(_f(w.basis, 'per_gpu_rate'))} {w.rate_unit}",
             f"target utilisation {fmt.pct(_f(w.basis, 'target_utilisation'))}"]))


def reranker_figures(result: EvaluationResult, i: int, w: WorkloadSizing
                     ) -> tuple[KpiCard, ...]:
    d = w.details
    cost = _f(d, "cost_per_1k_queries_usd")
    rate = result.kpis.cost_per_gpu_hour_usd
    gpu_s = float(d["gpu_seconds_per_query"])
    return (
        _latency(result, i, w, "Latency per query"),
        KpiCard("cost_per_1k", "Cost per 1,000 queries", fmt.usd_cents(cost),
                f"{fmt.num(gpu_s * 1000, digits=1)} GPU-ms per query"
                + (f" at {fmt.usd_cents(rate)}/GPU-h" if rate is not None else ""),
                tip("Owned cost of reranking 1,000 queries.",
                    "GPU-seconds per query × 1,000 ÷ 3,600 × cost per GPU-hour (owned)",
                    [f"GPU-seconds per query {fmt.sig(gpu_s)}",
                     f"cost per GPU-hour {fmt.usd_cents(rate)}"])),
        KpiCard("work", "Work per query", f"{d['candidates_per_query']} pairs",
                f"{fmt.num(float(d['tokens_per_pair']))} tokens each, "
                f"{fmt.num(float(d['tokens_per_query']))} per query",
                tip("Query–passage pairs scored per query.",
                    "tokens per pair = query tokens + passage tokens; per query × candidates",
                    [f"query tokens {fmt.num(float(d['query_tokens']))}",
                     f"passage tokens {fmt.num(float(d['passage_tokens']))}",
                     *[str(x) for x in d.get("throughput_basis") or []]])),
        _capacity(w),
    )


def guard_figures(result: EvaluationResult, i: int, w: WorkloadSizing) -> tuple[KpiCard, ...]:
    d = w.details
    return (
        _latency(result, i, w, "Latency per check"),
        KpiCard("checks", "Checks per request", f"{d['checks_per_request']}",
                f"{fmt.num(float(d['tokens_per_check']))} tokens per check",
                tip("Safety checks each request goes through (input and/or output).", "",
                    [f"tokens per check {fmt.num(float(d['tokens_per_check']))}"])),
        KpiCard("checks_per_gpu", "Checks per GPU", f"{fmt.rate(float(d['checks_per_s_per_gpu']))}/s",
                f"{fmt.num(float(d['tokens_per_s_per_gpu']))} tokens/s per GPU",
                tip("Checks a whole GPU classifies per second.",
                    "tokens/s per GPU ÷ tokens per check",
                    [str(x) for x in d.get("throughput_basis") or []])),
        _capacity(w),
    )


def finetune_figures(result: EvaluationResult, i: int, w: WorkloadSizing
                     ) -> tuple[KpiCard, ...]:
    d = w.details
    engine = [str(x) for x in w.basis.get("engine_basis") or []]
    deadline = _f(d, "deadline_hours")
    meets = d.get("meets_deadline")
    gpus = int(d["job_gpus"])
    fewest = d.get("min_gpus_to_fit")
    for_deadline = d.get("gpus_for_deadline")
    hours = float(d["gpu_hours_per_run"])
    owned, rented = _f(d, "cost_per_run_usd"), _f(d, "cost_per_run_rented_usd")
    rate = result.kpis.cost_per_gpu_hour_usd
    rental_rate = rented / hours if rented is not None and hours > 0 else None
    targets = d.get("lora_targets")
    method = method_name(w) + (f" r{d['lora_rank']}" if d.get("lora_rank") else "")
    where = ("off-peak on the serving GPUs" if d.get("runs_off_peak") else
             "on dedicated GPUs" if d.get("runs_off_peak") is False else "not scheduled")
    epochs = float(d["epochs"])
    runs = float(d["runs_per_month"])
    wall = float(d["wall_time_h"])
    return (
        KpiCard("method", "Method", method,
                (f"adapters on {', '.join(targets)}; " if targets else "")
                + f"{d['optimizer']}, ZeRO {d['zero_stage']}, {d['checkpointing']} "
                  "checkpointing",
                tip("How the model is fine-tuned.", "", engine[:4])),
        KpiCard("tokens", "Tokens per run", fmt.millions(float(d["tokens_per_run"])),
                f"{fmt.millions(float(d['dataset_tokens']))} × {_plural(epochs, 'epoch')}; "
                f"{fmt.sig(runs)} runs a month",
                tip("Training tokens processed by one run.",
                    "tokens per run = dataset tokens × epochs",
                    [f"dataset tokens {fmt.millions(float(d['dataset_tokens']))}",
                     f"epochs {fmt.sig(epochs)}", f"sequence length {d['seq_len_tokens']}, "
                     f"micro-batch {d['micro_batch']}"])),
        KpiCard("job_gpus", "GPUs per run", str(gpus),
                f"fewest that fit: {fewest or 'none'}"
                + (f"; the deadline needs {for_deadline}" if for_deadline else ""),
                tip("GPUs one run uses at once.",
                    "the scenario's GPUs; else the fewest that fit in memory and finish "
                    "within the deadline; else the fewest that fit",
                    [f"set in the scenario: {d.get('gpus') if d.get('gpus') else 'no'}",
                     f"fewest that fit at ZeRO stage {d['zero_stage']}: {fewest or 'none'}",
                     f"fewest for the deadline: {for_deadline or 'n/a'}"]),
                GOOD if d.get("fits", w.fits) else BAD),
        KpiCard("wall_time", "Wall time per run", fmt.hours(wall),
                "deadline " + (f"{fmt.hours(deadline)} ({'met' if meets else 'missed'})"
                               if deadline is not None else "none") + f"; {where}",
                tip("Hours one run takes on its GPUs.",
                    "wall time = tokens × executed FLOPs per token ÷ (GPUs × dense peak × "
                    "efficiency)",
                    [f"GPUs {gpus}", "model FLOPs utilisation "
                     f"{fmt.pct(_f(d, 'model_flops_utilisation'))}",
                     *[x for x in engine if "FLOPs" in x or "peak" in x or "efficiency" in x]]),
                NEUTRAL if deadline is None else GOOD if meets else BAD),
        KpiCard("gpu_hours", "GPU-hours per run", f"{fmt.num(hours, digits=1)} GPU-h",
                f"{fmt.num(float(d['gpu_hours_per_month']), digits=1)} GPU-h a month",
                tip("GPU time of one run and of a month of runs.",
                    "GPU-hours per run = wall time × GPUs; per month × runs per month",
                    [f"wall time {fmt.hours(wall)}", f"GPUs {gpus}",
                     f"runs per month {fmt.sig(runs)}"])),
        KpiCard("cost_per_run", "Cost per run", fmt.usd_short(owned) + " owned"
                if owned is not None else "n/a",
                (f"rented {fmt.usd_short(rented)} at {fmt.usd_cents(rental_rate)}/GPU-h"
                 if rented is not None else "no rental rate to compare" if owned is not None
                 else "not costed: the run does not fit" if not d.get("fits", w.fits)
                 else "not costed"),
                tip("One run on the owned fleet, and on rented GPUs.",
                    "owned = GPU-hours per run × cost per GPU-hour (TCO ÷ installed "
                    "GPU-hours); rented = GPU-hours per run × rental rate",
                    [f"GPU-hours per run {fmt.num(hours, digits=2)}",
                     f"cost per GPU-hour owned {fmt.usd_cents(rate)}",
                     f"rental rate {fmt.usd_cents(rental_rate)}/GPU-h"])),
    )


def finetune_memory(w: WorkloadSizing) -> FinetuneMemoryData | None:
    """The memory chart's data of a fine-tune (None without the figures)."""
    d = w.details
    try:
        parts = tuple((name, float(d[key]) / 1e9) for name, key in MEMORY_PARTS)
        capacity = float(d["capacity_per_gpu_bytes"]) / 1e9
        gpus = int(d["job_gpus"])
        zero = int(d["zero_stage"])
    except (KeyError, TypeError, ValueError):
        return None
    fewest = d.get("min_gpus_to_fit")
    fits = bool(d.get("fits", w.fits))
    note = "" if fits else (f"{w.name} does not fit on any GPU count: "
                            f"{w.basis.get('reason') or 'too much memory per GPU'}")
    return FinetuneMemoryData(w.name, parts, capacity, gpus, zero,
                              int(fewest) if fewest else None, fits, note)
