"""Constraint checks and the side-by-side comparison of several scenarios."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from app.reports import fmt
from app.reports import tables as t
from app.reports.bands import ms_band, tokens_band
from app.reports.model import Block, Cell, Column, Paragraph, Table
from app.reports.sentences import OWNED_SUBJECTS, comparison_sentences, horizon_text
from app.reports.subject import ReportSubject
from app.reports.workload_facts import KIND_NAMES

SUBJECT_NAMES = {"deployment": "deployment", "model": "model", "accelerator": "accelerator",
                 "api": "cloud API", "rental": "GPU rental"}
STATUS_ORDER = {"fail": 0, "warn": 1, "pass": 2}


def constraint_blocks(s: ReportSubject, key: str) -> list[Block]:
    checks = s.result.constraints
    if not checks:
        return [Paragraph("No constraint rule applies to this scenario.")]
    req = s.result.scenario.requirements
    site = [f"deployment mode {req.deployment_mode}"]
    if req.data_classification:
        site.append(f"data classification {req.data_classification}")
    if req.jurisdiction:
        site.append(f"jurisdiction {req.jurisdiction}")
    site.append(f"export-control exposure {req.export_control_exposure}")
    counts = Counter((c.subject in OWNED_SUBJECTS, c.status) for c in checks)
    blocks: list[Block] = [Paragraph(
        "Requirements: " + ", ".join(site) + ". Owned deployment: "
        f"{counts[(True, 'pass')]} pass, {counts[(True, 'warn')]} warn, "
        f"{counts[(True, 'fail')]} fail; alternatives: {counts[(False, 'pass')]} pass, "
        f"{counts[(False, 'warn')]} warn, {counts[(False, 'fail')]} fail.")]
    ordered = sorted(checks, key=lambda c: (c.subject not in OWNED_SUBJECTS,
                                            STATUS_ORDER.get(c.status, 3)))
    facts: dict[str, str] = {}  # fact text → F1, F2, … (many rules cite the same fact)
    for c in ordered:
        if c.fact and c.fact not in facts:
            facts[c.fact] = f"F{len(facts) + 1}"
    rows = [[t.text(f"{SUBJECT_NAMES.get(c.subject, c.subject)}: {c.option}"),
             t.text(c.rule), t.text(c.status.upper(), c.status), t.text(c.reason),
             t.text(facts.get(c.fact, "—"))]
            for c in ordered]
    blocks.append(t.table(f"{key}-constraints", "Constraint checks",
                          [t.left("option", 22), t.left("rule", 15), t.left("status", 8),
                           t.left("reason", 48), t.left("fact", 7)],
                          rows, font="small"))
    blocks.append(t.table(f"{key}-facts", "Catalog facts behind the checks, with source and date",
                          [t.left("ref", 6), t.left("fact", 94)],
                          [[t.text(ref), t.text(fact)] for fact, ref in facts.items()],
                          font="small"))
    return blocks


def _per_year(s: ReportSubject) -> float | None:
    tco = s.result.kpis.tco_usd
    return None if tco is None else tco * 12.0 / s.result.scenario.costs.horizon_months


Printer = Callable[[ReportSubject], str]
Raw = Callable[[ReportSubject], float | int | None]

COMPARE_ROWS: tuple[tuple[str, Printer, Raw | None], ...] = (
    ("fits in memory", lambda s: _yes(s.result.kpis.fits), None),
    ("meets the latency targets", lambda s: _yes(s.result.kpis.meets_slo), None),
    ("GPUs / servers (month 1)",
     lambda s: f"{s.result.kpis.gpus} / {s.result.kpis.servers}", None),
    ("accelerator", lambda s: s.resolved.accelerator.name, None),
    ("model", lambda s: ", ".join(dict.fromkeys(m.name for m in s.resolved.models)), None),
    ("workloads", lambda s: ", ".join(f"{w.name} ({KIND_NAMES.get(w.kind, w.kind)})"
                                      for w in s.result.workloads), None),
    ("TTFT (sized load; band)", lambda s: ms_band(s.result, s.result.kpis.ttft_ms, "ttft_ms"),
     lambda s: s.result.kpis.ttft_ms),
    ("TPOT (sized load; band)", lambda s: ms_band(s.result, s.result.kpis.tpot_ms, "tpot_ms"),
     lambda s: s.result.kpis.tpot_ms),
    ("output tokens/s (fleet; band)",
     lambda s: tokens_band(s.result, s.result.kpis.output_tokens_per_s),
     lambda s: s.result.kpis.output_tokens_per_s),
    ("horizon", lambda s: horizon_text(s.result.scenario.costs.horizon_months),
     lambda s: s.result.scenario.costs.horizon_months),
    ("CapEx (month 1)", lambda s: fmt.usd(s.result.kpis.capex_usd),
     lambda s: s.result.kpis.capex_usd),
    ("OpEx per month", lambda s: fmt.usd(s.result.kpis.opex_usd_per_month),
     lambda s: s.result.kpis.opex_usd_per_month),
    ("TCO", lambda s: fmt.usd(s.result.kpis.tco_usd), lambda s: s.result.kpis.tco_usd),
    ("TCO per year (TCO × 12 / horizon)", lambda s: fmt.usd(_per_year(s)), _per_year),
    ("TCO P10 – P90", lambda s: _band(s), None),
    ("cost per 1M tokens", lambda s: fmt.usd_cents(s.result.kpis.cost_per_million_tokens_usd),
     lambda s: s.result.kpis.cost_per_million_tokens_usd),
    ("cost per GPU-hour (owned)", lambda s: fmt.usd_cents(s.result.kpis.cost_per_gpu_hour_usd),
     lambda s: s.result.kpis.cost_per_gpu_hour_usd),
    ("cloud API over the horizon", lambda s: fmt.usd(s.result.kpis.api_tco_usd),
     lambda s: s.result.kpis.api_tco_usd),
    ("rented GPUs over the horizon", lambda s: fmt.usd(s.result.kpis.rental_tco_usd),
     lambda s: s.result.kpis.rental_tco_usd),
    ("break-even vs API", lambda s: fmt.month(s.result.kpis.break_even_month_vs_api,
                                              s.result.scenario.costs.horizon_months),
     lambda s: s.result.kpis.break_even_month_vs_api),
    ("P(owning cheaper than API)", lambda s: fmt.pct(
        s.result.uncertainty.p_onprem_cheaper_than_api if s.result.uncertainty else None),
     lambda s: s.result.uncertainty.p_onprem_cheaper_than_api if s.result.uncertainty else None),
    ("constraint checks (owned: pass / warn / fail)", lambda s: _checks(s), None),
)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _band(s: ReportSubject) -> str:
    mc = s.result.uncertainty
    if mc is None or not mc.inputs:
        return fmt.NA
    p = mc.percentiles["tco_usd"]
    return f"{fmt.usd_short(p.p10)} – {fmt.usd_short(p.p90)}"


def _checks(s: ReportSubject) -> str:
    c = Counter(x.status for x in s.result.constraints if x.subject in OWNED_SUBJECTS)
    return f"{c['pass']} / {c['warn']} / {c['fail']}"


def comparison_table(subjects: list[ReportSubject]) -> Table:
    width = max(10, 70 // max(len(subjects), 1))
    cols = [Column("", "left", 100 - width * len(subjects))]
    cols += [Column(f"{i + 1}. {s.name}", "right", width) for i, s in enumerate(subjects)]
    rows = []
    for label, printer, raw in COMPARE_ROWS:
        cells = [t.text(label)]
        for s in subjects:
            value = raw(s) if raw else None
            status = ""
            if label.startswith(("fits", "meets")):
                status = "pass" if printer(s) == "yes" else "fail"
            cells.append(Cell(printer(s), value, status))
        rows.append(cells)
    return t.table("comparison", "Scenarios side by side", cols, rows, font="small")


def comparison_blocks(subjects: list[ReportSubject]) -> list[Block]:
    blocks: list[Block] = [Paragraph(s, "lead") for s in comparison_sentences(subjects)]
    blocks.append(comparison_table(subjects))
    return blocks
