"""The published inference measurements shipped with Enclave, as estimate cases with sources.

`resources/calibration/measurements.csv` holds 709 published results, each with its source URL
and date (`SOURCES.md` describes the sources). `published_measurements()` turns every usable row
into an estimate case with its measured metric, exactly as `benchmarks/benchcases.py normalize`
does for the scorer (a test checks the two agree row for row), and keeps where it came from so
the Validation screen can show it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.paths import resources_dir

MEASUREMENTS_FILE = "measurements.csv"


@dataclass(frozen=True)
class PublishedMeasurement:
    """One usable published row.

    case: estimate-case columns (text); metric, value: the measured figure in the metric's unit.
    source_id: e.g. `S01_trtllm_v0.17_perf_overview`; url, date: as published.
    """

    row_id: str
    source_id: str
    url: str
    date: str
    engine_text: str
    model_text: str
    notes: str
    case: dict[str, str]
    metric: str
    value: float

    @property
    def source(self) -> str:
        """`S01`."""
        return self.source_id.split("_", 1)[0]

    @property
    def source_label(self) -> str:
        """`S01 trtllm v0.17 perf overview`."""
        head, _, rest = self.source_id.partition("_")
        return f"{head} {rest.replace('_', ' ')}".strip()


def measurements_path() -> Path:
    return resources_dir() / "calibration" / MEASUREMENTS_FILE


def _weights(s: str) -> str | None:
    s = s.upper()
    for token, name in (("Q4_K_M", "q4_k_m"), ("Q4_0", "q4_0"), ("Q8_0", "q8_0"),
                        ("FP4", "nvfp4"), ("FP8", "fp8"), ("BF16", "bf16")):
        if token in s:
            return name
    return "fp16" if "F16" in s or "FP16" in s else None


def _kv(s: str, weights: str | None) -> str | None:
    s = s.upper()
    if "FP8" in s:
        return "fp8"
    if "BF16" in s:
        return "bf16"
    if "F16" in s or "FP16" in s:
        return "fp16"
    if "NOT STATED" in s:
        return "fp8" if weights in ("fp8", "nvfp4") else "fp16"
    return None


def _engine(s: str) -> str | None:
    s = s.lower()
    for token, name in (("llama.cpp", "llama.cpp"), ("tensorrt", "tensorrt-llm"),
                        ("vllm", "vllm"), ("sglang", "sglang")):
        if token in s:
            return name
    return None


def _parallel(s: str, gpu_count: int) -> tuple[int, int, int] | None:
    s = s.upper()
    if "LAYER SPLIT" in s:
        return 1, gpu_count, 1
    if "SINGLE GPU" in s:
        return 1, 1, 1
    tp, pp, ep = (re.search(rf"{k}(\d+)", s) for k in ("TP", "PP", "EP"))
    if not tp:
        return None
    return int(tp.group(1)), int(pp.group(1)) if pp else 1, int(ep.group(1)) if ep else 1


def _load(s: str) -> tuple[str, str] | None:
    low = s.lower()
    if low.startswith("offline") or "mlperf offline" in low or "all requests queued" in low:
        return "offline", ""
    found = re.match(r"request rate (\d+|inf)", low)
    if found:
        return ("offline", "") if found.group(1) == "inf" else ("rate", found.group(1))
    found = re.match(r"(?:static batch )?(\d+)", low)
    return ("batch", found.group(1)) if found else None


def _int(s: str) -> int | None:
    try:
        return int(s)
    except ValueError:
        return None


def _metric(r: Mapping[str, str], value: float, gpu_count: int, isl: int
            ) -> tuple[str, float] | None:
    metric, unit = r["metric"], r["unit"]
    if metric in ("output_tok_s_total", 'throughput_tok_s (AMD "Throughput (tokens/s)")'):
        return "output_tokens_per_s", value
    if metric == "output_tok_s_per_gpu":
        return "output_tokens_per_s", value * gpu_count
    if metric == "tg_tok_s":
        return "output_tokens_per_s", value
    if metric == "pp_tok_s":
        return "ttft_ms", 1000.0 * isl / value
    if metric in ("ttft_ms", "ttft_mean_ms"):
        return "ttft_ms", value
    if metric in ("itl_mean_ms", "tpot_mean_ms"):
        return "tpot_ms", value
    if metric == "e2e_latency_s":
        return "e2e_latency_s", value
    if metric == "weights_memory_gpu":
        return "weights_gib", value / 1024 if unit == "MiB" else value
    if metric == "kv_cache_memory":
        return "kv_cache_gib", value / 1024 if unit == "MiB" else value
    return None


def normalize(r: Mapping[str, str]) -> PublishedMeasurement | None:
    """One published row as a measurement with its case (None when its conditions are not
    stated in a form the estimate contract takes)."""
    gpu_count = _int(r["gpu_count"])
    weights = _weights(r["weight_precision"])
    kv = _kv(r["kv_cache_precision"], weights)
    layout = _parallel(r["parallelism"], gpu_count or 1)
    load = _load(r["batch_or_concurrency"])
    isl, osl = _int(r["input_len"]), _int(r["output_len"])
    engine = _engine(r["engine"])
    if (gpu_count is None or weights is None or kv is None or layout is None or load is None
            or engine is None or isl is None or osl is None):
        return None
    measured = _metric(r, float(r["value"]), gpu_count, isl)
    if measured is None:
        return None
    tp, pp, ep = layout
    case = {"case_id": r["row_id"], "model": r["model_id"], "gpu": r["gpu"],
            "gpu_count": str(gpu_count), "tp": str(tp), "pp": str(pp), "ep": str(ep),
            "weights": weights, "kv_cache": kv, "engine": engine, "mode": load[0],
            "load": load[1], "input_tokens": str(isl), "output_tokens": str(osl)}
    return PublishedMeasurement(
        row_id=r["row_id"], source_id=r["source_id"], url=r["source_url"],
        date=r["source_date"], engine_text=r["engine"], model_text=r["model_as_published"],
        notes=r["notes"], case=case, metric=measured[0], value=round(measured[1], 6))


@cache
def published_measurements(path: Path | None = None) -> tuple[PublishedMeasurement, ...]:
    """Every usable published measurement (read once per process)."""
    with (path or measurements_path()).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(m for m in (normalize(r) for r in rows) if m is not None)
