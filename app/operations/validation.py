"""Predicted against measured: the data of the Validation screen (Qt-free).

`validation_data` predicts every published measurement shipped with Enclave
(`app.catalog.published`) and every calibration point of the workspace with the factors the
workspace uses; site points are also predicted with the shipped factors, so the screen can
show them before and after the site refit. `error_rows` summarises any filtered subset per
source and metric: count, MdAPE, share within 25 % and count off by more than 2x.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.catalog.loader import Catalog
from app.catalog.published import PublishedMeasurement, published_measurements
from app.engine.efficiency import EfficiencyTable
from app.operations.estimate import estimate_rows
from app.operations.progress import CancelToken, ProgressCallback, no_progress
from app.operations.site_efficiency import efficiency_note, shipped_table, site_groups
from app.storage.calibration_store import StoredPoint

PUBLISHED = "published"
SITE = "site"
SITE_BEFORE = "site · shipped factors"
SITE_AFTER = "site · site-calibrated"
METRICS = ("output_tokens_per_s", "ttft_ms", "tpot_ms", "e2e_latency_s", "ttft_p99_ms",
           "tpot_p99_ms", "weights_gib", "kv_cache_gib")
METRIC_LABELS = {"output_tokens_per_s": "Output tokens/s", "ttft_ms": "TTFT (ms)",
                 "tpot_ms": "TPOT (ms)", "e2e_latency_s": "End-to-end latency (s)",
                 "ttft_p99_ms": "TTFT P99 (ms)", "tpot_p99_ms": "TPOT P99 (ms)",
                 "weights_gib": "Weights per GPU (GiB)", "kv_cache_gib": "KV cache per GPU (GiB)"}


@dataclass(frozen=True)
class ValidationPoint:
    """One measured figure and its prediction(s).

    origin: `published` or `site`; source: short source (`S01`, or the site log's file name);
    series: the legend entry (`S01`, ..., `site (shipped factors)`, `site (site-calibrated)`).
    predicted: with the workspace's factors; predicted_shipped: with the shipped factors (the
    same for published points unless the workspace refit their hardware).
    """

    key: str
    origin: str
    source: str
    source_label: str
    url: str
    date: str
    detail: str
    model: str
    gpu: str
    gpu_name: str
    hardware_class: str
    engine: str
    metric: str
    measured: float
    predicted: float
    predicted_shipped: float
    configuration: str
    series: str

    @property
    def ratio(self) -> float:
        """predicted / measured."""
        return self.predicted / self.measured


@dataclass(frozen=True)
class ValidationData:
    """Every point the screen shows, and how they were predicted."""

    points: tuple[ValidationPoint, ...]
    unresolved: tuple[tuple[str, str], ...]  # (key, reason): rows the catalog cannot resolve
    factors_note: str
    site_calibrated: bool


@dataclass(frozen=True)
class ErrorRow:
    """Errors of one source (series) and metric."""

    series: str
    metric: str
    n: int
    mdape_pct: float
    within_25_pct: float
    beyond_2x: int


def _configuration(case: Mapping[str, str], gpu_name: str) -> str:
    layout = f"TP{case['tp']}" + (f" PP{case['pp']}" if case.get("pp", "1") not in ("", "1")
                                   else "")
    mode = case["mode"]
    load = {"batch": f"batch {case['load']}", "rate": f"{case['load']} req/s",
            "offline": "offline"}.get(mode, mode)
    return (f"{case['model']} · {case['gpu_count']}× {gpu_name} ({layout}) · "
            f"{case['weights']}/{case['kv_cache'] or 'default KV'} · {case['engine']} · {load} · "
            f"{case['input_tokens']} in / {case['output_tokens']} out")


def _predict(rows: Sequence[dict[str, str]], catalog: Catalog, table: EfficiencyTable,
             aliases: Mapping[str, str], metrics: Sequence[str]) -> list[tuple[float, dict[str, str]]]:
    out = estimate_rows(rows, catalog, table, dict(aliases))
    values = []
    for result, metric in zip(out, metrics, strict=True):
        try:
            value = float(result.get(metric) or "nan")
        except ValueError:
            value = math.nan
        values.append((value, result))
    return values


def validation_data(
    catalog: Catalog,
    table: EfficiencyTable,
    aliases: Mapping[str, str],
    site_points: Sequence[StoredPoint] = (),
    published: Sequence[PublishedMeasurement] | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ValidationData:
    """Predict every published and site measurement (see the module docstring)."""
    cancel = cancel or CancelToken()
    published = published_measurements() if published is None else published
    shipped = shipped_table(table)
    calibrated = bool(site_groups(table))
    progress(0.05, "Predicting the published measurements")
    pub_cases = [dict(m.case) for m in published]
    pub_metrics = [m.metric for m in published]
    now = _predict(pub_cases, catalog, table, aliases, pub_metrics)
    cancel.raise_if_cancelled()
    before = _predict(pub_cases, catalog, shipped, aliases, pub_metrics) if calibrated else now
    progress(0.6, "Predicting the site's measurements")
    site_cases = [p.case() for p in site_points]
    site_metrics = [p.metric for p in site_points]
    site_now = _predict(site_cases, catalog, table, aliases, site_metrics)
    site_before = (_predict(site_cases, catalog, shipped, aliases, site_metrics)
                   if calibrated else site_now)
    cancel.raise_if_cancelled()
    points: list[ValidationPoint] = []
    unresolved: list[tuple[str, str]] = []

    def add(key: str, origin: str, case: Mapping[str, str], metric: str, measured: float,
            pair: tuple[float, dict[str, str]], shipped_value: float, source: str,
            source_label: str, url: str, date: str, detail: str, series: str) -> None:
        value, result = pair
        if result.get("status") != "ok" or not math.isfinite(value) or value <= 0:
            unresolved.append((key, result.get("message") or "no prediction for this metric"))
            return
        try:
            gpu = catalog.accelerator(case["gpu"])
        except KeyError as exc:
            unresolved.append((key, str(exc.args[0])))
            return
        points.append(ValidationPoint(
            key=key, origin=origin, source=source, source_label=source_label, url=url,
            date=date, detail=detail, model=case["model"], gpu=gpu.id, gpu_name=gpu.name,
            hardware_class=gpu.hardware_class, engine=aliases.get(case["engine"],
                                                                  case["engine"]),
            metric=metric, measured=measured, predicted=value,
            predicted_shipped=shipped_value if math.isfinite(shipped_value) else value,
            configuration=_configuration(case, gpu.name), series=series))

    for m, pair, old in zip(published, now, before, strict=True):
        add(m.row_id, PUBLISHED, m.case, m.metric, m.value, pair, old[0], m.source,
            m.source_label, m.url, m.date, m.notes, m.source)
    for p, pair, old in zip(site_points, site_now, site_before, strict=True):
        label = p.source.split(" · ", 1)[-1]
        series = SITE_AFTER if calibrated else SITE
        add(f"site-{p.id}", SITE, p.case(), p.metric, p.value, pair, old[0], p.file,
            f"site log {p.file}", "", p.imported_at[:10], f"{label} (import {p.batch})", series)
    progress(1.0, "Predicted")
    return ValidationData(points=tuple(points), unresolved=tuple(unresolved),
                          factors_note=efficiency_note(table), site_calibrated=calibrated)


@dataclass(frozen=True)
class PointFilter:
    """Which points to keep; empty text means any. `hardware` is `class:<name>` or a GPU id."""

    hardware: str = ""
    engine: str = ""
    model: str = ""
    source: str = ""

    def keep(self) -> Callable[[ValidationPoint], bool]:
        def keep(p: ValidationPoint) -> bool:
            if self.hardware.startswith("class:"):
                if p.hardware_class != self.hardware[6:]:
                    return False
            elif self.hardware and p.gpu != self.hardware:
                return False
            if self.engine and p.engine != self.engine:
                return False
            if self.model and p.model != self.model:
                return False
            return not self.source or p.source == self.source
        return keep


def filtered(points: Sequence[ValidationPoint], where: PointFilter) -> list[ValidationPoint]:
    keep = where.keep()
    return [p for p in points if keep(p)]


def _row(series: str, metric: str, predicted: Sequence[float], measured: Sequence[float]
         ) -> ErrorRow:
    p = np.asarray(predicted, dtype=np.float64)
    m = np.asarray(measured, dtype=np.float64)
    ape = np.abs(p - m) / m * 100.0
    log_ratio = np.abs(np.log(p / m))
    return ErrorRow(series=series, metric=metric, n=int(p.size),
                    mdape_pct=float(np.median(ape)), within_25_pct=float(np.mean(ape <= 25.0)
                                                                         * 100.0),
                    beyond_2x=int(np.sum(log_ratio > math.log(2.0))))


def error_rows(points: Sequence[ValidationPoint], site_calibrated: bool = False
               ) -> list[ErrorRow]:
    """Errors per series and metric, then per metric over all published points; site points
    appear twice when the workspace refit them: with the shipped and the site factors."""
    groups: dict[tuple[str, str], list[ValidationPoint]] = defaultdict(list)
    for p in points:
        groups[(p.series, p.metric)].append(p)
    rows = []
    for (series, metric), members in sorted(groups.items(), key=lambda kv: (
            kv[0][0].startswith("site"), kv[0][0], METRICS.index(kv[0][1])
            if kv[0][1] in METRICS else 99)):
        measured = [p.measured for p in members]
        if series == SITE_AFTER and site_calibrated:
            rows.append(_row(SITE_BEFORE, metric, [p.predicted_shipped for p in members],
                             measured))
        rows.append(_row(series, metric, [p.predicted for p in members], measured))
    published: dict[str, list[ValidationPoint]] = defaultdict(list)
    for p in points:
        if p.origin == PUBLISHED:
            published[p.metric].append(p)
    for metric in sorted(published, key=lambda m: METRICS.index(m) if m in METRICS else 99):
        members = published[metric]
        rows.append(_row("all published", metric, [p.predicted for p in members],
                         [p.measured for p in members]))
    return rows
