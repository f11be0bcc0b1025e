"""The "Workloads and shared fleet" area as plain data (Qt-free): what the dashboard shows, and
what the PDF can print, for a scenario with several workloads or any that is not an LLM.

`workloads_area(result, names)` gives:

- one `WorkloadRow` per workload: GPU share and slots, peak demand against capacity (with the
  rate's unit), use at peak, latency against its target (TTFT, one request, or a run's wall
  time against its deadline), memory per instance, cost share and whether it meets its target;
  each cell carries its formula and inputs as a tooltip (from the sizing's `basis`/`details`);
- one `KindCard` per embedder, reranker, guard model and fine-tune with its kind's own figures
  (`workload_kind_cards`), a fine-tune with its memory per GPU as chart data;
- the pool GPU by GPU (`pool_chart_data.PoolPlacementData`), the pool's facts and the
  co-location caveat.

The PDF's workloads section prints these same rows (`workload_rows`) and basis line, so screen
and report agree to the character.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.operations.evaluate import EvaluationResult
from app.operations.pool_chart_data import PoolPlacementData, pool_placement
from app.operations.sizing import WorkloadSizing
from app.reports import fmt
from app.reports.kpi_cards import BAD, GOOD, NEUTRAL, WARN
from app.reports.workload_facts import (
    INTERFERENCE,
    KIND_SHORT,
    SHARING_TEXT,
    finite,
    latency_target,
    peak_capacity,
    periodic_jobs_text,
    slo_word,
    slots_text,
    utilisation_at_peak,
)
from app.reports.workload_kind_cards import KindCard, kind_card, tip

COLUMNS = (
    ("workload", "Workload"), ("kind", "Kind"), ("model", "Model"),
    ("gpu_share", "GPU share: slots"), ("peak", "Peak / capacity"), ("use", "Use at peak"),
    ("latency", "Latency / target"), ("memory", "Memory / instance"),
    ("cost_share", "Cost share"), ("target", "Target"),
)
BUSY = 0.85  # use at peak above which a workload has little headroom left


@dataclass(frozen=True)
class WorkloadCell:
    """One cell: its text, the number behind it (None: text only), a tooltip giving the
    formula and inputs, a tone (good | bad | warn | neutral), and the text in lines for a
    narrow column (`lines`; the same words, `tokens/s` as `tok/s`)."""

    text: str
    value: float | None = None
    tooltip: str = ""
    tone: str = NEUTRAL
    lines: str = ""  # the text in lines for a narrow column (rate units as `tok/s`)

    @property
    def screen_text(self) -> str:
        return self.lines or self.text


@dataclass(frozen=True)
class WorkloadRow:
    index: int
    name: str
    kind: str
    cells: tuple[WorkloadCell, ...]  # one per `COLUMNS` entry

    def cell(self, key: str) -> WorkloadCell:
        return self.cells[[k for k, _ in COLUMNS].index(key)]


@dataclass(frozen=True)
class WorkloadsArea:
    """Everything the area shows (see the module docstring)."""

    headline: str
    rows: tuple[WorkloadRow, ...]
    cards: tuple[KindCard, ...]
    pool: PoolPlacementData | None
    facts: tuple[tuple[str, str], ...]
    caveat: str
    basis: str


def short_unit(unit: str) -> str:
    """`output tok/s`: a rate's unit as the KPI cards write it, for narrow columns."""
    return unit.replace("tokens/s", "tok/s")


def workloads_area(result: EvaluationResult, model_names: tuple[str, ...],
                   gpu_memory_bytes: float, accelerator: str) -> WorkloadsArea:
    """The area for `result`; `model_names` are the catalog names of the workloads' models,
    `gpu_memory_bytes` and `accelerator` the fleet's GPU (memory, name)."""
    cards = tuple(card for i, w in enumerate(result.workloads)
                  if (card := kind_card(result, i, w,
                                        model_names[i] if i < len(model_names) else w.model,
                                        gpu_memory_bytes)) is not None)
    pool = pool_placement(result, gpu_memory_bytes) if result.pool is not None else None
    return WorkloadsArea(
        headline=headline(result, accelerator),
        rows=workload_rows(result, model_names),
        cards=cards,
        pool=pool,
        facts=pool_facts(result),
        caveat=INTERFERENCE,
        basis=basis_text(result),
    )


def workload_rows(result: EvaluationResult, model_names: tuple[str, ...]
                  ) -> tuple[WorkloadRow, ...]:
    """One row per workload (the dashboard's table and the PDF's); `model_names` as in
    `workloads_area`."""
    return tuple(_row(result, i, w, model_names[i] if i < len(model_names) else w.model)
                 for i, w in enumerate(result.workloads))


def basis_text(result: EvaluationResult) -> str:
    """`Basis: …; co-located …`: the pool's basis and the co-location notes ('' if none)."""
    notes = [n for n in result.basis.get("notes") or []
             if n.startswith("co-located") or "not staged" in n]
    basis = list(result.pool.pool.basis) if result.pool is not None else []
    return "Basis: " + "; ".join([*basis, *notes]) + "." if basis or notes else ""


def headline(result: EvaluationResult, accelerator: str) -> str:
    """`4 workloads on 8 × NVIDIA H100 SXM 80GB · all meet their targets`."""
    ws = result.workloads
    gpus = result.kpis.gpus
    missing = [w.name for w in ws if not (w.fits and w.meets_slo)]
    verdict = ("all meet their targets" if not missing else
               f"{len(missing)} of {len(ws)} miss their target or do not fit")
    return (f"{len(ws)} workload{'s' if len(ws) != 1 else ''} on {gpus} × {accelerator} · "
            f"{verdict}")


def _row(result: EvaluationResult, i: int, w: WorkloadSizing, model: str) -> WorkloadRow:
    spec = result.scenario.workloads[i]
    what, latency = latency_target(w, spec)
    util = utilisation_at_peak(w)
    word, status = slo_word(w)
    tco = result.kpis.tco_usd
    share = w.cost_share_usd
    share_text = fmt.usd_short(share)
    if share is not None and tco:
        share_text += f" ({fmt.pct(share / tco)})"
    gpu_share = w.gpu_share
    cells = (
        WorkloadCell(w.name, tooltip=tip(f"{w.name}: {KIND_SHORT.get(w.kind, w.kind)} workload "
                                         f"({w.template} template), limited by {w.bound}", "",
                                         [w.basis.get("reason") or ""])),
        WorkloadCell(KIND_SHORT.get(w.kind, w.kind)),
        WorkloadCell(model, tooltip=tip(f"catalog model {w.model}", "", [])),
        WorkloadCell(f"{fmt.num(gpu_share, digits=2)}: {slots_text(w)}" if gpu_share is not None
                     else slots_text(w), gpu_share, _share_tip(result, w),
                     lines=f"{fmt.num(gpu_share, digits=2)}:\n{slots_text(w)}"
                     if gpu_share is not None else ""),
        WorkloadCell(peak_capacity(w), finite(w.capacity_per_s), _capacity_tip(result, w),
                     lines=peak_capacity(w).replace(f" {w.rate_unit}",
                                                    "\n" + short_unit(w.rate_unit), 1)),
        WorkloadCell(fmt.pct(util), util, tip(
            "Use at peak: the month-1 peak demand as a share of what the placed instances "
            "sustain.", "use = peak ÷ capacity",
            [f"peak {fmt.rate(finite(w.peak_demand_per_s))} {w.rate_unit}",
             f"capacity {fmt.rate(finite(w.capacity_per_s))} {w.rate_unit}"]),
            NEUTRAL if util is None else BAD if util > 1.0 + 1e-9 else
            WARN if util > BUSY else GOOD),
        WorkloadCell(f"{what} {latency}", finite(w.latency_ms) if w.kind != "finetune" else
                     finite(w.details.get("wall_time_h")), _latency_tip(result, i, w),
                     GOOD if w.meets_slo and w.fits else BAD,
                     lines=f"{what} {latency}".replace(" / ", "\n/ ", 1)),
        WorkloadCell(fmt.gb(finite(w.memory_per_instance_bytes)),
                     finite(w.memory_per_instance_bytes), _memory_tip(w)),
        WorkloadCell(share_text, share, tip(
            "This workload's share of the one TCO of the pooled fleet.",
            "cost share = TCO × GPU share ÷ Σ GPU shares",
            [f"TCO {fmt.usd_short(tco)}", f"GPU share {fmt.num(gpu_share, digits=2)}",
             "Σ GPU shares "
             + fmt.num(sum(x.gpu_share or 0.0 for x in result.workloads), digits=2)])),
        WorkloadCell(word, tooltip=tip(_target_words(w, spec.ttft_target_ms), "", []),
                     tone=GOOD if status == "pass" else BAD),
    )
    return WorkloadRow(i, w.name, w.kind, cells)


def _target_words(w: WorkloadSizing, target_ms: float | None) -> str:
    if not w.fits:
        return f"{w.name} does not fit: {w.basis.get('reason') or 'not enough memory per GPU'}"
    if w.kind == "finetune":
        deadline = w.details.get("deadline_hours")
        return ("no deadline: a run is only sized to fit" if deadline is None else
                f"a run must finish within {fmt.hours(float(deadline))}")
    if w.kind == "llm":
        return "TTFT and TPOT targets at the SLO percentile, at the sized load"
    return ("no latency target" if target_ms is None else
            f"one request must take at most {fmt.ms(target_ms)}")


def _share_tip(result: EvaluationResult, w: WorkloadSizing) -> str:
    inputs = [f"slots: {slots_text(w)}"]
    pool = result.pool
    if pool is not None and pool.sharing == "mig":
        inputs.append(f"MIG profiles of the GPU: {', '.join(pool.partition_profiles)}")
    hours = w.details.get("gpu_hours_per_month" if w.kind == "finetune"
                          else "reembed_gpu_hours_per_month")
    if isinstance(hours, int | float) and hours > 0:
        inputs.append(f"periodic GPU-hours per month: {fmt.num(float(hours), digits=1)}")
    return tip("GPUs the pool attributes to this workload (for its cost share).",
               "whole GPUs + MIG compute slices ÷ slices per GPU + time-sliced max(compute, "
               "memory share) + periodic GPU-hours per month ÷ 730 h", inputs)


def _capacity_tip(result: EvaluationResult, w: WorkloadSizing) -> str:
    d, b = w.details, w.basis
    peak, capacity = finite(w.peak_demand_per_s), finite(w.capacity_per_s)
    if w.kind == "llm":
        tokens = result.scenario.workloads[w.index].output_tokens
        return tip("Peak demand in month 1 against what the replicas sustain within the "
                   "latency targets.",
                   "peak = peak requests/s × output tokens; capacity = replicas × sustainable "
                   "requests/s per replica × output tokens",
                   [f"peak requests/s {fmt.rate(finite(d.get('peak_requests_per_s')))}",
                    f"output tokens per request {tokens:,}",
                    f"replicas {w.capacity.replicas} × {w.capacity.gpus_per_replica} GPU(s)",
                    "sustainable requests/s per replica "
                    f"{fmt.rate(finite(d.get('sustainable_requests_per_s_per_replica')))}",
                    str(b.get("efficiency", ""))])
    if w.kind == "finetune":
        return tip("A run's training speed against the speed its deadline asks for.",
                   "peak = tokens per run ÷ deadline; capacity = tokens per run ÷ wall time",
                   [f"tokens per run {fmt.millions(finite(d.get('tokens_per_run')))}",
                    f"deadline {fmt.hours(finite(d.get('deadline_hours')), 'none')}",
                    f"wall time {fmt.hours(finite(d.get('wall_time_h')))} on "
                    f"{d.get('job_gpus')} GPU(s)"])
    per_gpu = finite(b.get("per_gpu_rate"))
    instances = w.capacity.replicas
    slot_share = (capacity / (instances * per_gpu) if capacity and per_gpu and instances
                  else None)
    return tip("Peak demand in month 1 against what the placed instances sustain.",
               "capacity = instances × rate per whole GPU × the slot's share of the GPU",
               [f"peak {fmt.rate(peak)} {w.rate_unit}",
                f"instances {instances} ({b.get('serving_instances')} serving + "
                f"{b.get('spare_instances')} spare)",
                f"rate per whole GPU {fmt.rate(per_gpu)} {w.rate_unit}",
                f"slot share {fmt.num(slot_share, digits=3)} ({slots_text(w)})",
                f"encoder efficiency {b.get('efficiency')} of dense peak; batch {b.get('batch')}"])


def _latency_tip(result: EvaluationResult, i: int, w: WorkloadSizing) -> str:
    spec = result.scenario.workloads[i]
    d, b = w.details, w.basis
    if w.kind == "llm":
        return tip(f"TTFT at p{spec.slo_percentile:g} at the sized load, against its target "
                   f"(TPOT {fmt.ms(finite(w.tpot_ms))} against "
                   f"{fmt.ms(spec.tpot_target_ms, 'none')}).",
                   "prefill (and queueing) time from the roofline model with calibrated "
                   "efficiency; the percentile from the M/G/c queueing tail",
                   [str(b.get("efficiency", ""))])
    if w.kind == "finetune":
        return tip("Wall time of one run against its deadline.",
                   "wall time = tokens per run × executed FLOPs per token ÷ (GPUs × dense "
                   "peak × efficiency)",
                   [f"GPUs per run {d.get('job_gpus')}",
                    f"model FLOPs utilisation {fmt.pct(finite(d.get('model_flops_utilisation')))}",
                    *[str(x) for x in b.get("engine_basis") or [] if "FLOPs" in str(x)
                      or "peak" in str(x) or "efficiency" in str(x)]])
    whole = finite(b.get("latency_whole_gpu_ms"))
    return tip("One request alone on an idle instance (no queueing), against the target.",
               "latency = latency on a whole GPU ÷ the slot's share of the GPU's compute",
               [f"on a whole GPU {fmt.ms(whole)}", f"slots: {slots_text(w)}",
                f"target {fmt.ms(spec.ttft_target_ms, 'none')}"])


def _memory_tip(w: WorkloadSizing) -> str:
    if w.kind == "llm":
        steps = [f"{label} {abs(float(gib)):.1f} GiB"
                 for label, gib in w.basis.get("memory_waterfall", [])]
        return tip("Memory the engine allocates on each GPU of one replica.",
                   "capacity × engine memory fraction (weights, KV cache, activations and "
                   "runtime inside it)", steps)
    if w.kind == "finetune":
        d = w.details
        parts = [f"{name} {fmt.gb(finite(d.get(key)))}" for name, key in (
            ("weights", "weights_bytes"), ("gradients", "gradients_bytes"),
            ("optimizer states", "optimizer_bytes"), ("activations", "activations_bytes"),
            ("overhead", "overhead_bytes"))]
        return tip("Peak memory on each GPU of one run.",
                   "weights + gradients + optimizer states + activations + overhead",
                   [*parts, f"GPU capacity {fmt.gb(finite(d.get('capacity_per_gpu_bytes')))}"])
    return tip("Memory of one instance: weights and the activations of a batch.",
               "weights + activations at the batch size (a MIG slot holds it within its "
               "partition)", [f"batch {w.basis.get('batch')}"])


def pool_facts(result: EvaluationResult, gpus_per_server: int | None = None
               ) -> tuple[tuple[str, str], ...]:
    """The pool's figures: its GPUs by role, MIG profiles, use at peak, periodic jobs, cost
    per GPU-hour. The dashboard's words are short; the PDF's workloads section passes
    `gpus_per_server` and gets the long ones (plurals, why extra GPUs exist and what they do,
    what the GPU-hour rate costs)."""
    pool = result.pool
    if pool is None:
        return ()
    long = gpus_per_server is not None
    p = pool.pool
    k = result.kpis

    def gpus(n: int) -> str:
        return f"{n} whole GPU{'s' if n != 1 else ''}" if long else f"{n} whole"

    shape = []
    if pool.llm_gpus:
        shape.append(f"{gpus(pool.llm_gpus)} for the LLM replicas")
    if p.gpus_whole > pool.llm_gpus:
        shape.append(f"{gpus(p.gpus_whole - pool.llm_gpus)} for encoders")
    if p.gpus_shared:
        shape.append(f"{p.gpus_shared} shared through {SHARING_TEXT.get(pool.sharing)}")
    if p.gpus_periodic:
        shape.append(f"{p.gpus_periodic} dedicated to periodic jobs")
    extra = k.gpus - p.gpus
    if extra > 0:
        servers = f"buying whole {gpus_per_server}-GPU servers" if long else "buying whole servers"
        why = ("the hand-set GPU count" if result.scenario.deployment.gpu_count is not None
               else servers)
        use = (f"run{'s' if extra == 1 else ''} more LLM replicas" if pool.llm_gpus
               else "spare")
        shape.append(f"{extra} extra from {why}" + (f" ({use})" if long else ""))
    facts = [("GPUs in month 1", f"{k.gpus}: " + "; ".join(shape))]
    if pool.sharing == "mig":
        facts.append(("MIG profiles", ", ".join(pool.partition_profiles)))
    use_at_peak = (f"memory {fmt.pct(p.memory_utilisation)}, compute "
                   f"{fmt.pct(p.compute_utilisation)}" + (" of the pool's GPUs" if long else ""))
    facts.append(("pool use at peak" if long else "Pool use at peak", use_at_peak))
    if p.periodic_gpu_hours_per_month > 0:
        facts.append(("periodic jobs" if long else "Periodic jobs", periodic_jobs_text(p)))
    if k.cost_per_gpu_hour_usd is not None:
        rate = fmt.usd_cents(k.cost_per_gpu_hour_usd)
        facts.append(("cost per GPU-hour (owned)", f"{rate}: TCO / installed GPU-hours, the rate "
                      "at which corpus embedding, reranking and fine-tuning are costed") if long
                     else ("Cost per GPU-hour (owned)", f"{rate} = TCO ÷ installed GPU-hours"))
    return tuple(facts)
