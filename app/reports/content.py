"""Build a report's content from evaluated scenarios: `build_report(subjects, options)`.

Sections are chosen by id (`SECTION_IDS`, the `--sections` names); the comparison appears
only with two or more scenarios. Per-scenario sections hold one sub-heading per scenario, so a
reader finds every scenario's deployment in one place, then every scenario's cost, and so on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from app import __version__
from app.errors import UserError
from app.reports import fmt
from app.reports.bands import band_only, ms_band, tokens_band
from app.reports.method import efficiency, method_blocks
from app.reports.model import Block, Heading, Kpi, KpiGrid, Paragraph, Report, Section, SignOff
from app.reports.register import register_blocks
from app.reports.sec_checks import comparison_blocks, constraint_blocks
from app.reports.sec_cost import tco_blocks, uncertainty_blocks
from app.reports.sec_engineering import capacity_blocks, deployment_blocks, performance_blocks
from app.reports.sec_workloads import workloads_blocks
from app.reports.sentences import horizon_text, summary_sentences
from app.reports.subject import ReportSubject
from app.reports.workload_facts import KIND_NAMES, has_workloads_area

PerScenario = Callable[[ReportSubject, str], list[Block]]


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    about: str  # one line for the GUI's section list and `--help`


SECTIONS = (
    SectionSpec("summary", "Executive summary", "headline figures and trade-offs in sentences"),
    SectionSpec("deployment", "Deployment", "model, quantization, hardware, layout, memory"),
    SectionSpec("performance", "Performance", "latency against the targets and against load"),
    SectionSpec("capacity", "Capacity", "demand, replicas, fleet and power"),
    SectionSpec("workloads", "Workloads and shared fleet",
                "embedders, rerankers, guards, fine-tuning and the shared GPU pool "
                "(scenarios with several workloads)"),
    SectionSpec("tco", "Total cost of ownership", "cumulative cost, break-even, by year"),
    SectionSpec("uncertainty", "Uncertainty and sensitivity", "P10/P50/P90 and the tornado"),
    SectionSpec("constraints", "Constraint checks", "licences, origins, export control"),
    SectionSpec("comparison", "Comparison", "scenarios side by side (two or more)"),
    SectionSpec("assumptions", "Assumptions register", "every input with source and date"),
    SectionSpec("method", "Method notes", "formulas, efficiency factors, residual bands"),
    SectionSpec("signoff", "Sign-off", "review and approval signatures"),
)
SECTION_IDS = tuple(s.id for s in SECTIONS)
SIGN_OFF_ROLES = ("Prepared by (analyst)", "Technical review (infrastructure)",
                  "Financial review", "Compliance review", "Approved by")


class ReportError(UserError):
    """A report that cannot be built as asked (no scenario, unknown section)."""


@dataclass(frozen=True)
class ReportOptions:
    """What goes into a report: sections by id (all by default), title, workspace and date."""

    sections: tuple[str, ...] = SECTION_IDS
    title: str = ""
    workspace: str = ""
    catalog_version: str = ""
    today: str = field(default_factory=lambda: date.today().isoformat())


def parse_sections(text: str) -> tuple[str, ...]:
    """`summary,tco` → ('summary', 'tco'); unknown names are a `ReportError` listing the known."""
    wanted = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    unknown = [w for w in wanted if w not in SECTION_IDS]
    if unknown or not wanted:
        raise ReportError(f"--sections: unknown section '{unknown[0] if unknown else text}' "
                          f"(choose from {', '.join(SECTION_IDS)})")
    return tuple(s for s in SECTION_IDS if s in wanted)


# Sections whose part for one scenario fills most of a page: each scenario starts a page.
PAGE_PER_SCENARIO = ("deployment", "performance", "workloads", "tco", "uncertainty",
                     "constraints", "assumptions")


def _per_scenario(subjects: Sequence[ReportSubject], make: PerScenario,
                  new_pages: bool = False,
                  only: Callable[[ReportSubject], bool] | None = None) -> tuple[Block, ...]:
    """Each scenario's part under its numbered heading; `only` skips the scenarios it rejects
    (their number stays, so "2." is the second scenario in every section)."""
    blocks: list[Block] = []
    first = True
    for i, s in enumerate(subjects):
        if only is not None and not only(s):
            continue
        if len(subjects) > 1:
            blocks.append(Heading(f"{i + 1}. {s.name}", new_page=new_pages and not first))
        first = False
        blocks.extend(make(s, f"s{i + 1}"))
    return tuple(blocks)


def summary_section(subjects: Sequence[ReportSubject]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for i, s in enumerate(subjects):
        if len(subjects) > 1:
            blocks.append(Heading(f"{i + 1}. {s.name}"))
        blocks.append(headline_kpis(s))
        blocks.extend(Paragraph(text, "lead" if j == 0 else "body")
                      for j, text in enumerate(summary_sentences(s)))
    return tuple(blocks)


def headline_kpis(s: ReportSubject) -> KpiGrid:
    r = s.result
    k = r.kpis
    horizon = r.scenario.costs.horizon_months
    mc = r.uncertainty
    pct = max(w.slo_percentile for w in r.scenario.workloads)
    band = ""
    if mc is not None and mc.inputs:
        p = mc.percentiles["tco_usd"]
        band = f"P10 {fmt.usd_short(p.p10)} · P90 {fmt.usd_short(p.p90)}"
    if not r.workloads or any(w.kind == "llm" for w in r.workloads):
        ttft_band = band_only(r, k.ttft_ms, "ttft_ms")
        latency = Kpi(f"TTFT (P{pct:g}, sized load)", fmt.ms(k.ttft_ms),
                      (f"band {ttft_band} · " if ttft_band else "")
                      + f"TPOT {ms_band(r, k.tpot_ms, 'tpot_ms')} · "
                      f"{tokens_band(r, k.output_tokens_per_s)} tokens/s")
    else:
        kinds = ", ".join(dict.fromkeys(KIND_NAMES.get(w.kind, w.kind) for w in r.workloads))
        latency = Kpi("workloads", str(len(r.workloads)), kinds)
    per_token = k.cost_per_million_tokens_usd
    if (per_token is not None and math.isfinite(per_token)) or k.cost_per_gpu_hour_usd is None:
        unit = Kpi("cost per 1M tokens", fmt.usd_cents(k.cost_per_million_tokens_usd),
                   f"API {fmt.usd_cents(k.api_cost_per_million_tokens_usd)}")
    else:
        unit = Kpi("cost per GPU-hour", fmt.usd_cents(k.cost_per_gpu_hour_usd),
                   "owned, fully loaded")
    return KpiGrid((
        Kpi("fits / meets targets", f"{'yes' if k.fits else 'NO'} / {'yes' if k.meets_slo else 'no'}",
            f"{k.gpus} GPU{'s' if k.gpus != 1 else ''}, "
            f"{k.servers} server{'s' if k.servers != 1 else ''}",
            "good" if k.fits and k.meets_slo else "bad"),
        latency,
        Kpi(f"TCO ({horizon_text(horizon)})", fmt.usd_short(k.tco_usd), band),
        unit,
    ))


SCENARIO_SECTIONS: dict[str, PerScenario] = {
    "deployment": deployment_blocks,
    "performance": performance_blocks,
    "capacity": capacity_blocks,
    "workloads": workloads_blocks,
    "tco": tco_blocks,
    "uncertainty": uncertainty_blocks,
    "constraints": constraint_blocks,
    "assumptions": register_blocks,
}


def signoff_section(subjects: Sequence[ReportSubject]) -> tuple[Block, ...]:
    names = "; ".join(f"“{s.name}”" for s in subjects)
    return (SignOff(SIGN_OFF_ROLES,
                    f"The undersigned have reviewed this summary of {names}, its assumptions "
                    "register and its method notes."),)


def report_title(subjects: Sequence[ReportSubject], options: ReportOptions) -> str:
    if options.title:
        return options.title
    if len(subjects) == 1:
        return subjects[0].name
    return f"Comparison of {len(subjects)} deployment scenarios"


def title_facts(subjects: Sequence[ReportSubject],
                options: ReportOptions) -> tuple[tuple[str, str], ...]:
    table, raw = efficiency()
    draws = {s.result.uncertainty.draws for s in subjects if s.result.uncertainty}
    facts = [
        ("Scenarios", "\n".join(f"{i + 1}. {s.name}" for i, s in enumerate(subjects))),
        ("Workspace", options.workspace or "—"),
        ("Date", options.today),
        ("Enclave", f"version {__version__}"),
        ("Catalog", f"version {options.catalog_version or '—'}"),
        ("Efficiency factors", f"version {table.version}"
         + (f", fitted {raw['fit']['date']}" if raw.get("fit", {}).get("date") else "")),
    ]
    if draws:
        facts.append(("Monte Carlo", ", ".join(f"{d:,}" for d in sorted(draws)) + " draws"))
    return tuple(facts)


def build_report(subjects: Sequence[ReportSubject], options: ReportOptions) -> Report:
    """The report's content for one or more evaluated scenarios."""
    if not subjects:
        raise ReportError("a report needs at least one scenario")
    unknown = [s for s in options.sections if s not in SECTION_IDS]
    if unknown:
        raise ReportError(f"unknown section '{unknown[0]}' (choose from {', '.join(SECTION_IDS)})")
    sections = []
    for spec in SECTIONS:
        if spec.id not in options.sections:
            continue
        if spec.id == "summary":
            blocks = summary_section(subjects)
        elif spec.id == "comparison":
            if len(subjects) < 2:
                continue
            blocks = tuple(comparison_blocks(list(subjects)))
        elif spec.id == "method":
            blocks = tuple(method_blocks(list(subjects)))
        elif spec.id == "signoff":
            blocks = signoff_section(subjects)
        elif spec.id == "workloads":
            if not any(has_workloads_area(s.result) for s in subjects):
                continue
            blocks = _per_scenario(subjects, workloads_blocks, True,
                                   lambda s: has_workloads_area(s.result))
        else:
            blocks = _per_scenario(subjects, SCENARIO_SECTIONS[spec.id],
                                   spec.id in PAGE_PER_SCENARIO)
        # Every section starts a page; the sign-off too, so its statement and signature
        # lines stay on one page.
        sections.append(Section(spec.id, spec.title, blocks, new_page=True))
    title = report_title(subjects, options)
    return Report(
        title=title,
        subtitle="Self-hosted LLM deployment: fit, performance, capacity, cost, constraints "
                 "and uncertainty",
        facts=title_facts(subjects, options),
        sections=tuple(sections),
        header=f"Enclave · {title}",
        footer=f"Enclave {__version__} · {options.today}",
        scenario_names=tuple(s.name for s in subjects),
    )
