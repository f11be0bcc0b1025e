"""Synthetic site benchmark logs: what the shipped factors predict, made slower on purpose.

`slow_vllm_log` writes a `vllm bench serve --append-result` file for Llama 3.1 8B in BF16 on
one H100 SXM: twelve runs (three lengths x four concurrency caps), each measured `slowdown`
times slower than the shipped factors predict (throughput divided, latencies multiplied), with
a little deterministic scatter, as a site whose hardware underperforms the published figures.
"""

from __future__ import annotations

from pathlib import Path

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.operations.estimate import estimate_rows
from tests.catalog.benchmark_log_files import vllm_result, vllm_text

SITE_MODEL = "llama-3.1-8b"
SITE_GPU = "nvidia-h100-sxm-80gb"
LENGTHS = ((1024, 128), (2048, 256), (256, 512))
CONCURRENCY = (1, 8, 32, 64)


def slow_vllm_log(path: Path, slowdown: float = 1.3, catalog: Catalog | None = None,
                  model: str = SITE_MODEL, gpu: str = SITE_GPU) -> Path:
    catalog = catalog or Catalog.shipped()
    table, aliases = load_efficiency()
    cases = []
    for isl, osl in LENGTHS:
        for cap in CONCURRENCY:
            cases.append({"case_id": f"{isl}-{osl}-{cap}", "model": model, "gpu": gpu,
                          "gpu_count": "1", "tp": "1", "pp": "1", "weights": "bf16",
                          "kv_cache": "bf16", "engine": "vllm", "mode": "batch",
                          "load": str(cap), "input_tokens": str(isl),
                          "output_tokens": str(osl)})
    predicted = estimate_rows(cases, catalog, table, aliases)
    results = []
    for i, (case, p) in enumerate(zip(cases, predicted, strict=True)):
        assert p["status"] == "ok", p
        scatter = 1.0 + 0.04 * ((i * 7) % 5 - 2) / 2  # -4 % .. +4 %, deterministic
        results.append(vllm_result(
            request_rate="inf", max_concurrency=int(case["load"]), completed=200,
            input_len=int(case["input_tokens"]), output_len=int(case["output_tokens"]),
            output_throughput=float(p["output_tokens_per_s"]) / slowdown * scatter,
            mean_ttft_ms=float(p["ttft_ms"]) * slowdown / scatter,
            mean_tpot_ms=float(p["tpot_ms"]) * slowdown / scatter,
            p99_ttft_ms=float(p["ttft_p99_ms"]) * slowdown,
            p99_tpot_ms=float(p["tpot_p99_ms"]) * slowdown,
            date="20261201-093000"))
    path.write_text(vllm_text(*results) + "\n", encoding="utf-8")
    return path
