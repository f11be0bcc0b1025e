#!/usr/bin/env python3
"""Configurations per second of the vectorised sweep (target: >= 1,000,000/s on 2 cores).

    python benchmarks/sweep.py [--repeat 5]

Sweeps every catalog accelerator x 20 parallel layouts (1-8 GPUs) x 5 weight formats x 2 KV
formats x batch sizes for several models, one vectorised pass per model, and prints the best
rate of `--repeat` runs. A second line times a single pass of about one million configurations
(176 batch sizes), and a third the Pareto front over the configurations that fit.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from calibration_rows import ROOT  # noqa: F401  (puts the project on sys.path)

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.search import SweepGrid, pareto_front, sweep

MODELS = ("llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "deepseek-r1")
FORMATS = ("bf16", "fp8", "int8", "int4-awq", "nvfp4")


def main() -> int:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    catalog = Catalog.shipped()
    table, _ = load_efficiency()
    q = catalog.quantizations
    accels = list(catalog.accelerators.values())
    base = SweepGrid(accels, [q[f] for f in FORMATS], [q["bf16"], q["fp8"]])
    sweep(catalog.model(MODELS[0]), base, table, 1000, 200)  # warm-up

    best = float("inf")
    total = 0
    for _ in range(repeat):
        total = 0
        start = time.perf_counter()
        for model in MODELS:
            total += sweep(catalog.model(model), base, table, 1000, 200).size
        best = min(best, time.perf_counter() - start)
    print(
        f"{len(MODELS)} models x {base.size:,} configurations = {total:,} in {best:.3f} s: "
        f"{total / best:,.0f} configurations/s (best of {repeat})"
    )

    batches = tuple(int(b) for b in np.unique(np.geomspace(1, 4096, 400).astype(int)))[:176]
    big = SweepGrid(accels, base.weights, base.kv_formats, batches=batches)
    best = float("inf")
    for _ in range(max(1, repeat // 2)):
        start = time.perf_counter()
        result = sweep(catalog.model("llama-3.1-70b"), big, table, 1000, 200)
        best = min(best, time.perf_counter() - start)
    print(
        f"one pass of {result.size:,} configurations in {best:.3f} s: {result.size / best:,.0f} configurations/s"
    )

    fit = np.flatnonzero(result.fits)
    start = time.perf_counter()
    front = pareto_front(
        np.column_stack(
            [result.cost_per_million_tokens_usd[fit], result.tpot_ms[fit], result.ttft_ms[fit]]
        )
    )
    print(
        f"Pareto front of {fit.size:,} fitting configurations: {front.size} in {time.perf_counter() - start:.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
