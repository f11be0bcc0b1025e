"""The executive summary in plain sentences, written from the numbers every time.

No sentence is canned: each is chosen and filled from the evaluation (fit, sizing, latency,
costs, break-even, uncertainty, tornado, constraint checks), so the text cannot contradict the
tables. Rules of wording, so the sentences stay true:

- comparisons use the ratio of the two figures: within ±5 % is "about the same as", above is
  "N× the", below is "N % less than";
- "never" is said only for a break-even that does not happen within the horizon;
- a figure that is not available (no API chosen, model does not fit) is left out, never zero;
- the largest cost categories are named with their share of the TCO.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from app.engine.constraint_types import ConstraintResult
from app.reports import fmt
from app.reports.labels import category_label, field_label
from app.reports.subject import ReportSubject
from app.reports.workload_sentences import (
    cost_share_sentence,
    kind_sentences,
    pooled_fit_sentence,
    sharing_sentence,
)

SAME_BAND = 0.05  # |ratio − 1| within this is "about the same"
IDLE_UTILISATION = 0.3
OWNED_SUBJECTS = ("deployment", "model", "accelerator")
ALTERNATIVE_NAMES = {"api": "the cloud API", "rental": "rented GPUs"}


def horizon_text(months: int) -> str:
    """`5 years` for 60 months, `18 months` otherwise."""
    if months % 12 == 0:
        years = months // 12
        return "1 year" if years == 1 else f"{years} years"
    return f"{months} months"


def compare_phrase(ours: float, theirs: float, what: str) -> str:
    """`6.7× the cloud API ($330k)`, `about the same as …`, `45% less than …`."""
    if theirs <= 0:
        return f"more than {what} ({fmt.usd_short(theirs)})"
    r = ours / theirs
    if abs(r - 1.0) <= SAME_BAND:
        return f"about the same as {what} ({fmt.usd_short(theirs)})"
    if r > 1.0:
        return f"{fmt.ratio(r)} {what} ({fmt.usd_short(theirs)})"
    return f"{fmt.pct(1.0 - r)} less than {what} ({fmt.usd_short(theirs)})"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _precision_name(subject: ReportSubject, i: int) -> str:
    """The weights format as written in the scenario (FP8, BF16, Q4_K_M): the catalog's long
    names ("FP8 (E4M3) weights and activations") read badly inside a sentence."""
    return subject.result.scenario.workloads[i].weights.upper()


def fit_sentence(subject: ReportSubject) -> str:
    """Fit, layout and latency against the targets at the sized load."""
    r = subject.result
    res = subject.resolved
    gpu = res.accelerator.name
    parts = []
    generative = [(i, w) for i, w in enumerate(r.workloads) if w.kind == "llm"]
    for i, w in generative:
        model = res.models[i].name
        fmt_name = _precision_name(subject, i)
        if not w.fits:
            parts.append(f"{model} in {fmt_name} does not fit in the memory of {gpu}, "
                         "so its performance and cost are not evaluated.")
            continue
        tp = int(w.basis.get("tp", w.capacity.gpus_per_replica))
        replica = (f"{w.capacity.replicas} replica{'s' if w.capacity.replicas != 1 else ''} of "
                   f"{w.capacity.gpus_per_replica} GPU{'s' if w.capacity.gpus_per_replica != 1 else ''}"
                   f" (tensor-parallel {tp})")
        wl = r.scenario.workloads[i]
        pct_text = f"P{wl.slo_percentile:g}"
        targets = []
        if wl.ttft_target_ms is not None:
            targets.append(f"TTFT {fmt.ms(w.ttft_ms)} against {fmt.ms(wl.ttft_target_ms)}")
        if wl.tpot_target_ms is not None:
            targets.append(f"TPOT {fmt.ms(w.tpot_ms)} against {fmt.ms(wl.tpot_target_ms)}")
        peak = w.basis.get("peak_requests_per_s")
        at_peak = f" at the month-1 peak of {peak:,.2f} requests/s" if peak else ""
        if w.meets_slo:
            slo = (f"meet the {pct_text} latency targets ({'; '.join(targets)}){at_peak}"
                   if targets else f"serve the month-1 peak{at_peak}")
        else:
            reason = w.basis.get("reason") or "the latency targets cannot be met on this hardware"
            slo = (f"miss the {pct_text} latency targets ({'; '.join(targets)}): {reason}; "
                   "the fleet is costed at full offline throughput")
        lead = f"{model} in {fmt_name} fits on {gpu}: " if len(r.workloads) == 1 else \
            f"The LLM “{w.name}”, {model} in {fmt_name}, fits on {gpu}: "
        parts.append(f"{lead}{replica} {slo}.")
    return " ".join(parts)


def fleet_sentence(subject: ReportSubject) -> str:
    """GPUs and servers bought, why more than sized, power, growth."""
    r = subject.result
    k = r.kpis
    d = r.scenario.deployment
    sized = r.pool.pool.gpus if r.pool is not None else sum(
        w.capacity.replicas * w.capacity.gpus_per_replica for w in r.workloads)
    text = (f"The fleet is {k.gpus} GPU{'s' if k.gpus != 1 else ''} in "
            f"{k.servers} server{'s' if k.servers != 1 else ''}")
    if k.power_kw is not None:
        text += f" ({k.power_kw:,.1f} kW nameplate)"
    if k.gpus > sized and d.whole_servers and d.gpu_count is None:
        text += (f"; {sized} would serve the peak with redundancy, and the rest come from "
                 f"buying whole {subject.resolved.gpus_per_server}-GPU servers")
    elif d.gpu_count is not None and d.gpu_count > sized:
        text += f", a hand-set count above the {sized} the peak needs with redundancy"
    elif d.gpu_count is not None and d.gpu_count < sized:
        text += (f", a hand-set count below the {sized} the peak needs with redundancy, "
                 "so the latency targets will be missed at peak")
    if k.gpus_final is not None and k.gpus_final > k.gpus:
        growth = max(w.growth_per_year for w in r.scenario.workloads)
        text += (f"; demand growth ({fmt.pct(growth)}/year) adds GPUs up to {k.gpus_final} "
                 f"by month {r.scenario.costs.horizon_months}")
    return text + "."


def capacity_sentence(subject: ReportSubject) -> str:
    r = subject.result
    k = r.kpis
    if k.output_tokens_per_s is None:
        return ""
    demand = sum(w.peak_demand_tokens_per_s for w in r.workloads if w.kind == "llm")
    text = (f"{'The LLM replicas sustain' if len(r.workloads) > 1 else 'It sustains'} "
            f"{fmt.num(k.output_tokens_per_s)} output tokens/s within the latency targets")
    if demand > 0:
        text += (f", {fmt.ratio(k.output_tokens_per_s / demand)} the month-1 peak demand of "
                 f"{fmt.num(demand)} tokens/s")
    if k.utilisation_mean is not None:
        text += (f"; mean GPU utilisation is {fmt.pct(k.utilisation_mean)}"
                 f" ({fmt.pct(k.utilisation_peak)} at peak)")
        if k.utilisation_mean < IDLE_UTILISATION:
            text += ", so the GPUs stand idle most of the time: the fleet is sized for the " \
                    "peak latency targets, not for volume"
    return text + "."


def cost_sentence(subject: ReportSubject) -> str:
    """TCO against the alternatives and the largest categories."""
    r = subject.result
    k = r.kpis
    if k.tco_usd is None:
        return ""
    horizon = r.scenario.costs.horizon_months
    text = f"Owning costs {fmt.usd_short(k.tco_usd)} over {horizon_text(horizon)}"
    if k.capex_usd is not None and k.opex_usd_per_month is not None:
        text += (f" ({fmt.usd_short(k.capex_usd)} up front, then "
                 f"{fmt.usd_short(k.opex_usd_per_month)} a month on average)")
    comparisons = []
    if k.api_tco_usd is not None:
        comparisons.append(compare_phrase(k.tco_usd, k.api_tco_usd, "the cloud API"))
    if k.rental_tco_usd is not None:
        comparisons.append(compare_phrase(k.tco_usd, k.rental_tco_usd, "renting the same GPUs"))
    if comparisons:
        text += ": " + _join(comparisons)
    shares = sorted(((c.usd / k.tco_usd, c.category) for c in r.cost_breakdown if c.usd > 0),
                    reverse=True) if k.tco_usd > 0 else []
    if shares:
        top = [f"{category_label(cat)} ({fmt.pct(share)})" for share, cat in shares[:2]]
        text += f". The largest cost is {top[0]}" + (f", then {top[1]}" if len(top) > 1 else "")
    return text + "."


def unit_cost_sentence(subject: ReportSubject) -> str:
    r = subject.result
    k = r.kpis
    if k.cost_per_million_tokens_usd is None or not math.isfinite(k.cost_per_million_tokens_usd):
        return ""  # no generative workload: no tokens to divide by
    horizon = r.scenario.costs.horizon_months
    text = f"That is {fmt.usd_cents(k.cost_per_million_tokens_usd)} per 1M tokens"
    if k.api_cost_per_million_tokens_usd is not None:
        text += f" against {fmt.usd_cents(k.api_cost_per_million_tokens_usd)} for the API"
    evens = []
    if k.api_tco_usd is not None:
        evens.append(("the API", k.break_even_month_vs_api))
    if k.rental_tco_usd is not None:
        evens.append(("renting", k.break_even_month_vs_rental))
    met = [f"with {name} in month {m}" for name, m in evens if m is not None]
    never = [name for name, m in evens if m is None]
    clauses = []
    if met:
        clauses.append("owning breaks even " + _join(met))
    if never:
        clauses.append(f"it never breaks even with {' or '.join(never)} within "
                       f"{horizon} months")
    if clauses:
        text += "; " + "; ".join(clauses)
    if k.npv_usd is not None and k.api_tco_usd is not None:
        rate = r.scenario.costs.discount_rate_per_year
        if k.npv_usd < 0:
            text += (f". In present value ({fmt.pct(rate)}/year), owning costs "
                     f"{fmt.usd_short(-k.npv_usd)} more than the API")
        else:
            text += (f". In present value ({fmt.pct(rate)}/year), owning saves "
                     f"{fmt.usd_short(k.npv_usd)} against the API")
    return text + "."


def uncertainty_sentence(subject: ReportSubject) -> str:
    r = subject.result
    mc = r.uncertainty
    if mc is None or not mc.inputs:
        return ("No input carries a range, so the figures are single values without "
                "P10/P90 bands." if r.kpis.tco_usd is not None else "")
    p = mc.percentiles["tco_usd"]
    names = tuple(w.name for w in r.scenario.workloads)
    text = (f"Across {mc.draws:,} draws of {len(mc.inputs)} uncertain inputs, the TCO lies "
            f"between {fmt.usd_short(p.p10)} (P10) and {fmt.usd_short(p.p90)} (P90), "
            f"median {fmt.usd_short(p.p50)}")
    odds = []
    if mc.p_onprem_cheaper_than_api is not None:
        odds.append(f"cheaper than the API in {fmt.pct(mc.p_onprem_cheaper_than_api)}")
    if mc.p_onprem_cheaper_than_rental is not None:
        odds.append(f"cheaper than renting in {fmt.pct(mc.p_onprem_cheaper_than_rental)}")
    if odds:
        text += "; owning is " + _join(odds) + " of the draws"
    moving = [b for b in r.tornado if b.swing > 0]
    if moving:
        b = moving[0]
        text += (f". The TCO is most sensitive to the {field_label(b.path, names)} "
                 f"({fmt.sig(b.low)} to {fmt.sig(b.high)} moves it by {fmt.usd_short(b.swing)})")
        if len(moving) > 1:
            text += f", then the {field_label(moving[1].path, names)}"
    return text + "."


def owned(checks: tuple[ConstraintResult, ...]) -> list[ConstraintResult]:
    return [c for c in checks if c.subject in OWNED_SUBJECTS]


def constraint_sentence(subject: ReportSubject) -> str:
    checks = subject.result.constraints
    if not checks:
        return ""
    mine = Counter(c.status for c in owned(checks))
    text = (f"Constraint checks on the owned deployment: {mine['pass']} pass, "
            f"{mine['warn']} warn, {mine['fail']} fail")
    fails = [c for c in owned(checks) if c.status == "fail"]
    if fails:
        text += " (" + "; ".join(f"{c.rule}: {c.reason}" for c in fails[:3]) + ")"
    for kind, name in ALTERNATIVE_NAMES.items():
        theirs = [c for c in checks if c.subject == kind and c.status == "fail"]
        if theirs:
            rules = sorted({c.rule for c in theirs})
            text += f"; {name} fail{'s' if kind == 'api' else ''} {_join(rules)}"
    return text + "."


def tradeoff_sentence(subject: ReportSubject) -> str:
    """The main trade-off: price of owning against what the alternatives break."""
    r = subject.result
    k = r.kpis
    if k.tco_usd is None or k.api_tco_usd is None:
        return ""
    checks = r.constraints
    api_fails = sorted({c.rule for c in checks if c.subject == "api" and c.status == "fail"})
    owned_fails = [c for c in owned(checks) if c.status == "fail"]
    horizon = horizon_text(r.scenario.costs.horizon_months)
    extra = k.tco_usd - k.api_tco_usd
    if owned_fails:
        return (f"Trade-off: the owned deployment itself fails {len(owned_fails)} "
                f"requirement check{'s' if len(owned_fails) != 1 else ''}, which must be "
                "resolved or accepted before it can be chosen.")
    if extra > 0 and api_fails:
        return (f"Trade-off: the cloud API would be {fmt.usd_short(extra)} cheaper over "
                f"{horizon}, but it fails the site's requirements ({_join(api_fails)}); that "
                "difference is the price of keeping the pipeline on site.")
    if extra > 0:
        return (f"Trade-off: the cloud API would be {fmt.usd_short(extra)} cheaper over "
                f"{horizon} and passes the site's requirement checks; owning is justified only "
                "by what the checks do not capture.")
    if api_fails:
        return (f"Owning is {fmt.usd_short(-extra)} cheaper than the cloud API over {horizon} "
                "and meets requirements the API fails: no trade-off between cost and control.")
    return (f"Owning is {fmt.usd_short(-extra)} cheaper than the cloud API over {horizon}, and "
            "both pass the requirement checks.")


def summary_sentences(subject: ReportSubject) -> list[str]:
    """The executive summary of one scenario, sentence by sentence (empty ones dropped)."""
    makers: tuple[Callable[[ReportSubject], str], ...] = (
        fit_sentence, pooled_fit_sentence, fleet_sentence, sharing_sentence, capacity_sentence,
        kind_sentences, cost_sentence, cost_share_sentence, unit_cost_sentence,
        uncertainty_sentence, constraint_sentence, tradeoff_sentence)
    if not subject.result.kpis.fits:
        makers = (fit_sentence, pooled_fit_sentence, constraint_sentence)
    return [s for s in (m(subject) for m in makers) if s]


def comparison_sentences(subjects: list[ReportSubject]) -> list[str]:
    """How several scenarios rank: unit cost, TCO (same horizon only), GPUs, checks."""
    costed = [s for s in subjects if s.result.kpis.cost_per_million_tokens_usd is not None]
    out = []
    if len(costed) >= 2:
        ranked = sorted(costed, key=lambda s: s.result.kpis.cost_per_million_tokens_usd or 0.0)
        best, worst = ranked[0], ranked[-1]
        bk, wk = best.result.kpis, worst.result.kpis
        assert bk.cost_per_million_tokens_usd is not None
        assert wk.cost_per_million_tokens_usd is not None
        out.append(f"Per 1M tokens, “{best.name}” is the cheapest to own "
                   f"({fmt.usd_cents(bk.cost_per_million_tokens_usd)}) and “{worst.name}” "
                   f"the dearest ({fmt.usd_cents(wk.cost_per_million_tokens_usd)}).")
        horizons = {s.result.scenario.costs.horizon_months for s in costed}
        if len(horizons) == 1:
            by_tco = min(costed, key=lambda s: s.result.kpis.tco_usd or 0.0)
            out.append(f"Over the common {horizon_text(horizons.pop())}, “{by_tco.name}” has the "
                       f"lowest TCO ({fmt.usd_short(by_tco.result.kpis.tco_usd)}).")
        else:
            listed = _join([f"{h}" for h in sorted(horizons)])
            out.append(f"Their horizons differ ({listed} months), so compare them per 1M tokens "
                       "or per year rather than by total cost.")
    not_fitting = [s.name for s in subjects if not s.result.kpis.fits]
    if not_fitting:
        out.append("Not fitting in memory: " + _join([f"“{n}”" for n in not_fitting]) + ".")
    clean = [s.name for s in subjects
             if s.result.kpis.fits and not any(c.status == "fail" for c in owned(s.result.constraints))]
    failing = [s.name for s in subjects if any(c.status == "fail"
                                              for c in owned(s.result.constraints))]
    if failing:
        out.append("Failing a requirement check on the owned deployment: "
                   + _join([f"“{n}”" for n in failing]) + ".")
    elif clean and len(clean) == len(subjects):
        out.append("Every owned deployment passes the requirement checks (warnings aside).")
    return out
