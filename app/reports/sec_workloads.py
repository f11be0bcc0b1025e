"""The "Workloads and shared fleet" section: every workload of a scenario on its pooled fleet.

For a scenario with several workloads, or any that is not a generative LLM: a table of every
workload (GPU share and slots, peak against capacity, latency against target, memory, cost
share), the fleet GPU by GPU (`PoolPlacementChart`), the pool's figures, one card per encoder and
fine-tuning workload with its kind's own figures, and the co-location caveat.
"""

from __future__ import annotations

from typing import Any

from app.operations.pool_chart_data import pool_placement
from app.operations.sizing import WorkloadSizing
from app.reports import fmt
from app.reports import tables as t
from app.reports.kpi_cards import GOOD, NEUTRAL, KpiCard
from app.reports.model import (
    Block,
    Cell,
    Chart,
    Fields,
    Heading,
    Kpi,
    KpiGrid,
    Paragraph,
    Table,
)
from app.reports.subject import ReportSubject
from app.reports.workload_cards import WorkloadCell, basis_text, workload_rows
from app.reports.workload_cards import pool_facts as cards_pool_facts
from app.reports.workload_facts import (
    INTERFERENCE,
    KIND_NAMES,
    KIND_NOUNS,
    SHARING_TEXT,
    join,
    method_name,
)
from app.reports.workload_kind_cards import (
    embedding_figures,
    guard_figures,
    reranker_figures,
)
from app.reports.workload_sentences import NUMBER_WORDS

ENCODER_FIGURES = {"embedding": embedding_figures, "reranker": reranker_figures,
                   "guard": guard_figures}


def workloads_blocks(s: ReportSubject, key: str) -> list[Block]:
    r = s.result
    blocks: list[Block] = [Paragraph(intro_text(s)), workload_table(s, key)]
    if r.pool is not None:
        data = pool_placement(r, s.resolved.accelerator.memory_bytes)
        blocks.append(Chart(key=f"{key}-pool", kind="pool_placement",
                            title="The shared GPU pool: what runs on each GPU", data=data,
                            caption="One bar per GPU installed in month 1, stacked by workload "
                                    "and slot: whole GPUs, MIG partitions (compute slices of "
                                    "the GPU) or time-sliced shares; periodic jobs run in the "
                                    "serving GPUs' idle hours or on dedicated GPUs.",
                            width_pct=92))
        blocks.append(Fields(pool_facts(s)))
    for i, w in enumerate(r.workloads):
        if w.kind == "llm":
            continue
        kind = KIND_NAMES.get(w.kind, w.kind)
        plain = w.name.strip().lower() in (kind.lower(), KIND_NOUNS.get(w.kind, "").lower())
        blocks.append(Heading(f"{w.name}{'' if plain else f': {kind}'} "
                              f"({s.resolved.models[i].name})", level=3))
        blocks.extend(card_blocks(s, i, w, key))
    blocks.extend(caveat_blocks(s))
    return blocks


def intro_text(s: ReportSubject) -> str:
    r = s.result
    n = len(r.workloads)
    gpu = s.resolved.accelerator.name
    count = NUMBER_WORDS.get(n, str(n)).capitalize()
    head = (f"{'One workload runs' if n == 1 else f'{count} workloads share'} one fleet of "
            f"{r.kpis.gpus} {gpu} GPU{'s' if r.kpis.gpus != 1 else ''}")
    pool = r.pool
    if pool is None:
        return (f"{head}; the fleet was not planned because "
                f"{join([w.name for w in r.workloads if not w.fits])} does not fit, so no cost "
                "is attributed.")
    parts = []
    if pool.llm_gpus:
        parts.append(f"the LLM replicas take {pool.llm_gpus} whole GPU"
                     f"{'s' if pool.llm_gpus != 1 else ''}")
    if pool.pool.gpus_shared:
        parts.append(f"encoders share {pool.pool.gpus_shared} GPU"
                     f"{'s' if pool.pool.gpus_shared != 1 else ''} through "
                     f"{SHARING_TEXT.get(pool.sharing, pool.sharing)}")
    whole_encoders = pool.pool.gpus_whole - pool.llm_gpus
    if whole_encoders > 0:
        parts.append(f"encoders take {whole_encoders} whole GPU"
                     f"{'s' if whole_encoders != 1 else ''}")
    if pool.pool.periodic_gpu_hours_per_month > 0:
        parts.append("periodic jobs run in the serving GPUs' idle hours"
                     if pool.pool.periodic_in_idle else
                     f"periodic jobs get {pool.pool.gpus_periodic} dedicated GPU"
                     f"{'s' if pool.pool.gpus_periodic != 1 else ''}")
    return (f"{head}: {join(parts)}. One TCO covers them all; each workload's cost share is "
            "the TCO × its GPU share / the sum of the GPU shares (whole GPUs, MIG slices / "
            "slices per GPU, off-peak GPU-hours / 730 h).")


def workload_table(s: ReportSubject, key: str) -> Table:
    """The dashboard's workload rows (`workload_cards.workload_rows`) as a report table."""
    rows = []
    for row in workload_rows(s.result, tuple(m.name for m in s.resolved.models)):
        cell = row.cell
        rows.append((
            t.text(cell("workload").text),
            t.text(cell("kind").text),
            t.text(cell("model").text),
            Cell(cell("gpu_share").text, cell("gpu_share").value),
            t.text(cell("peak").text),
            _number(cell("use")),
            t.text(cell("latency").text),
            _number(cell("memory")),
            Cell(cell("cost_share").text, cell("cost_share").value),
            t.text(cell("target").text, "pass" if cell("target").tone == GOOD else "fail"),
        ))
    return t.table(f"{key}-workloads", "Workloads on the shared fleet",
                   [t.left("workload", 10), t.left("kind", 10), t.left("model", 11),
                    t.left("GPU share: slots", 12, "GPUs"), t.left("peak / capacity", 14),
                    t.right("use at peak", "fraction", 6), t.left("latency / target", 12),
                    t.right("memory", "bytes", 9), t.right("cost share", "USD", 9),
                    t.left("target", 7)],
                   rows, font="small",
                   note="Capacity: what the placed instances sustain (LLM: within the latency "
                        "targets; fine-tune: training tokens/s of one run against tokens per "
                        "run / deadline). Latency: TTFT at the SLO percentile (LLM), one request "
                        "on its slot with no queueing (encoders), wall time of a run against its "
                        "deadline (fine-tune). Memory: per GPU of one instance (a MIG slot holds "
                        "it within its partition). Target: the latency target or deadline.")


def pool_facts(s: ReportSubject) -> tuple[tuple[str, str], ...]:
    """The pool's figures in the PDF's words (`workload_cards.pool_facts`, long form)."""
    return cards_pool_facts(s.result, s.resolved.gpus_per_server)


def card_blocks(s: ReportSubject, i: int, w: WorkloadSizing, key: str) -> list[Block]:
    """An encoder's figures as the dashboard's cards (`workload_kind_cards`) print them; a
    fine-tune's as cards and its memory table."""
    if w.kind == "finetune":
        return finetune_blocks(s, w, key)
    figures = ENCODER_FIGURES.get(w.kind)
    if figures is None:
        return []
    return [KpiGrid(tuple(_kpi(card) for card in figures(s.result, i, w)))]


def _kpi(card: KpiCard) -> Kpi:
    """A dashboard card as a report KPI: the report's KPI labels start in lower case."""
    return Kpi(card.label[:1].lower() + card.label[1:], card.value, card.detail,
               "" if card.tone == NEUTRAL else card.tone)


def _status(ok: bool | None) -> str:
    return "" if ok is None else "good" if ok else "bad"


def finetune_blocks(s: ReportSubject, w: WorkloadSizing, key: str) -> list[Block]:
    d = w.details
    deadline = d.get("deadline_hours")
    meets = d.get("meets_deadline")
    cost, rented = d.get("cost_per_run_usd"), d.get("cost_per_run_rented_usd")
    targets = d.get("lora_targets")
    method = method_name(w) + (f" r{d['lora_rank']}" if d.get("lora_rank") else "")
    where = ("off-peak on the serving GPUs" if d.get("runs_off_peak") else
             "on dedicated GPUs" if d.get("runs_off_peak") is False else "not scheduled")
    gpu_hours = float(d["gpu_hours_per_run"])
    owned_rate = s.result.kpis.cost_per_gpu_hour_usd
    rented_text = ""
    if rented is not None and gpu_hours > 0:
        rented_text = (f"; rented {fmt.usd_short(float(rented))} at "
                       f"{fmt.usd_cents(float(rented) / gpu_hours)}/GPU-h")
    cards = KpiGrid((
        Kpi("method", method, (f"adapters on {', '.join(targets)}; " if targets else "")
            + f"{d['optimizer']}, ZeRO stage {d['zero_stage']}, {d['checkpointing']} "
              "checkpointing"),
        Kpi("tokens per run", fmt.millions(float(d["tokens_per_run"])),
            f"{fmt.millions(float(d['dataset_tokens']))} × {fmt.sig(float(d['epochs']))} "
            f"epoch{'s' if d['epochs'] != 1 else ''}; {fmt.sig(float(d['runs_per_month']))} "
            f"runs/month {where}"),
        Kpi("wall time per run", fmt.hours(float(d["wall_time_h"])),
            f"on {d['job_gpus']} GPU{'s' if d['job_gpus'] != 1 else ''}; deadline "
            + (f"{fmt.hours(float(deadline))} ({'met' if meets else 'missed'})"
               if deadline is not None else "none")
            + f"; fewest GPUs that fit: {d['min_gpus_to_fit'] or 'none'}", _status(meets)),
        Kpi("cost per run (owned)", fmt.usd_short(float(cost)) if cost is not None else "n/a",
            f"{fmt.num(gpu_hours, digits=1)} GPU-h"
            + (f" at {fmt.usd_cents(owned_rate)}/GPU-h" if owned_rate is not None else "")
            + rented_text),
    ))
    capacity = float(d["capacity_per_gpu_bytes"])
    parts = (("weights", "weights_bytes"), ("gradients", "gradients_bytes"),
             ("optimizer states", "optimizer_bytes"), ("activations", "activations_bytes"),
             ("overhead", "overhead_bytes"))
    rows = [(t.text(name), t.number(float(d[field]), fmt.gb),
             t.number(float(d[field]) / capacity if capacity else None, fmt.pct))
            for name, field in parts]
    total = float(d["memory_per_gpu_bytes"])
    fits = bool(d.get("fits", w.fits))
    rows.append((t.text("total per GPU", "total"), t.number(total, fmt.gb, "total"),
                 t.number(total / capacity if capacity else None, fmt.pct,
                          "pass" if fits else "fail")))
    rows.append((t.text("GPU capacity"), t.number(capacity, fmt.gb), t.text("")))
    table = t.table(f"{key}-finetune-{w.index}", f"Memory per GPU of one run — {w.name}",
                    [t.left("component", 45), t.right("per GPU", "bytes", 30),
                     t.right("of capacity", "fraction", 25)], rows, width_pct=60,
                    note=f"{d['job_gpus']} GPU{'s' if d['job_gpus'] != 1 else ''} per run, "
                         f"ZeRO stage {d['zero_stage']}; the largest part is the "
                         f"{d['largest_memory_component']}. " + _fewest_text(d))
    return [cards, table]


def caveat_blocks(s: ReportSubject) -> list[Block]:
    blocks: list[Block] = [Paragraph(INTERFERENCE, "note")]
    basis = basis_text(s.result)
    if basis:
        blocks.append(Paragraph(basis, "note"))
    return blocks


def _number(cell: WorkloadCell) -> Cell:
    """A numeric cell as `tables.number` makes it: exported as the number, '' when missing."""
    return Cell(cell.text, "" if cell.value is None else cell.value)


def _fewest_text(d: dict[str, Any]) -> str:
    fewest, deadline = d.get("min_gpus_to_fit"), d.get("gpus_for_deadline")
    text = (f"The smallest GPU count that fits is {fewest}" if fewest
            else "No GPU count fits this method on this accelerator")
    if deadline:
        text += f"; the deadline asks for {deadline}"
    return text + "."
