"""Shared loading of published measurements for the fit and accuracy scripts.

Rows come from `resources/calibration/measurements.csv` (calibration) and
`resources/calibration/validation.csv` (held-out validation) through `normalize_rows`: the same
conversion as `benchcases.normalize` (so fitting and the shared scorer see identical cases), plus
what that scorer leaves out: tail metrics (`ttft_p99_ms`, `tpot_p99_ms`), fractional request
rates ("request rate 8.59"), and closed-loop concurrency rows written as "N concurrent ...".
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS = ROOT / "resources" / "calibration" / "measurements.csv"
VALIDATION = ROOT / "resources" / "calibration" / "validation.csv"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import benchcases  # noqa: E402

EXTRA_METRICS = {"ttft_p99_ms": "ttft_p99_ms", "tpot_p99_ms": "tpot_p99_ms"}


def raw_rows(path: Path = MEASUREMENTS) -> list[dict[str, str]]:
    """The published rows as read."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rate(text: str) -> str | None:
    """Fractional request rate of a 'request rate X' row (benchcases keeps the integer part)."""
    m = re.match(r"request rate (\d+(?:\.\d+)?)", text.lower())
    return m.group(1) if m else None


def normalize_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Estimate cases with `metric`, `value` and `source_id` (all values as text)."""
    cases, _ = benchcases.normalize(rows)
    by_id = {r["row_id"]: r for r in rows}
    out = []
    for c in cases:
        raw = by_id[c["case_id"]]
        rate = _rate(raw["batch_or_concurrency"])
        if c["mode"] == "rate" and rate:
            c["load"] = rate
        out.append({k: str(v) for k, v in c.items()})
    # tail metrics: same conditions as a scored row of the same configuration
    extra = [r for r in rows if r["metric"] in EXTRA_METRICS]
    if extra:
        proxies = [dict(r, metric="ttft_ms") for r in extra]
        converted, _ = benchcases.normalize(proxies)
        for c in converted:
            raw = by_id[c["case_id"]]
            rate = _rate(raw["batch_or_concurrency"])
            if c["mode"] == "rate" and rate:
                c["load"] = rate
            c["metric"] = EXTRA_METRICS[raw["metric"]]
            c["value"] = round(float(raw["value"]), 6)
            out.append({k: str(v) for k, v in c.items()})
    return out


def case_rows(path: Path = MEASUREMENTS) -> list[dict[str, str]]:
    """Estimate cases with `metric`, `value` and `source_id` (all values as text)."""
    return normalize_rows(raw_rows(path))


def short_source(source_id: str) -> str:
    """`S01_trtllm_...` -> `S01`."""
    return source_id.split("_", 1)[0]


def memory_checks(path: Path = MEASUREMENTS) -> list[dict[str, Any]]:
    """Published memory figures the scorer skips (no token lengths), as estimate inputs.

    Each item: case row, metric (`weights_gib` total on the GPUs, or `kv_cache_gib` total), the
    measured value in GiB, and the context the engine allocated (llama.cpp n_ctx).
    """
    checks = []
    for r in raw_rows(path):
        metric = r["metric"]
        if metric not in ("weights_memory_gpu", "kv_cache_memory"):
            continue
        value = float(r["value"]) / (1024.0 if r["unit"] == "MiB" else 1.0)
        engine = "vllm" if "vllm" in r["engine"].lower() else "llama.cpp"
        weights = "q4_k_m" if "Q4_K_M" in r["weight_precision"] else "bf16"
        gpu_count = int(r["gpu_count"])
        context = 512 if "n_ctx 512" in r["batch_or_concurrency"] else 8192
        checks.append(
            {
                "row_id": r["row_id"],
                "source": short_source(r["source_id"]),
                "case": {
                    "case_id": r["row_id"],
                    "model": r["model_id"],
                    "gpu": r["gpu"],
                    "gpu_count": str(gpu_count),
                    "tp": "1",
                    "pp": str(gpu_count if engine == "llama.cpp" else 1),
                    "ep": "1",
                    "weights": weights,
                    "kv_cache": "fp16" if engine == "llama.cpp" else "bf16",
                    "engine": engine,
                    "mode": "batch",
                    "load": "1",
                    "input_tokens": str(context - 1),
                    "output_tokens": "1",
                },
                "metric": "weights_gib" if metric == "weights_memory_gpu" else "kv_cache_gib",
                "value": value,
                "gpus": gpu_count,
            }
        )
    return checks
