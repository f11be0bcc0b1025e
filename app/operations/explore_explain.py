"""Why the explorer's front holds what it holds: the others, and the basis of one option (Qt-free).

`explain_selection` answers "the others are excluded because …" in plain words, in sections
the GUI's Excluded panel and the command line show as they are:
1. the funnel: configurations evaluated, how many each filter removed, how many are dominated;
2. hardware the site's requirements exclude, grouped by rule, with the reason;
3. allowed hardware that is not on the front, and why (nothing fits, no configuration meets
   the latency targets, or every configuration is dominated);
4. the swept model's standing and the other catalog models the site excludes;
5. the catalog facts behind each exclusion, with source and as-of date.

`option_basis` gives the basis of one configuration on demand: layout, results, the demand it
is sized for, how its GPU-hour is priced, the efficiency factors and catalog sources used, and
every constraint result.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from app.catalog.loader import Catalog
from app.engine.configs import Deployment, build_configs, describe
from app.engine.constraint_types import FAIL, PASS, ConstraintResult, SiteRequirements
from app.engine.constraints import ACCELERATOR_RULES, MODEL_RULES, RULES
from app.engine.efficiency import EfficiencyTable
from app.operations.constraints_check import Exclusion, ExclusionReport, explain_exclusions
from app.operations.explore import Selection, SweptSpace, slo_mask, stage_text


@dataclass(frozen=True)
class Section:
    """A heading and its lines of plain text (a line starting with "- " is a list item)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    sections: tuple[Section, ...]
    report: ExclusionReport

    def text(self) -> str:
        out: list[str] = []
        for s in self.sections:
            out.append(s.title)
            out.extend(s.lines)
            out.append("")
        return "\n".join(out).rstrip() + "\n"


@dataclass(frozen=True)
class AcceleratorStanding:
    """How one accelerator fared: configurations, fitting, meeting targets, kept, on the front."""

    index: int
    configs: int
    fitting: int
    meeting: int
    kept: int
    on_front: int
    best_ttft_ms: float
    best_tpot_ms: float
    cheapest: int  # index of its cheapest kept configuration, -1 when none


def targets_text(targets: tuple[float | None, float | None]) -> str:
    """"TTFT ≤ 2,000 ms, TPOT ≤ 60 ms" (or "no latency targets")."""
    ttft, tpot = targets
    parts = ([f"TTFT ≤ {ttft:,.0f} ms"] if ttft is not None else []) + (
        [f"TPOT ≤ {tpot:,.0f} ms"] if tpot is not None else [])
    return ", ".join(parts) or "no latency targets"


def requirements_line(site: SiteRequirements) -> str:
    """The requirements that decide what is excluded, in one line."""
    parts = [f"deployment {site.deployment_mode}"]
    if site.data_classification:
        parts.append(f"data {site.data_classification}")
    if site.jurisdiction:
        parts.append(f"jurisdiction {site.jurisdiction}")
    for label, values in (("allowed hardware vendors", site.allowed_hardware_vendors),
                          ("allowed hardware origins", site.allowed_hardware_origins),
                          ("allowed model origins", site.allowed_model_origins),
                          ("allowed licences", site.allowed_licences)):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    parts.append(f"export-control exposure: {site.export_control_exposure}")
    parts.append(f"use restrictions: {site.use_restriction_exposure}")
    if site.vendor_support_region:
        parts.append(f"vendor support needed in {site.vendor_support_region}")
    return "; ".join(parts)


def accelerator_standings(space: SweptSpace, selection: Selection) -> list[AcceleratorStanding]:
    """Per accelerator of the space (see `AcceleratorStanding`)."""
    n = len(space.accelerators)
    acc = space.accelerator.astype(np.intp)
    meets = space.fits & slo_mask(space, selection.targets)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(acc[mask], minlength=n)

    def best(values: np.ndarray) -> np.ndarray:
        out = np.full(n, np.inf)
        np.minimum.at(out, acc[space.fits], values[space.fits])
        return out

    on_front = np.bincount(acc[selection.front], minlength=n)
    kept = np.flatnonzero(selection.kept)
    cheapest = np.full(n, -1, dtype=np.int64)
    if kept.size:
        order = kept[np.lexsort((space.cost_per_million_tokens_usd[kept], acc[kept]))]
        first = np.unique(acc[order], return_index=True)
        cheapest[first[0]] = order[first[1]]
    configs, fitting, meeting, kept_n = (np.bincount(acc, minlength=n), count(space.fits),
                                         count(meets), count(selection.kept))
    best_ttft, best_tpot = best(space.ttft_ms), best(space.tpot_ms)
    return [AcceleratorStanding(i, int(configs[i]), int(fitting[i]), int(meeting[i]),
                                int(kept_n[i]), int(on_front[i]), float(best_ttft[i]),
                                float(best_tpot[i]), int(cheapest[i])) for i in range(n)]


def _vendors(exclusions: list[Exclusion], catalog: Catalog) -> str:
    counts = Counter(catalog.accelerators[e.option].vendor if e.option in catalog.accelerators
                     else "?" for e in exclusions)
    return ", ".join(f"{vendor} ×{n}" for vendor, n in sorted(counts.items()))


def _typical(failing: list[tuple[Exclusion, ConstraintResult]],
             catalog: Catalog) -> tuple[Exclusion, ConstraintResult]:
    """An example from the vendor with the most exclusions (the one a reader looks for)."""
    def vendor(e: Exclusion) -> str:
        spec = catalog.accelerators.get(e.option)
        return spec.vendor if spec else ""

    counts = Counter(vendor(e) for e, _ in failing)
    top = counts.most_common(1)[0][0]
    return next(pair for pair in failing if vendor(pair[0]) == top)


def _failing(exclusions: tuple[Exclusion, ...], rule: str) -> list[tuple[Exclusion,
                                                                          ConstraintResult]]:
    out = []
    for e in exclusions:
        for r in e.results:
            if r.rule == rule and r.status == FAIL:
                out.append((e, r))
    return out


def _funnel(space: SweptSpace, selection: Selection) -> Section:
    lines = [f"{space.size:,} configurations evaluated for {space.model.name} "
             f"({', '.join(space.engines)}) in {space.seconds:.2f} s; "
             f"{selection.front.size:,} on the Pareto front. The others are excluded because:"]
    for stage, removed in selection.removed:
        text = stage_text(stage, selection.filters)
        if stage == "slo":
            text += f" ({targets_text(selection.targets)})"
        if stage == "constraints" and selection.rule_failures:
            by_rule = "; ".join(f"{rule} {n:,}" for rule, n in selection.rule_failures.items())
            text += f" (failing {by_rule}; one configuration can fail several rules)"
        lines.append(f"- {removed:,} {text}")
    lines.append(f"- {selection.dominated:,} pass every filter but are dominated: another "
                 "configuration is no worse on cost, TPOT and TTFT, and better on one")
    return Section("Why the other configurations are not on the front", tuple(lines))


def _hardware(report: ExclusionReport, catalog: Catalog) -> Section:
    excluded = report.excluded_accelerators
    total = len(report.accelerators)
    if not excluded:
        return Section("Hardware", (f"The site's requirements exclude none of the {total} "
                                    "catalog accelerators.",))
    lines = [f"{len(excluded)} of {total} catalog accelerators are excluded by the site's "
             f"requirements ({requirements_line(report.site)}):"]
    for rule in ACCELERATOR_RULES:
        failing = _failing(excluded, rule)
        if not failing:
            continue
        example = _typical(failing, catalog)
        lines.append(f"- {rule} ({RULES[rule]}): {len(failing)} accelerators "
                     f"({_vendors([e for e, _ in failing], catalog)}); for example "
                     f"{example[0].name}: {example[1].reason}")
    allowed = [e.name for e in report.accelerators if not e.excluded]
    lines.append(f"Allowed: {', '.join(allowed) if allowed else 'none'}.")
    return Section("Hardware the site excludes", tuple(lines))


def _standing_line(space: SweptSpace, s: AcceleratorStanding, exclusion: Exclusion | None,
                   selection: Selection) -> str:
    accel = space.accelerators[s.index]
    warn = ""
    if exclusion is not None and exclusion.results:
        warn = " (allowed with warnings: " + ", ".join(
            dict.fromkeys(r.rule for r in exclusion.results)) + ")"
    name = f"{accel.name}{warn}"
    r = space.request
    ttft_target, tpot_target = selection.targets
    if s.on_front:
        return f"- {name}: on the front ({s.on_front} point{'s' if s.on_front > 1 else ''})"
    if s.fitting == 0:
        return (f"- {name}: no configuration fits: {space.model.name} with its KV cache does "
                f"not fit {accel.memory_gb:g} GB per device with any format or layout swept "
                f"(up to {max(r.gpu_counts)} devices)")
    if s.meeting == 0 and selection.filters.require_slo:
        misses = []
        if ttft_target is not None and s.best_ttft_ms > ttft_target:
            misses.append(f"lowest TTFT {s.best_ttft_ms:,.0f} ms > {ttft_target:,.0f} ms")
        if tpot_target is not None and s.best_tpot_ms > tpot_target:
            misses.append(f"lowest TPOT {s.best_tpot_ms:,.1f} ms > {tpot_target:,.0f} ms")
        detail = "; ".join(misses) or "no single configuration meets both targets"
        return f"- {name}: fits, but no configuration meets the latency targets ({detail})"
    met = "meets the targets" if any(t is not None for t in selection.targets) else "fits"
    if s.kept == 0:
        return f"- {name}: {met}, but the filters remove every configuration"
    i = s.cheapest
    return (f"- {name}: {met}, but every configuration is dominated; its cheapest "
            f"is ${space.cost_per_million_tokens_usd[i]:,.2f} per 1M output tokens at TPOT "
            f"{space.tpot_ms[i]:,.1f} ms, TTFT {space.ttft_ms[i]:,.0f} ms"
            + (" (price estimated)" if space.price_estimated[i] else ""))


def _allowed_hardware(space: SweptSpace, selection: Selection,
                      report: ExclusionReport) -> Section:
    standings = accelerator_standings(space, selection)
    by_id = {e.option: e for e in report.accelerators}
    lines = []
    for s in standings:
        exclusion = by_id.get(space.accelerators[s.index].id)
        if exclusion is not None and exclusion.excluded and \
                selection.filters.constraints != "any":
            continue
        lines.append(_standing_line(space, s, exclusion, selection))
    if not lines:
        lines.append("No accelerator is allowed.")
    return Section("Allowed hardware, and why it is or is not on the front", tuple(lines))


def _models(space: SweptSpace, report: ExclusionReport, catalog: Catalog) -> Section:
    own = next((e for e in report.models if e.option == space.model.id), None)
    lines = []
    if own is not None:
        if own.excluded:
            lines.append(f"The swept model, {own.name}, is excluded: "
                         + "; ".join(f"{r.rule}: {r.reason}" for r in own.results
                                     if r.status == FAIL)
                         + ". Every configuration fails with it.")
        elif own.results:
            lines.append(f"The swept model, {own.name}, is allowed with warnings: "
                         + "; ".join(f"{r.rule}: {r.reason}" for r in own.results) + ".")
        else:
            lines.append(f"The swept model, {own.name}, passes every rule.")
    others = [e for e in report.excluded_models if e.option != space.model.id]
    if others:
        lines.append(f"{len(others)} other catalog models are excluded:")
        for rule in MODEL_RULES:
            failing = _failing(tuple(others), rule)
            if failing:
                names = ", ".join(e.name for e, _ in failing[:6])
                more = f" and {len(failing) - 6} more" if len(failing) > 6 else ""
                lines.append(f"- {rule} ({RULES[rule]}): {names}{more}; for example "
                             f"{failing[0][0].name}: {failing[0][1].reason}")
    allowed = [e.name for e in report.models if not e.excluded and e.option != space.model.id]
    if allowed:
        lines.append(f"Other allowed models ({len(allowed)}): {', '.join(allowed)}.")
    return Section("Models", tuple(lines))


def _facts(report: ExclusionReport) -> Section:
    lines = []
    for e in report.excluded_accelerators:
        for r in e.results:
            if r.status == FAIL:
                lines.append(f"- {e.name}: {r.rule}: {r.reason}. Fact: {r.fact}")
    for e in report.excluded_models:
        for r in e.results:
            if r.status == FAIL:
                lines.append(f"- {e.name}: {r.rule}: {r.reason}. Fact: {r.fact}")
    return Section("Catalog facts behind each exclusion (source; as of)",
                   tuple(lines) or ("Nothing is excluded.",))


def explain_selection(space: SweptSpace, selection: Selection, catalog: Catalog) -> Explanation:
    """The Excluded panel's text (see the module docstring)."""
    report = explain_exclusions(space.request.requirements, catalog,
                                accelerators=[a.id for a in space.accelerators])
    sections = (
        _funnel(space, selection),
        _hardware(report, catalog),
        _allowed_hardware(space, selection, report),
        _models(space, report, catalog),
        _facts(report),
    )
    return Explanation(sections, report)


@dataclass(frozen=True)
class OptionBasis:
    """The basis of one configuration: sections of plain text and its constraint results."""

    title: str
    sections: tuple[Section, ...]
    constraints: tuple[ConstraintResult, ...]

    def text(self) -> str:
        return Explanation(self.sections, ExclusionReport(SiteRequirements(), (), ())).text()


def option_basis(space: SweptSpace, i: int, table: EfficiencyTable) -> OptionBasis:
    """Everything behind configuration `i` (see the module docstring)."""
    row = space.row(i)
    accel = space.accelerators[int(space.accelerator[i])]
    weights = space.formats[int(space.weights[i])]
    kv = space.formats[int(space.kv[i])]
    engine = space.engines[int(space.engine[i])]
    count, tp, pp = int(space.gpu_count[i]), int(space.tp[i]), int(space.pp[i])
    copies_in_config = max(1, count // (tp * pp))
    r = space.request
    title = (f"{count} × {accel.name}, {weights.id} weights, {kv.id} KV cache, {engine}, "
             f"batch {row['batch']}")
    layout = (f"tensor parallel {tp} × pipeline parallel {pp}"
              + (f", {copies_in_config} copies side by side" if copies_in_config > 1 else ""))
    config = (
        f"{space.model.name} on {count} × {accel.name} ({layout}); weights {weights.name} "
        f"({weights.bits_per_weight:g} bits per weight, {weights.compute_precision.upper()} "
        f"path), KV cache {kv.name}; engine {engine}.",
        f"Static batch of {row['batch']} sequences per copy, {r.input_tokens:,} tokens in and "
        f"{r.output_tokens:,} out each: all start together, so TTFT is the batch's prefill "
        "and TPOT the decode step at the mean context.",
    )
    results = (
        f"- output {row['output_tokens_per_s']:,} tokens/s for the {count} devices",
        f"- TTFT {row['ttft_ms']:,} ms, TPOT {row['tpot_ms']:,} ms; dominated by "
        f"{row['bound']}",
        f"- weights {row['weights_gib']:,} GiB per device; fits: {'yes' if row['fits'] else 'no'}"
        + ("; the format runs on an emulation path (no native precision)"
           if row["emulated"] else ""),
    )
    price = space.prices.cost(accel)
    parts = ", ".join(f"{k} ${v:.3f}" for k, v in price.parts().items() if v)
    cost = (
        f"${price.usd_per_gpu_hour:.3f} per GPU-hour ({price.method}"
        + (", estimated" if price.estimated else "") + ")" + (f": {parts}" if parts else ""),
        f"- {price.note}",
        f"- cost per 1M output tokens = {count} GPUs × ${price.usd_per_gpu_hour:.3f} / "
        f"({row['output_tokens_per_s']:,} tokens/s × 3,600 s) × 10⁶ = "
        f"${row['cost_per_million_tokens_usd']:,}",
        "- left out: staff, integration, facility and storage (the same for every option; "
        "the scenario's evaluation counts them)",
    )
    if r.peak_requests_per_s > 0:
        demand: tuple[str, ...] = (
            f"Peak {r.peak_requests_per_s:,.2f} requests/s × {r.output_tokens:,} tokens = "
            f"{r.peak_output_tokens_per_s:,.0f} output tokens/s; "
            f"{space.copies(i)} copies of this configuration with redundancy "
            f"(spare {r.spare_replicas}, headroom {r.headroom_fraction:.0%}) = "
            f"{row['fleet_gpus']:,} GPUs.",)
    else:
        demand = ("No demand given: one copy of the configuration.",)
    deployment = Deployment(space.model, accel, weights, kv, engine, count, tp, pp)
    configs, basis = build_configs([deployment], table)
    efficiency = (f"- {basis[0]}", f"- {describe(configs)}")
    sources = tuple(
        f"- {kind}: {name} (source: {source or 'not recorded'}; as of {as_of or '?'})"
        for kind, name, source, as_of in (
            ("model", space.model.name, space.model.source, space.model.as_of),
            ("accelerator", accel.name, accel.source, accel.as_of),
            ("weights format", weights.name, weights.source, weights.as_of),
            ("KV-cache format", kv.name, kv.source, kv.as_of),
        ))
    constraints = space.constraints.explain(int(space.accelerator[i]), int(space.weights[i]),
                                            int(space.kv[i]))
    checks = tuple(f"- {c.status}: {c.rule}: {c.reason}" for c in constraints
                   if c.status != PASS) or ("- every rule passes",)
    return OptionBasis(title, (
        Section("Configuration", config),
        Section("Results (engine estimate)", results),
        Section("Demand", demand),
        Section("Cost", cost),
        Section("Efficiency factors", efficiency),
        Section("Catalog sources", sources),
        Section(f"Constraints ({row['constraint_status']})", checks),
    ), tuple(constraints))
