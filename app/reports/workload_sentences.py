"""Executive-summary sentences about the workloads beside the LLM and the fleet they share.

Written from the evaluation like the other sentences (`sentences`): who shares which GPUs and
how, what runs in the serving GPUs' idle hours, each encoder's and fine-tune's headline figures,
and how the one TCO splits between the workloads. A scenario with one LLM and nothing else gets
none of them.
"""

from __future__ import annotations

from collections import Counter

from app.operations.sizing import WorkloadSizing
from app.reports import fmt
from app.reports.subject import ReportSubject
from app.reports.workload_facts import finite, join, method_name, noun

SHARING_WAYS = {"mig": "through MIG partitions", "time-slicing": "by time-slicing"}
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _count(n: int, word: str) -> str:
    return f"{NUMBER_WORDS.get(n, str(n))} {word}{'' if n == 1 else 's'}"


def _non_llm(s: ReportSubject) -> list[WorkloadSizing]:
    return [w for w in s.result.workloads if w.kind != "llm"]


def pooled_fit_sentence(s: ReportSubject) -> str:
    """Encoders and fine-tunes that do not fit, or miss their latency target or deadline."""
    out = []
    for w in _non_llm(s):
        reason = str(w.basis.get("reason") or "")
        if not w.fits:
            out.append(f"{_cap(noun(w))} does not fit on {s.resolved.accelerator.name}"
                       + (f": it {reason}" if reason.startswith("needs") else
                          f" ({reason})" if reason else "")
                       + ", so cost is not evaluated.")
        elif not w.meets_slo:
            if w.kind == "finetune":
                out.append(f"{_cap(noun(w))} misses its deadline: {reason}.")
            else:
                target = s.result.scenario.workloads[w.index].ttft_target_ms
                out.append(f"{_cap(noun(w))} misses its {fmt.ms(target)} target: one request "
                           f"takes {fmt.ms(finite(w.latency_ms))} on its slot.")
    return " ".join(out)


def _mig_slots(w: WorkloadSizing) -> list[tuple[str, int]]:
    return [(slot, n) for slot, n in w.slots.items()
            if slot not in ("whole", "shared", "off-peak", "dedicated")]


def sharing_sentence(s: ReportSubject) -> str:
    """`The embedder and the reranker share one GPU through MIG partitions (2 × 1g.10gb and
    2 × 2g.20gb); the LoRA fine-tune “weekly-lora” runs in the serving GPUs' idle hours …`."""
    r = s.result
    pool = r.pool
    others = _non_llm(s)
    if pool is None or not others:
        return ""
    p = pool.pool
    clauses = []
    shared = [w for w in others if _mig_slots(w) or w.slots.get("shared")]
    if shared:
        way = SHARING_WAYS.get(pool.sharing, "")
        slots = join([f"{n} × {slot}" for w in shared for slot, n in _mig_slots(w)])
        detail = f" ({slots})" if slots else ""
        gpus = _count(p.gpus_shared, "GPU")
        if len(shared) == 1:
            verb = "takes" if _mig_slots(shared[0]) else "shares"
            what = (f"MIG partitions of {gpus}{detail}" if _mig_slots(shared[0])
                    else f"{gpus} {way}")
            clauses.append(f"{noun(shared[0])} {verb} {what}")
        else:
            clauses.append(f"{join([noun(w) for w in shared])} share {gpus} {way}{detail}")
    whole = [w for w in others if w.slots.get("whole")]
    for w in whole:
        clauses.append(f"{noun(w)} runs on {_count(w.slots['whole'], 'whole GPU')} of its own")
    periodic = [w for w in others if w.slots.get("off-peak") or w.slots.get("dedicated")]
    if periodic:
        jobs = [noun(w) if w.kind == "finetune" else
                f"{noun(w)}'s re-embedding of the corpus" for w in periodic]
        hours = fmt.num(p.periodic_gpu_hours_per_month)
        if p.periodic_in_idle:
            clauses.append(f"{join(jobs)} run{'s' if len(jobs) == 1 else ''} in the serving "
                           f"GPUs' idle hours ({hours} of {fmt.num(p.idle_gpu_hours_per_month)} "
                           "idle GPU-hours a month)")
        else:
            clauses.append(f"{join(jobs)} {'gets' if len(jobs) == 1 else 'get'} "
                           f"{_count(p.gpus_periodic, 'dedicated GPU')} ({hours} GPU-hours "
                           "a month)")
    if not clauses:
        return ""
    return _cap("; ".join(clauses)) + "."


def _embedding(s: ReportSubject, w: WorkloadSizing) -> str:
    d = w.details
    cost = d.get("corpus_embed_cost_usd")
    reembeds = float(d.get("reembeds_per_month") or 0.0)
    text = (f"{_cap(noun(w))} turns the {fmt.num(float(d['corpus_documents']))}-document "
            f"corpus into {fmt.millions(float(d['vectors']))} vectors in "
            f"{fmt.num(float(d['corpus_embed_gpu_hours']), digits=1)} GPU-hours"
            + (f" ({fmt.usd_short(float(cost))})" if cost is not None else ""))
    if reembeds:
        text += (", repeated once a month" if reembeds == 1 else
                 f", repeated {fmt.sig(reembeds)} times a month")
    text += (f"; its {str(d['index']).upper()} index takes "
             f"{fmt.gb(float(d['index_memory_bytes']))} of host memory and "
             f"{fmt.gb(float(d['index_disk_bytes']))} of disk")
    target = s.result.scenario.workloads[w.index].ttft_target_ms
    if w.meets_slo and target is not None:
        text += (f", and a query embeds in {fmt.ms(finite(w.latency_ms))} against "
                 f"{fmt.ms(target)}")
    return text + "."


def _reranker(s: ReportSubject, w: WorkloadSizing) -> str:
    d = w.details
    target = s.result.scenario.workloads[w.index].ttft_target_ms
    cost = d.get("cost_per_1k_queries_usd")
    text = (f"{_cap(noun(w))} scores {d['candidates_per_query']} passages per query in "
            f"{fmt.ms(finite(w.latency_ms))}"
            + (f" against its {fmt.ms(target)} target" if target is not None else ""))
    if cost is not None:
        text += f", at {fmt.usd_cents(float(cost))} per 1,000 queries"
    return text + "."


def _guard(s: ReportSubject, w: WorkloadSizing) -> str:
    d = w.details
    target = s.result.scenario.workloads[w.index].ttft_target_ms
    n = int(d["checks_per_request"])
    times = {1: "once", 2: "twice"}.get(n, f"{n} times")
    return (f"{_cap(noun(w))} screens each request {times} in "
            f"{fmt.ms(finite(w.latency_ms))} per check"
            + (f" against {fmt.ms(target)}" if target is not None else "")
            + f", with room for {fmt.rate(finite(w.capacity_per_s))} {w.rate_unit} at a peak "
              f"of {fmt.rate(finite(w.peak_demand_per_s))}.")


def _finetune(s: ReportSubject, w: WorkloadSizing) -> str:
    d = w.details
    deadline = d.get("deadline_hours")
    gpus = int(d["job_gpus"])
    text = (f"Each {method_name(w)} run of {fmt.millions(float(d['tokens_per_run']))} tokens "
            f"takes {fmt.hours(float(d['wall_time_h']))} on {gpus} GPU{'s' if gpus != 1 else ''}")
    if deadline is not None:
        text += (f", within its {fmt.hours(float(deadline))} deadline" if d.get("meets_deadline")
                 else f", over its {fmt.hours(float(deadline))} deadline")
    text += f": {fmt.num(float(d['gpu_hours_per_run']), digits=1)} GPU-hours"
    cost, rented = d.get("cost_per_run_usd"), d.get("cost_per_run_rented_usd")
    if cost is not None:
        text += f", {fmt.usd_short(float(cost))} on the owned fleet"
        if rented is not None:
            text += f" against {fmt.usd_short(float(rented))} on rented GPUs"
    return text + "."


KIND_SENTENCES = {"embedding": _embedding, "reranker": _reranker, "guard": _guard,
                  "finetune": _finetune}


def kind_sentences(s: ReportSubject) -> str:
    """One sentence per encoder and fine-tune that fits: its kind's headline figures."""
    return " ".join(KIND_SENTENCES[w.kind](s, w) for w in _non_llm(s)
                    if w.fits and w.kind in KIND_SENTENCES)


def cost_share_sentence(s: ReportSubject) -> str:
    """`By GPU share, the LLM “answers” carries 87% of the TCO ($2.89M), the reranker 8%, …`."""
    r = s.result
    tco = r.kpis.tco_usd
    shares = [(w.cost_share_usd, w) for w in r.workloads if w.cost_share_usd is not None]
    if tco is None or tco <= 0 or len(r.workloads) < 2 or not shares:
        return ""
    shares.sort(key=lambda x: -(x[0] or 0.0))
    first_usd, first = shares[0]
    rest = [f"{noun(w)} {fmt.pct((usd or 0.0) / tco)}" for usd, w in shares[1:]]
    kinds = Counter(w.kind for w in r.workloads)
    basis = "GPU share" if len(kinds) > 1 or kinds["llm"] != len(r.workloads) else "GPUs"
    text = (f"By {basis}, {noun(first)} carries {fmt.pct((first_usd or 0.0) / tco)} of the TCO "
            f"({fmt.usd_short(first_usd)})")
    if rest:
        text += ", " + join(rest)
    return _cap(text) + "."
