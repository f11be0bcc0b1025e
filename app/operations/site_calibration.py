"""Import a site's benchmark log and refit the efficiency factors of its hardware (Qt-free).

Three steps, so the GUI can run the slow ones off its thread and write on it:

1. `read_site_log` (pure): reads the log with the facts the user gave
   (`app.catalog.benchmark_logs`) and resolves every configuration as `enclave estimate` would
   (`estimate.parse_row`); any row that does not resolve refuses the whole log.
2. `plan_calibration` (pure): for each (engine family, hardware class) the log measured, refits
   `mfu`, `mbu` and `layer_overhead_us` on all of the workspace's points of that group, old and
   new (`app.engine.calibration.fit_groups`, starting from and pulled towards the shipped
   factors), and scores the imported points before and after (MdAPE per metric). Only those
   groups change; a refit that does not beat the shipped factors on the group's points leaves
   the group on the shipped factors.
3. `apply_calibration`: stores the points, the refit factors and an audit row in one
   transaction; its `Outcome` undoes exactly that.

`calibrate_file` does all three for the command line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from app.catalog.benchmark_logs import BenchmarkLogError, SiteFacts, read_benchmark_log
from app.catalog.benchmark_logs.points import LogReading
from app.catalog.loader import Catalog
from app.engine.calibration import METRICS, GroupKey, fit_groups
from app.engine.efficiency import EfficiencyFactors, EfficiencyTable
from app.operations.calibrate import case_set
from app.operations.change import CHANGED_ELSEWHERE, Change, ChangedElsewhere, Outcome
from app.operations.error_bands import short_number
from app.operations.estimate import RowError, estimate_rows, parse_row
from app.operations.progress import CancelToken, ProgressCallback, no_progress
from app.operations.site_efficiency import (
    SiteGroup,
    shipped_table,
    site_groups,
    with_site,
    workspace_efficiency,
)
from app.storage import audit, calibration_store
from app.storage.calibration_store import SOURCE_SEPARATOR, FactorRow, StoredPoint
from app.storage.workspace import Workspace

# Means are fitted; p99 tails depend on the queue and are only checked against the refit.
FITTED_METRICS = tuple(m for m in METRICS if "_p99_" not in m)

CALIBRATION = "calibration"
FIT_METHOD = ("mfu, mbu and layer_overhead_us of this (engine, hardware class) group refit on "
              "all of the workspace's measured points of the group (soft-L1 loss of log "
              "errors, weak prior towards the shipped factors; app.engine.calibration)")
ALREADY_IMPORTED = ("{file}: was already imported into this workspace on {date} (import "
                    "{batch}); undo that import first to import it again")
ROW_REFUSED = "{file}: {label}: {rule}"
MIN_BAND_QUANTILE_POINTS = 2


@dataclass(frozen=True)
class SiteLog:
    """A log read and resolved: its reading and one storable row per point."""

    reading: LogReading
    rows: tuple[dict[str, Any], ...]  # POINT_COLUMNS values (batch and imported_at aside)
    groups: tuple[tuple[str, GroupKey], ...]  # per row: (segment, (engine, hardware class))


@dataclass(frozen=True)
class MetricErrors:
    """Errors on the imported points of one metric, before and after the refit."""

    metric: str
    n: int
    mdape_before_pct: float
    mdape_after_pct: float
    within_25_before_pct: float
    within_25_after_pct: float
    fitted: bool


@dataclass(frozen=True)
class GroupPlan:
    """What the refit does to one (engine, hardware class) group."""

    engine: str
    hardware_class: str
    before: EfficiencyFactors
    before_basis: str
    after: EfficiencyFactors
    points: int
    improved: bool
    row: FactorRow | None  # None: the group goes back to (or stays on) the shipped factors


@dataclass(frozen=True)
class CalibrationPlan:
    """Everything an import will store, and the errors it changes."""

    batch: str
    log: SiteLog
    groups: tuple[GroupPlan, ...]
    errors: tuple[MetricErrors, ...]
    excluded: tuple[tuple[str, str], ...]  # (label, reason): points not used by the fit
    predicted_before: tuple[float, ...]
    predicted_after: tuple[float, ...]


def _source(reading: LogReading, label: str) -> str:
    return f"{reading.file_name}{SOURCE_SEPARATOR}{label}"


def read_site_log(
    path: Path,
    facts: SiteFacts,
    catalog: Catalog,
    table: EfficiencyTable,
    aliases: Mapping[str, str],
    fmt: str = "auto",
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> SiteLog:
    """Read and resolve a log (step 1); `BenchmarkLogError` names what is wrong."""
    cancel = cancel or CancelToken()
    progress(0.0, f"Reading {Path(path).name}")
    reading = read_benchmark_log(path, facts, catalog, table.engines, aliases, fmt)
    rows: list[dict[str, Any]] = []
    groups: list[tuple[str, GroupKey]] = []
    for index, point in enumerate(reading.points):
        if index % 500 == 0:
            cancel.raise_if_cancelled()
        try:
            parsed = parse_row(index, point.case, catalog, table, dict(aliases))
        except RowError as exc:
            raise BenchmarkLogError(ROW_REFUSED.format(file=reading.file_name,
                                                       label=point.label, rule=exc)) from None
        d = parsed.deployment
        rows.append({
            "source": _source(reading, point.label), "model": d.model.id,
            "gpu": d.accelerator.id, "gpu_count": d.gpu_count, "tp": d.tp, "pp": d.pp,
            "ep": d.ep, "weights": d.weights.id, "kv_cache": d.kv_cache.id, "engine": d.engine,
            "mode": point.case["mode"], "load": None if math.isnan(parsed.load) else parsed.load,
            "input_tokens": parsed.input_tokens, "output_tokens": parsed.output_tokens,
            "metric": point.metric, "value": point.value,
        })
        groups.append((d.accelerator.segment, (d.engine, d.accelerator.hardware_class)))
    progress(1.0, "Read")
    return SiteLog(reading=reading, rows=tuple(rows), groups=tuple(groups))


def _case(row: Mapping[str, Any], case_id: str) -> dict[str, str]:
    load = row.get("load")
    return {"case_id": case_id, "model": str(row["model"]), "gpu": str(row["gpu"]),
            "gpu_count": str(row["gpu_count"]), "tp": str(row["tp"]), "pp": str(row["pp"]),
            "ep": str(row["ep"]), "weights": str(row["weights"]),
            "kv_cache": str(row["kv_cache"]), "engine": str(row["engine"]),
            "mode": str(row["mode"]), "load": "" if load is None else f"{float(load):g}",
            "input_tokens": str(row["input_tokens"]), "output_tokens": str(row["output_tokens"]),
            "metric": str(row["metric"]), "value": repr(float(row["value"]))}


def _stored_row(p: StoredPoint) -> dict[str, Any]:
    return {"source": p.source, "model": p.model, "gpu": p.gpu, "gpu_count": p.gpu_count,
            "tp": p.tp, "pp": p.pp, "ep": p.ep, "weights": p.weights, "kv_cache": p.kv_cache,
            "engine": p.engine, "mode": p.mode, "load": p.load, "input_tokens": p.input_tokens,
            "output_tokens": p.output_tokens, "metric": p.metric, "value": p.value}


def predictions(rows: Sequence[Mapping[str, Any]], catalog: Catalog, table: EfficiencyTable,
                aliases: Mapping[str, str]) -> tuple[list[float], list[bool]]:
    """Predicted value of each row's metric, and whether the configuration fits in memory."""
    cases = [_case(r, f"r{i}") for i, r in enumerate(rows)]
    out = estimate_rows(cases, catalog, table, dict(aliases))
    values, fits = [], []
    for row, result in zip(rows, out, strict=True):
        try:
            values.append(float(result.get(str(row["metric"])) or "nan"))
        except ValueError:
            values.append(math.nan)
        fits.append(result.get("status") == "ok" and result.get("fits") == "true")
    return values, fits


def _ape(predicted: Sequence[float], measured: Sequence[float]) -> np.ndarray:
    p = np.asarray(predicted, dtype=np.float64)
    m = np.asarray(measured, dtype=np.float64)
    error = np.abs(p - m) / m * 100.0
    return np.where(np.isfinite(error), error, 100.0)


def metric_errors(rows: Sequence[Mapping[str, Any]], before: Sequence[float],
                  after: Sequence[float], use: Sequence[bool]) -> tuple[MetricErrors, ...]:
    """MdAPE and share within 25 % per metric, before and after, on the rows in `use`."""
    by_metric: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if use[i]:
            by_metric[str(row["metric"])].append(i)
    out = []
    for metric in sorted(by_metric, key=_metric_order):
        idx = by_metric[metric]
        measured = [float(rows[i]["value"]) for i in idx]
        b = _ape([before[i] for i in idx], measured)
        a = _ape([after[i] for i in idx], measured)
        out.append(MetricErrors(metric, len(idx), float(np.median(b)), float(np.median(a)),
                                float(np.mean(b <= 25.0) * 100), float(np.mean(a <= 25.0) * 100),
                                metric in FITTED_METRICS))
    return tuple(out)


def _metric_order(metric: str) -> tuple[int, str]:
    order = ("output_tokens_per_s", "ttft_ms", "tpot_ms", "e2e_latency_s", "ttft_p99_ms",
             "tpot_p99_ms")
    return (order.index(metric) if metric in order else len(order), metric)


def _batch_id(reading: LogReading) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{reading.sha256[:8]}"


def _fit_group(
    key: GroupKey,
    segment: str,
    rows: Sequence[Mapping[str, Any]],
    catalog: Catalog,
    shipped: EfficiencyTable,
    aliases: Mapping[str, str],
) -> tuple[EfficiencyFactors, EfficiencyFactors]:
    """(start, fitted) factors of one group from its rows (fitted metrics only)."""
    start = shipped.resolve(key[0], key[1], segment).factors
    cases = case_set([_case(r, f"r{i}") for i, r in enumerate(rows)], catalog, shipped,
                     dict(aliases))
    labelled = cases.cases
    if labelled.measured.size == 0:
        return start, start
    fitted = fit_groups(labelled, {key: start}, start, min_rows=1)
    return start, fitted.groups.get(key, start)


def _bands(rows: Sequence[Mapping[str, Any]], predicted: Sequence[float]
           ) -> dict[str, list[float]]:
    ratios: dict[str, list[float]] = defaultdict(list)
    for row, value in zip(rows, predicted, strict=True):
        if math.isfinite(value) and value > 0:
            ratios[str(row["metric"])].append(float(row["value"]) / value)
    return {m: [round(float(np.percentile(r, 10)), 4), round(float(np.percentile(r, 90)), 4),
                len(r)] for m, r in ratios.items() if len(r) >= MIN_BAND_QUANTILE_POINTS}


def plan_calibration(
    log: SiteLog,
    existing: Sequence[StoredPoint],
    catalog: Catalog,
    current: EfficiencyTable,
    aliases: Mapping[str, str],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> CalibrationPlan:
    """Refit the groups the log measured and score the imported points (step 2, pure)."""
    cancel = cancel or CancelToken()
    shipped = shipped_table(current)
    new_rows = list(log.rows)
    before, fits = predictions(new_rows, catalog, current, aliases)
    excluded = tuple((r["source"].split(SOURCE_SEPARATOR, 1)[-1],
                      "does not fit in memory by Enclave's estimate: not used for the fit")
                     for r, ok in zip(new_rows, fits, strict=True) if not ok)
    fits_by_source = {r["source"]: ok for r, ok in zip(new_rows, fits, strict=True)}
    segments: dict[GroupKey, str] = {}
    for segment, key in log.groups:
        segments.setdefault(key, segment)
    old_rows = [_stored_row(p) for p in existing]
    old_fits = predictions(old_rows, catalog, current, aliases)[1] if old_rows else []
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    site = site_groups(current)
    plans: list[GroupPlan] = []
    new_site: dict[GroupKey, SiteGroup] = {}
    for number_, (key, segment) in enumerate(sorted(segments.items())):
        cancel.raise_if_cancelled()
        progress(number_ / max(len(segments), 1), f"Refitting {key[0]} on {key[1]}")
        group_rows = [r for r, ok in zip(old_rows, old_fits, strict=True)
                      if ok and (r["engine"], _class(catalog, r["gpu"])) == key]
        group_rows += [r for r, (_, k) in zip(new_rows, log.groups, strict=True)
                       if k == key and fits_by_source[r["source"]]]
        fitted_rows = [r for r in group_rows if r["metric"] in FITTED_METRICS]
        start, fitted = _fit_group(key, segment, fitted_rows, catalog, shipped, aliases)
        previous = current.resolve(key[0], key[1], segment)
        trial = with_site(current, {key: SiteGroup(key[0], key[1], fitted, start,
                                                   len(group_rows), stamp)})
        was, _ = predictions(fitted_rows, catalog, shipped, aliases)
        now, _ = predictions(fitted_rows, catalog, trial, aliases)
        measured = [float(r["value"]) for r in fitted_rows]
        improved = bool(fitted_rows) and float(np.median(_ape(now, measured))) < float(
            np.median(_ape(was, measured))) - 1e-9
        row = None
        if not improved:
            site.pop(key, None)
        else:
            after_all, _ = predictions(group_rows, catalog, trial, aliases)
            bands = _bands(group_rows, after_all)
            row = FactorRow(engine=key[0], hardware_class=key[1], points=len(group_rows),
                            fitted_at=stamp, data=_factor_data(fitted, start, bands))
            new_site[key] = SiteGroup(key[0], key[1], fitted, start, len(group_rows), stamp,
                                      {m: (b[0], b[1], int(b[2])) for m, b in bands.items()})
        plans.append(GroupPlan(engine=key[0], hardware_class=key[1],
                               before=previous.factors, before_basis=previous.basis,
                               after=fitted if improved else start,
                               points=len(group_rows), improved=improved, row=row))
    after_table = with_site(shipped, {**site, **new_site})
    after, _ = predictions(new_rows, catalog, after_table, aliases)
    progress(1.0, "Refit")
    return CalibrationPlan(batch=_batch_id(log.reading), log=log, groups=tuple(plans),
                           errors=metric_errors(new_rows, before, after, fits),
                           excluded=excluded, predicted_before=tuple(before),
                           predicted_after=tuple(after))


def _class(catalog: Catalog, gpu: str) -> str:
    try:
        return catalog.accelerator(gpu).hardware_class
    except KeyError:
        return ""


def _factor_data(fitted: EfficiencyFactors, start: EfficiencyFactors,
                 bands: Mapping[str, list[float]]) -> dict[str, Any]:
    def plain(f: EfficiencyFactors) -> dict[str, float]:
        return {"mfu": round(f.mfu, 5), "mbu": round(f.mbu, 5),
                "layer_overhead_us": round(f.layer_overhead_us, 3)}

    return {**plain(fitted), "start": plain(start), "bands": dict(bands), "method": FIT_METHOD}


def already_imported(ws: Workspace, reading: LogReading) -> str | None:
    """The refusal message when a file with the same content is already imported."""
    present = {b.batch: b for b in calibration_store.batches(ws.db)}
    for entry in audit.query(ws.db, entity=CALIBRATION, action_prefix="calibration.imported",
                             limit=100_000):
        if entry.detail.get("sha256") == reading.sha256 and entry.entity_id in present:
            return ALREADY_IMPORTED.format(file=reading.file_name, date=entry.at[:10],
                                           batch=entry.entity_id)
    return None


def apply_calibration(ws: Workspace, plan: CalibrationPlan) -> Outcome:
    """Store the plan (step 3): points, refit factors and audit row in one transaction."""
    refused = already_imported(ws, plan.log.reading)
    if refused:
        raise BenchmarkLogError(refused)
    reading = plan.log.reading
    before = calibration_store.snapshot(ws.db, plan.batch)
    calibration_store.record_import(
        ws.db, plan.batch, plan.log.rows, [g.row for g in plan.groups if g.row is not None],
        [(g.engine, g.hardware_class) for g in plan.groups if g.row is None],
        file=reading.file_name, sha256=reading.sha256, format=reading.format,
        tool=reading.tool, measured_on=reading.measured_on,
        skipped=[f"{w}: {r}" for w, r in reading.skipped][:50])
    after = calibration_store.snapshot(ws.db, plan.batch)
    description = f"Import {len(plan.log.rows)} measurements from {reading.file_name}"
    return _step(ws, plan.batch, before, after, description)


def _step(ws: Workspace, batch: str, restore_to: calibration_store.CalibrationSnapshot,
          expected: calibration_store.CalibrationSnapshot, description: str) -> Outcome:
    def inverse() -> Outcome:
        if calibration_store.snapshot(ws.db, batch) != expected:
            raise ChangedElsewhere(CHANGED_ELSEWHERE.format(what=f"calibration import {batch}"))
        calibration_store.restore(ws.db, batch, restore_to)
        return _step(ws, batch, expected, restore_to, description)

    return Outcome(Change(CALIBRATION, (batch,), description), inverse)


def calibrate_file(ws: Workspace, path: Path, facts: SiteFacts,
                   fmt: str = "auto") -> CalibrationPlan:
    """Read, refit and store a log in one go (the command line's `enclave calibrate`)."""
    table, aliases = workspace_efficiency(ws.db)
    log = read_site_log(path, facts, ws.catalog, table, aliases, fmt)
    refused = already_imported(ws, log.reading)
    if refused:
        raise BenchmarkLogError(refused)
    plan = plan_calibration(log, calibration_store.points(ws.db), ws.catalog, table, aliases)
    apply_calibration(ws, plan)
    return plan


def _factors(f: EfficiencyFactors) -> str:
    return f"mfu {f.mfu:.3f}, mbu {f.mbu:.3f}, {f.layer_overhead_us:.0f} us/layer"


def plan_report(plan: CalibrationPlan) -> str:
    """The before/after summary printed after an import."""
    reading = plan.log.reading
    lines = [f"imported {len(plan.log.rows)} measurements from {reading.file_name} "
             f"({reading.format_label}" + (f"; {reading.tool}" if reading.tool else "")
             + (f"; measured {reading.measured_on}" if reading.measured_on else "")
             + f") as import {plan.batch}"]
    for where, reason in reading.skipped:
        lines.append(f"  skipped {where}: {reason}")
    for label, reason in plan.excluded:
        lines.append(f"  not fitted {label}: {reason}")
    for g in plan.groups:
        if g.improved:
            lines.append(f"refit {g.engine} on {g.hardware_class} from {g.points} points:")
            lines.append(f"  before  {_factors(g.before)}  ({g.before_basis})")
            lines.append(f"  after   {_factors(g.after)}")
        else:
            lines.append(f"{g.engine} on {g.hardware_class}: a refit does not beat the shipped "
                         f"factors on these points; the shipped factors stay in use")
    lines.append("")
    lines.append(f"{'metric':<22}{'n':>5}  {'MdAPE before':>12}  {'MdAPE after':>11}  "
                 f"{'within 25% before/after':>23}")
    for e in plan.errors:
        name = e.metric + ("" if e.fitted else " *")
        lines.append(f"{name:<22}{e.n:>5}  {e.mdape_before_pct:>11.1f}%  "
                     f"{e.mdape_after_pct:>10.1f}%  "
                     f"{short_number(e.within_25_before_pct):>14}% / "
                     f"{short_number(e.within_25_after_pct)}%")
    if any(not e.fitted for e in plan.errors):
        lines.append("* P99 figures are checked, not fitted")
    lines.append("")
    lines.append("other engines and hardware classes: factors unchanged")
    changed = [g for g in plan.groups if g.improved]
    if changed:
        lines.append("estimates, evaluations and sweeps in this workspace now use the refit "
                     "factors; their basis says 'site-calibrated from N points, <date>'")
    return "\n".join(lines)
