#!/usr/bin/env python3
"""A full explorer sweep for a 70B model over the whole catalog (target: under 2 s).

    PYTHONPATH=. python benchmarks/explore.py [--repeat 5]

"Whole catalog": every catalog accelerator × GPU counts 1-16 × every parallel layout (35) ×
every weight format each engine runs × 2 KV-cache formats × 11 batch sizes, for all four
engine families — about 1.5 million configurations. Each run is what the Explorer screen and
`enclave sweep --engine all` do: price every GPU-hour, evaluate every configuration, judge it
against the site's requirements, size the fleet for the peak demand, filter (fit, SLOs,
constraints) and take the Pareto front. Two requests are timed: the bare model
(llama-3.1-70b, 1,000 tokens in / 200 out) and the `secure-chat-h100` demo scenario (Llama 3.3
70B with its SLOs, demand, requirements and cost inputs). Prints the best and median of
`--repeat` runs and where the time goes, with the CPU time (the figure to trust when other
work shares the two cores). Figures, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.catalog.efficiency import load_efficiency  # noqa: E402
from app.catalog.loader import Catalog  # noqa: E402
from app.operations.explore import grid_size, select, sweep_space  # noqa: E402
from app.operations.explore_explain import explain_selection  # noqa: E402
from app.operations.explore_request import (  # noqa: E402
    ExploreRequest,
    request_for_model,
    request_from_scenario,
)
from app.operations.scenario_files import find_scenario  # noqa: E402

TARGET_S = 2.0


def run(name: str, request: ExploreRequest, catalog: Catalog, repeat: int) -> bool:
    table, _ = load_efficiency()
    sweep_space(dataclasses.replace(request, batches=(1,)), catalog, table)  # warm-up
    totals, sweeps, selects, cpu = [], [], [], []
    for _ in range(repeat):
        cpu_start = time.process_time()
        start = time.perf_counter()
        space = sweep_space(request, catalog, table)
        middle = time.perf_counter()
        selection = select(space)
        end = time.perf_counter()
        cpu.append(time.process_time() - cpu_start)
        totals.append(end - start)
        sweeps.append(middle - start)
        selects.append(end - middle)
    start = time.perf_counter()
    explain_selection(space, selection, catalog)
    explain_s = time.perf_counter() - start
    best, median = min(totals), statistics.median(totals)
    print(f"{name}: {space.size:,} configurations ({len(space.accelerators)} accelerators, "
          f"engines {', '.join(space.engines)})")
    print(f"  sweep + select: best {best:.3f} s, median {median:.3f} s of {repeat} "
          f"({space.size / best:,.0f} configurations/s); target < {TARGET_S:.0f} s: "
          f"{'met' if median < TARGET_S else 'NOT met'}; CPU time median "
          f"{statistics.median(cpu):.3f} s (wall time includes waiting for a core when the "
          "machine is busy)")
    print(f"  of which sweep (price, evaluate, judge, size): median "
          f"{statistics.median(sweeps):.3f} s; filters and Pareto front: median "
          f"{statistics.median(selects) * 1000:.0f} ms; explanation {explain_s * 1000:.0f} ms")
    print(f"  {int(space.fits.sum()):,} fit; {space.constraint_failing:,} excluded by the "
          f"site's requirements; front: {selection.front.size} points")
    assert space.size == grid_size(request, catalog)
    return median < TARGET_S


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalog = Catalog.shipped()
    table, _ = load_efficiency()
    engines = tuple(table.engines)
    ok = run("llama-3.1-70b, 1,000 in / 200 out",
             request_for_model("llama-3.1-70b", 1000, 200, engines), catalog, args.repeat)
    scenario = find_scenario("secure-chat-h100")[0]
    request = dataclasses.replace(request_from_scenario(scenario, catalog), engines=engines)
    ok &= run(f"scenario '{scenario.name}'", request, catalog, args.repeat)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
