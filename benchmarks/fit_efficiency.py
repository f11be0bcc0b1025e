#!/usr/bin/env python3
"""Regenerate `resources/efficiency/factors.json` from the published measurements.

    python benchmarks/fit_efficiency.py [--check] [--calibration-only]

Keeps the physical engine and hardware-class profiles of the file, clears the fitted groups,
refits them with `app.operations.calibrate.refit` (per engine x hardware class, then per engine,
then overall; robust soft-L1 loss on log errors; groups need 8 rows) on the calibration set and
the validation set together (`--calibration-only`: the calibration set alone), derives the
prediction bands from leave-one-source-out residuals of both sets (each source scored with
factors fitted on all the other sources), and writes the file with the date, method, data
hashes and per-group residual statistics. `--check` prints the result without writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys

import numpy as np
from calibration_rows import MEASUREMENTS, ROOT, VALIDATION, case_rows, short_source

from app.catalog.efficiency import factors_path, parse_efficiency, read_raw
from app.catalog.loader import Catalog
from app.engine.calibration import METRICS, predict
from app.engine.efficiency import EfficiencyTable
from app.operations.calibrate import case_set, refit

MIN_ROWS = 8
BANDED = ("output_tokens_per_s", "ttft_ms", "tpot_ms")
DATA_FILES = (MEASUREMENTS, VALIDATION)
MIN_BAND_ROWS = 30  # fewer residuals than this do not make a P10-P90 band on their own


def fit(rows: list[dict[str, str]], start: EfficiencyTable, aliases: dict[str, str]):  # type: ignore[no-untyped-def]
    """Fitted table and per-level fit results for `rows`."""
    catalog = Catalog.shipped()
    cases = case_set(rows, catalog, start, aliases).cases
    return refit(cases, start.with_groups({}), min_rows=MIN_ROWS)


def loso(
    rows: list[dict[str, str]], start: EfficiencyTable, aliases: dict[str, str]
) -> dict[str, dict[str, list[float]]]:
    """Leave-one-source-out log ratios (predicted / measured) per held-out source and metric."""
    catalog = Catalog.shipped()
    out: dict[str, dict[str, list[float]]] = {}
    for source in sorted({short_source(r["source_id"]) for r in rows}):
        train = [r for r in rows if short_source(r["source_id"]) != source]
        test = [r for r in rows if short_source(r["source_id"]) == source]
        table, _ = fit(train, start, aliases)
        held = case_set(test, catalog, table, aliases)
        ratio = predict(held.cases) / held.cases.measured
        per_metric: dict[str, list[float]] = {}
        for m, r in zip(held.cases.metric, ratio, strict=True):
            per_metric.setdefault(METRICS[m], []).append(float(np.log(r)))
        out[source] = per_metric
    return out


def main() -> int:
    check = "--check" in sys.argv
    raw = read_raw()
    start, aliases = parse_efficiency(raw)
    files = DATA_FILES[:1] if "--calibration-only" in sys.argv else DATA_FILES
    rows = [r for path in files for r in case_rows(path)]
    table, results = fit(rows, start, aliases)
    held = loso(rows, start, aliases)

    groups = []
    for level in results:
        for s in level.stats:
            groups.append(
                {
                    "engine": s.key[0],
                    "hardware_class": s.key[1],
                    "mfu": round(s.factors.mfu, 4),
                    "mbu": round(s.factors.mbu, 4),
                    "layer_overhead_us": round(s.factors.layer_overhead_us, 3),
                    "prefill_overhead_us": round(s.factors.prefill_overhead_us, 2),
                    "rows": s.rows,
                    "mdape_before_pct": round(s.mdape_before_pct, 1),
                    "mdape_after_pct": round(s.mdape_after_pct, 1),
                    "ratio_p10": round(s.ratio_p10, 3),
                    "ratio_p90": round(s.ratio_p90, 3),
                }
            )
    pooled: dict[str, list[float]] = {}
    for per_metric in held.values():
        for metric, logs in per_metric.items():
            pooled.setdefault(metric, []).extend(logs)
    bands = {}
    if len(pooled.get("tpot_ms", [])) < MIN_BAND_ROWS and "output_tokens_per_s" in pooled:
        # few measured TPOTs: a decode-bound TPOT is the reciprocal of the per-sequence token
        # rate, so throughput residuals (negated) stand in for the missing ones
        pooled["tpot_ms"] = pooled.get("tpot_ms", []) + [
            -x for x in pooled["output_tokens_per_s"]
        ]
    for metric in BANDED:
        logs = pooled.get(metric)
        if not logs:
            continue
        # measured / predicted quantiles: a prediction p has its P10-P90 band at p x these
        low, high = np.exp(-np.percentile(logs, 90)), np.exp(-np.percentile(logs, 10))
        bands[metric] = {
            "p10": round(float(low), 3),
            "p90": round(float(high), 3),
            "rows": len(logs),
        }
    if "tpot_ms" not in bands and "output_tokens_per_s" in bands:
        # per-token latency of batch-1 decode is the reciprocal of its throughput
        b = bands["output_tokens_per_s"]
        bands["tpot_ms"] = {
            "p10": round(1 / b["p90"], 3),
            "p90": round(1 / b["p10"], 3),
            "rows": b["rows"],
        }
    loso_summary = {
        source: {
            metric: {
                "rows": len(logs),
                "mdape_pct": round(float(np.median(np.abs(np.exp(logs) - 1.0)) * 100.0), 1),
                "beyond_2x": int(np.sum(np.abs(logs) > np.log(2.0))),
            }
            for metric, logs in per_metric.items()
        }
        for source, per_metric in held.items()
    }
    digests = {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files
    }
    raw.update(
        version=f"{dt.date.today():%Y.%m.%d}",
        fit={
            "date": f"{dt.date.today():%Y-%m-%d}",
            "script": "benchmarks/fit_efficiency.py",
            "data": [str(path.relative_to(ROOT)) for path in files],
            "data_sha256": digests,
            "rows": len(rows),
            "method": (
                "Per (engine, hardware class) group with at least "
                f"{MIN_ROWS} rows, then per engine and overall as fallbacks: mfu, mbu, "
                "layer_overhead_us and prefill_overhead_us (per layer; the second only in steps "
                "that carry prompt tokens) minimise the mean soft-L1 loss (scale 0.1) of log(predicted / "
                "measured) with a weak prior towards the starting values (Nelder-Mead in log "
                "space), on the calibration and validation sets together (after their "
                "leave-one-source-out scores were recorded). Bands: P10-P90 of measured / "
                "predicted over the leave-one-source-out residuals of both sets. Engine and "
                "hardware-class profiles are physical settings, not fitted."
            ),
            "leave_one_source_out": loso_summary,
        },
        groups=groups,
        bands=bands,
    )
    text = json.dumps(raw, indent=2, ensure_ascii=False) + "\n"
    parse_efficiency(json.loads(text))  # the written file must load
    for g in groups:
        print(
            f"{g['engine']:>14s} {g['hardware_class']:<16s} n={g['rows']:4d} mfu={g['mfu']:.3f} "
            f"mbu={g['mbu']:.3f} overhead={g['layer_overhead_us']:6.1f} us/layer "
            f"prompt={g['prefill_overhead_us']:6.1f} us/layer  "
            f"MdAPE {g['mdape_before_pct']:5.1f}% -> {g['mdape_after_pct']:5.1f}%"
        )
    print("leave-one-source-out:", json.dumps(loso_summary))
    print("bands:", json.dumps(bands))
    if not check:
        path = factors_path()
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
