#!/usr/bin/env python3
"""Score the engine on the published measurements in `resources/calibration/`.

    python benchmarks/accuracy.py [--no-loso]

Prints, per source and metric and overall: rows, MdAPE, share within 25 %, and how many
predictions are off by more than 2x; then the memory figures the scorer skips (weights and KV
cache from llama.cpp and vLLM logs); then leave-one-source-out numbers (factors refitted
without the source, then scored on it). The in-sample table uses the shipped factors.
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict

import numpy as np
from calibration_rows import case_rows, memory_checks, short_source

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.calibration import METRICS, predict
from app.operations.calibrate import case_set
from app.operations.estimate import estimate_rows


def table(title: str, groups: dict[tuple[str, str], list[float]]) -> None:
    """Print MdAPE rows from log ratios (predicted / measured)."""
    print(title)
    print(f"  {'source':8s} {'metric':22s} {'n':>5s} {'MdAPE':>7s} {'<=25%':>7s} {'>2x':>5s}")
    by_metric: dict[str, list[float]] = defaultdict(list)
    for (source, metric), logs in sorted(groups.items()):
        by_metric[metric].extend(logs)
        _line(source, metric, logs)
    for metric, logs in sorted(by_metric.items()):
        _line("all", metric, logs)


def _line(source: str, metric: str, logs: list[float]) -> None:
    ape = np.abs(np.exp(np.array(logs)) - 1.0) * 100.0
    within = 100.0 * float(np.mean(ape <= 25.0))
    beyond = int(np.sum(np.abs(logs) > np.log(2.0)))
    print(
        f"  {source:8s} {metric:22s} {len(logs):5d} {statistics.median(ape):6.1f}% {within:6.1f}% {beyond:5d}"
    )


def in_sample() -> None:
    catalog = Catalog.shipped()
    factors, aliases = load_efficiency()
    rows = case_rows()
    cases = case_set(rows, catalog, factors, aliases)
    ratio = predict(cases.cases) / cases.cases.measured
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for k, i in enumerate(cases.rows):
        groups[(short_source(rows[i]["source_id"]), METRICS[cases.cases.metric[k]])].append(
            float(np.log(ratio[k]))
        )
    table("In-sample (shipped factors):", groups)

    checks = memory_checks()
    out = estimate_rows([c["case"] for c in checks], catalog, factors, aliases)
    print("Memory (published logs; totals over the GPUs of the configuration):")
    for check, pred in zip(checks, out, strict=True):
        value = float(pred[check["metric"]] or "nan") * check["gpus"]
        error = (value - check["value"]) / check["value"] * 100.0
        print(
            f"  {check['row_id']} {check['source']} {check['case']['gpu'][:24]:24s} "
            f"{check['metric']:13s} measured {check['value']:7.2f} GiB  predicted {value:7.2f} GiB "
            f"({error:+.1f}%)"
        )


def leave_one_source_out() -> None:
    from fit_efficiency import loso

    from app.catalog.efficiency import parse_efficiency, read_raw

    start, aliases = parse_efficiency(read_raw())
    held = loso(case_rows(), start, aliases)
    groups = {
        (source, metric): logs for source, per in held.items() for metric, logs in per.items()
    }
    table("Leave-one-source-out (factors refitted without the source):", groups)


if __name__ == "__main__":
    in_sample()
    if "--no-loso" not in sys.argv:
        leave_one_source_out()
