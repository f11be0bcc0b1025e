#!/usr/bin/env python3
"""Score the engine on published measurements (calibration, validation, or any CSV).

    python benchmarks/accuracy.py [--csv FILE ...] [--no-loso] [--by-group]

Without `--csv` it scores `resources/calibration/measurements.csv` (calibration) and
`resources/calibration/validation.csv` (held out). Prints, per source and metric and overall:
rows, MdAPE, share within 25 %, and how many predictions are off by more than 2x; with
`--by-group` also per engine x hardware class x metric x mode (to find systematic errors); then
the memory figures the scorer skips; then leave-one-source-out numbers (factors refitted on
every other source of all the sets, then scored on the held-out source). The in-sample tables
use the shipped factors.
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from calibration_rows import MEASUREMENTS, VALIDATION, case_rows, memory_checks, short_source

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.calibration import METRICS, predict
from app.operations.calibrate import case_set
from app.operations.estimate import estimate_rows


def table(title: str, groups: dict[tuple[str, str], list[float]]) -> None:
    """Print MdAPE rows from log ratios (predicted / measured)."""
    print(title)
    print(f"  {'source':8s} {'metric':22s} {'n':>5s} {'MdAPE':>7s} {'<=25%':>7s} {'>2x':>5s} {'bias':>6s}")
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
    bias = float(np.exp(np.median(logs)))  # median predicted / measured
    print(
        f"  {source:8s} {metric:22s} {len(logs):5d} {statistics.median(ape):6.1f}% {within:6.1f}% "
        f"{beyond:5d} {bias:6.2f}"
    )


def score(path: Path, by_group: bool = False) -> dict[tuple[str, str], list[float]]:
    """Log ratios (predicted / measured) per (source, metric) of one CSV with the shipped factors."""
    catalog = Catalog.shipped()
    factors, aliases = load_efficiency()
    rows = case_rows(path)
    cases = case_set(rows, catalog, factors, aliases)
    for i, why in cases.skipped:
        print(f"  skipped {rows[i]['case_id']}: {why}")
    ratio = predict(cases.cases) / cases.cases.measured
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    detail: dict[tuple[str, str], list[float]] = defaultdict(list)
    for k, i in enumerate(cases.rows):
        metric = METRICS[cases.cases.metric[k]]
        log = float(np.log(ratio[k])) if np.isfinite(ratio[k]) and ratio[k] > 0 else 5.0
        groups[(short_source(rows[i]["source_id"]), metric)].append(log)
        engine, hw = cases.cases.group[k]
        detail[(f"{engine}/{hw}/{rows[i]['mode']}", metric)].append(log)
    table(f"{path.name} (shipped factors):", groups)
    if by_group:
        print("  by engine / hardware class / mode:")
        for (key, metric), logs in sorted(detail.items()):
            _line(key[:40].ljust(40), metric, logs)
    return groups


def memory() -> None:
    catalog = Catalog.shipped()
    factors, aliases = load_efficiency()
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


def leave_one_source_out(paths: list[Path]) -> None:
    from fit_efficiency import loso

    from app.catalog.efficiency import parse_efficiency, read_raw

    start, aliases = parse_efficiency(read_raw())
    rows = [r for p in paths for r in case_rows(p)]
    held = loso(rows, start, aliases)
    groups = {
        (source, metric): logs for source, per in held.items() for metric, logs in per.items()
    }
    table("Leave-one-source-out (factors refitted without the source, all sets):", groups)


def main(argv: list[str]) -> int:
    paths = [Path(argv[i + 1]) for i, a in enumerate(argv) if a == "--csv"]
    paths = paths or [MEASUREMENTS, VALIDATION]
    for path in paths:
        score(path, by_group="--by-group" in argv)
    if MEASUREMENTS in paths:
        memory()
    if "--no-loso" not in argv:
        leave_one_source_out(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
