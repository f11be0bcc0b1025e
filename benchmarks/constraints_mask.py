"""Time the constraint masks for 1,000,000 options (model × accelerator × weights × KV cache).

Usage: PYTHONPATH=. python benchmarks/constraints_mask.py [--options N] [--repeat R]

Builds the constraint table for a China site that avoids export-control exposure over the
whole catalog (every model, accelerator and format), then times the masks for N random options
and prints the median, with the share of options allowed. Figures, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.constraint_masks import build_table
from app.engine.constraint_types import SiteRequirements

SITE = SiteRequirements(
    deployment_mode="on-premise",
    data_classification="confidential",
    jurisdiction="CN",
    allowed_licences=("osi-only",),
    export_control_exposure="avoid",
    vendor_support_region="CN",
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--options", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    catalog = Catalog.shipped()
    models = list(catalog.models.values())
    accelerators = list(catalog.accelerators.values())
    formats = list(catalog.quantizations.values())

    start = time.perf_counter()
    table = build_table(SITE, shipped_regions(), models, accelerators, formats)
    build_s = time.perf_counter() - start

    rng = np.random.default_rng(0)
    n = args.options
    model = rng.integers(0, len(models), n)
    acc = rng.integers(0, len(accelerators), n)
    weights = rng.integers(0, len(formats), n)
    kv = rng.integers(0, len(formats), n)
    one_model = np.zeros(n, dtype=np.intp)

    def timed(model_idx: np.ndarray) -> tuple[float, float]:
        times = []
        allowed = 0.0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            masks = table.masks(acc, weights, kv, model_idx)
            allowed = float(masks.allowed.mean())
            times.append(time.perf_counter() - t0)
        return statistics.median(times), allowed

    many_s, many_allowed = timed(model)
    one_s, one_allowed = timed(one_model)
    t0 = time.perf_counter()
    table.explain(int(acc[0]), int(weights[0]), int(kv[0]), int(model[0]))
    explain_s = time.perf_counter() - t0

    print(f"table: {len(models)} models x {len(accelerators)} accelerators x {len(formats)} "
          f"formats, {len(table.rules)} rules, built in {build_s * 1000:.1f} ms")
    print(f"masks for {n:,} options (mixed models): {many_s * 1000:.1f} ms median of "
          f"{args.repeat} ({n / many_s / 1e6:.1f} M options/s); {many_allowed:.1%} allowed")
    print(f"masks for {n:,} options (one model):    {one_s * 1000:.1f} ms median of "
          f"{args.repeat} ({n / one_s / 1e6:.1f} M options/s); {one_allowed:.1%} allowed")
    print(f"explain one option: {explain_s * 1e6:.0f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
