"""Deployment, performance and capacity sections: what runs where, how fast, how many."""

from __future__ import annotations

from app.reports import chart_inputs as ci
from app.reports import fmt
from app.reports import tables as t
from app.reports.bands import band_only, ms_band, tokens_band
from app.reports.model import Block, Chart, Fields, Paragraph
from app.reports.subject import ReportSubject
from app.reports.workload_facts import KIND_NAMES, llms, placement_text

POOLED_NOTE = ("Embedders, rerankers, guard models and fine-tuning runs are sized by "
               "throughput, memory and deadlines: see “Workloads and shared fleet”.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def deployment_blocks(s: ReportSubject, key: str) -> list[Block]:
    r, res = s.result, s.resolved
    d = r.scenario.deployment
    gpu = res.accelerator
    rows: list[tuple[str, str]] = []
    many = len(r.scenario.workloads) > 1
    for i, wl in enumerate(r.scenario.workloads):
        m = res.models[i]
        kind = r.workloads[i].kind if i < len(r.workloads) else "llm"
        prefix = f"{wl.name}: " if many else ""
        active = (f", {m.params_active / 1e9:,.1f}B active" if m.params_active < m.params_total
                  else "")
        size = (f"{m.params_total / 1e9:,.1f}B" if m.params_total >= 1e9
                else f"{m.params_total / 1e6:,.0f}M")
        rows.append((f"{prefix}model", f"{m.name} ({size} parameters"
                     f"{active}; {m.publisher or 'publisher n/a'}, {m.origin_country or 'n/a'})"
                     + ("" if kind == "llm" or not many else f"; {KIND_NAMES.get(kind, kind)}")))
        if kind == "finetune":
            continue  # trained in its method's precision (see the workloads section)
        kv = f"; KV cache {res.kv_caches[i].name}" if kind == "llm" else ""
        rows.append((f"{prefix}quantization",
                     f"weights {res.weights[i].name} ({res.weights[i].bits_per_weight:g} bits/"
                     f"weight, {res.weights[i].compute_precision} compute){kv}"))
    rows += [
        ("accelerator", f"{gpu.name}: {gpu.memory_gb:g} GB at {gpu.memory_bandwidth_tbs:g} TB/s"
                        + (f", {gpu.tdp_w:,.0f} W" if gpu.tdp_w else "")
                        + f" ({gpu.vendor}, {gpu.vendor_country})"),
        ("server", (res.server.name if res.server else "generic server")
         + f", {res.gpus_per_server} GPUs per server"),
        ("serving engine", d.engine),
        ("redundancy", d.redundancy),
    ]
    for w in r.workloads:
        b = w.basis
        prefix = f"{w.name}: " if len(r.workloads) > 1 else ""
        if w.kind == "llm":
            rows.append((f"{prefix}layout",
                         f"tensor-parallel {b.get('tp', '?')} × pipeline {b.get('pp', 1)}; "
                         f"{_plural(w.capacity.replicas, 'replica')} of "
                         f"{_plural(w.capacity.gpus_per_replica, 'GPU')}"))
        else:
            rows.append((f"{prefix}placement", placement_text(w)))
    k = r.kpis
    rows.append(("fleet (month 1)", f"{_plural(k.gpus, 'GPU')} in {_plural(k.servers, 'server')}"
                 + (f"; {fmt.num(k.power_kw, digits=1)} kW nameplate" if k.power_kw else "")))
    blocks: list[Block] = [Fields(tuple(rows))]
    for i, w in enumerate(r.workloads):
        steps = w.basis.get("memory_waterfall") or []
        if not steps:
            continue
        label = f" — {w.name}" if len(r.workloads) > 1 else ""
        blocks.append(Chart(key=f"{key}-memory-{i}", kind="memory_waterfall",
                            title=f"Memory per GPU{label} (GiB)",
                            data=ci.memory_waterfall(s, i),
                            caption="From the GPU's capacity down: the engine's reserve, runtime "
                                    "overhead, activations, weights and the KV cache at the "
                                    "sized concurrency; what is left is free."))
        rows_ = [(t.text(str(name)), t.number(float(v), fmt.gib)) for name, v in steps]
        blocks.append(t.table(f"{key}-memory-{i}", f"Memory waterfall per GPU{label}",
                              [t.left("step", 60), t.right("GiB per GPU", "GiB")], rows_,
                              width_pct=55))
        cands = w.basis.get("candidates") or []
        if cands:
            crow = [(t.number(float(c["gpus_per_replica"])),
                     t.text("yes" if c["meets_slo"] else "no",
                            "pass" if c["meets_slo"] else "fail"),
                     t.number(None if c["gpus"] is None else float(c["gpus"])),
                     t.text("chosen" if c["gpus_per_replica"] == w.capacity.gpus_per_replica
                            else ""))
                    for c in cands]
            blocks.append(t.table(f"{key}-layouts-{i}", f"Replica layouts considered{label}",
                                  [t.right("GPUs per replica"), t.left("meets the targets"),
                                   t.right("GPUs needed (before whole servers)", "GPUs"),
                                   t.left("")], crow,
                                  note="The layout meeting the latency targets with the fewest "
                                       "GPUs is chosen (ties: the smaller replica)."))
    return blocks


def performance_blocks(s: ReportSubject, key: str) -> list[Block]:
    r = s.result
    generative = llms(s)
    others = len(generative) < len(r.workloads)
    if not generative:
        return [Paragraph("This scenario has no generative LLM, so there is no TTFT, TPOT or "
                          "token throughput to report. " + POOLED_NOTE)]
    rows = []
    for i, w in generative:
        wl = r.scenario.workloads[i]
        ok = "pass" if w.meets_slo else "fail"
        rows.append((
            t.text(w.name),
            t.text(f"P{wl.slo_percentile:g}"),
            t.number(w.ttft_ms, lambda v: ms_band(r, v, "ttft_ms")),
            t.number(wl.ttft_target_ms, fmt.ms),
            t.number(w.tpot_ms, lambda v: ms_band(r, v, "tpot_ms")),
            t.number(wl.tpot_target_ms, fmt.ms),
            t.number(float(w.basis.get("sustainable_requests_per_s_per_replica") or 0.0),
                     lambda v: fmt.num(v, digits=2)),
            t.number(float(w.basis.get("concurrency_per_replica") or 0.0)),
            t.number(w.output_tokens_per_s, lambda v: tokens_band(r, v)),
            t.text(w.bound),
            t.text("meets" if w.meets_slo else "misses", ok),
        ))
    blocks: list[Block] = [
        Paragraph("Latency at the sized operating point (the highest request rate per replica "
                  "that meets both targets at the SLO percentile), against the targets. In "
                  "brackets: the calibration band, where measured values of configurations "
                  "like this one fell (P10–P90 of measured / predicted; method notes)."),
        t.table(f"{key}-latency", "Latency against the targets",
                [t.left("workload", 10), t.left("pct.", 5), t.right("TTFT (band)", "ms", 12),
                 t.right("target", "ms", 9), t.right("TPOT (band)", "ms", 11),
                 t.right("target", "ms", 8), t.right("req/s per replica", "requests/s", 8),
                 t.right("running per replica", "sequences", 8),
                 t.right("output tokens/s (band)", "tokens/s", 12), t.left("bound", 10),
                 t.left("SLO", 7)], rows, font="small",
                note="Output tokens/s: all replicas of the workload within the targets."),
    ]
    if others:
        blocks.append(Paragraph(POOLED_NOTE, "note"))
    for i, w in generative:
        label = f" — {w.name}" if len(r.workloads) > 1 else ""
        blocks.append(Chart(key=f"{key}-load-{i}", kind="load_curve",
                            title=f"Latency against load{label}",
                            data=ci.load_curve(s, i),
                            caption="One replica under rising load: output tokens/s, and TTFT "
                                    "and TPOT at the SLO percentile against the targets; the "
                                    "dotted line is the highest load within the targets."))
        bands = [f"TTFT {band_only(r, w.ttft_ms, 'ttft_ms')}",
                 f"TPOT {band_only(r, w.tpot_ms, 'tpot_ms')}",
                 f"output {band_only(r, w.output_tokens_per_s, 'output_tokens_per_s')}"]
        blocks.append(Paragraph(
            f"Calibration band{label}: measured values of configurations like this one fell "
            f"within {'; '.join(bands)} (P10–P90 of measured / predicted over the calibration "
            "set; see the method notes).", "note"))
    return blocks


def capacity_blocks(s: ReportSubject, key: str) -> list[Block]:
    r = s.result
    k = r.kpis
    rows = []
    for _, w in llms(s):
        demand = w.peak_demand_tokens_per_s
        rows.append((
            t.text(w.name),
            t.number(float(w.basis.get("peak_requests_per_s") or 0.0),
                     lambda v: fmt.num(v, digits=2)),
            t.number(demand),
            t.number(float(w.capacity.replicas)),
            t.number(float(w.capacity.gpus_per_replica)),
            t.number(w.output_tokens_per_s),
            t.number(w.output_tokens_per_s / demand if demand > 0 else None, fmt.ratio),
        ))
    blocks: list[Block] = []
    if not rows:
        blocks.append(Paragraph("No generative LLM in this scenario: no token demand to size. "
                                + POOLED_NOTE))
    else:
        blocks.append(t.table(
            f"{key}-capacity", "Demand at the month-1 peak and the replicas serving it",
            [t.left("workload"), t.right("peak requests/s", "requests/s"),
             t.right("peak output tokens/s", "tokens/s"), t.right("replicas"),
             t.right("GPUs per replica"), t.right("sized output tokens/s", "tokens/s"),
             t.right("capacity / demand", "ratio")], rows,
            note="Replicas include the redundancy; output tokens/s is what the replicas "
                 "sustain within the latency targets."
                 + (" " + POOLED_NOTE if len(rows) < len(r.workloads) else "")))
    if r.series:
        per_year: dict[int, list[int]] = {}
        for p in r.series:
            per_year.setdefault((p.month - 1) // 12 + 1, []).append(p.month - 1)
        yrows = []
        for year, months in per_year.items():
            last = r.series[months[-1]]
            toks = sum(r.series[m].tokens for m in months)
            yrows.append((t.text(f"year {year}"), t.number(float(last.gpus)),
                          t.number(float(last.servers)), t.number(toks, fmt.tokens)))
        blocks.append(t.table(f"{key}-fleet", "Fleet and volume by year",
                              [t.left("year"), t.right("GPUs at year end", "GPUs"),
                               t.right("servers at year end", "servers"),
                               t.right("tokens served", "tokens")], yrows))
    facts = [("GPUs / servers (month 1)", f"{k.gpus} / {k.servers}")]
    if k.gpus_final is not None:
        facts.append(("GPUs at the end of the horizon", str(k.gpus_final)))
    if k.power_kw is not None:
        facts.append(("nameplate power (month 1)", f"{k.power_kw:,.1f} kW"))
    if k.utilisation_mean is not None:
        facts.append(("GPU utilisation (mean / peak)",
                      f"{fmt.pct(k.utilisation_mean)} / {fmt.pct(k.utilisation_peak)}"))
    if k.output_tokens_per_s is not None:
        facts.append(("fleet output tokens/s within the targets",
                      tokens_band(r, k.output_tokens_per_s)))
    blocks.append(Fields(tuple(facts)))
    return blocks

