#!/usr/bin/env python3
"""Time opening a workspace with 1,000 scenarios and listing them (DESIGN.md target: <= 0.5 s).

  python -m benchmarks.open_workspace [--scenarios 1000] [--runs 7]

Builds a workspace through the real stores: the shipped catalog plus N scenarios of realistic
JSON (5-10 KB each: workloads, deployment, cost and constraint assumptions, notes). Then, in a
fresh process per run (imports excluded, measured separately), times `open_workspace` (read-only
inspection with `quick_check`, writer lock, connection, migration check) plus
`scenario_store.list_rows`. Reports the median and worst of the runs, once with no backup due
and once when the day's routine backup is due (the first open of a day copies the file).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_WORDS = ("latency budget tokens throughput clinicians retrieval context guardrail audit "
          "on-prem sovereign quantized batch peak concurrency prompt cache sla failover "
          "rack power cooling procurement amortized").split()


def scenario(rng: random.Random, index: int) -> dict[str, Any]:
    """A scenario of 5-10 KB of JSON, shaped like what the GUI stores."""
    def text(words: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(words))

    workloads = [{
        "name": f"workload {w}", "model": rng.choice(["llama-3.1-8b", "llama-3.1-70b",
                                                      "qwen2.5-32b", "mixtral-8x7b"]),
        "users": rng.randrange(10, 5000), "requests_per_user_per_hour": rng.uniform(1, 60),
        "input_tokens": {"p50": rng.randrange(200, 4000), "p95": rng.randrange(4000, 32000)},
        "output_tokens": {"p50": rng.randrange(50, 800), "p95": rng.randrange(800, 4000)},
        "slo": {"ttft_ms_p95": rng.randrange(300, 3000), "tpot_ms_p95": rng.randrange(20, 120)},
        "quantization": rng.choice(["bf16", "fp8", "q4_k_m"]),
        "description": text(30),
    } for w in range(rng.randrange(1, 4))]
    data = {
        "name": f"Scenario {index:04d} {text(2)}", "schema_version": 1,
        "description": text(25), "workloads": workloads,
        "deployment": {"accelerator": "nvidia-h100-sxm-80gb", "count": rng.choice([1, 2, 4, 8]),
                       "server": "generic-8gpu", "engine": "vllm", "tp": 2, "pp": 1,
                       "redundancy": "n+1", "site": text(4)},
        "costs": {"horizon_months": 60, "electricity_usd_per_kwh": rng.uniform(0.08, 0.3),
                  "pue": rng.uniform(1.1, 1.6), "staff_fte": rng.uniform(0.2, 2),
                  "discount_rate": 0.07,
                  "monthly": [round(rng.uniform(1000, 9000), 2) for _ in range(60)]},
        "constraints": {"licences_allowed": ["apache-2.0", "llama3.1", "mit"],
                        "origin_excluded": [], "export_control_region": "EU"},
        "notes": text(rng.randrange(400, 1100)),
    }
    return data


def build(path: Path, count: int) -> float:
    from app.operations.workspace_ops import open_workspace
    from app.storage import scenario_store

    rng = random.Random(7)
    sizes = []
    with open_workspace(path) as ws:
        with ws.db.atomic():
            for index in range(count):
                data = scenario(rng, index)
                sizes.append(len(json.dumps(data)))
                scenario_store.insert(ws.db, data)
    return statistics.mean(sizes)


_TIMED = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store
from app.storage.policy import StoragePolicy
t1 = time.perf_counter()
interval = float(sys.argv[2])
ws = open_workspace(Path(sys.argv[1]), policy=StoragePolicy(backup_interval_s=interval))
rows = scenario_store.list_rows(ws.db)
t2 = time.perf_counter()
ws.close()
print(t1 - t0, t2 - t1, len(rows), ws.backup_written is not None)
"""


def timed_open(path: Path, backup_interval_s: float) -> tuple[float, float, int, bool]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _TIMED, str(path), repr(backup_interval_s)],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    imports_s, open_s, rows, backed_up = out.split()
    return float(imports_s), float(open_s), int(rows), backed_up == "True"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ENCLAVE_HOME", tempfile.mkdtemp(prefix="enclave-home-"))
    folder = Path(tempfile.mkdtemp(prefix="enclave-open-"))
    path = folder / "big.enclave.sqlite"
    started = time.perf_counter()
    mean_bytes = build(path, args.scenarios)
    size_mb = path.stat().st_size / 1e6 + (path.with_name(path.name + "-wal").stat().st_size / 1e6
                                           if path.with_name(path.name + "-wal").exists() else 0)
    print(f"built {args.scenarios} scenarios (mean JSON {mean_bytes / 1000:.1f} kB), "
          f"file {size_mb:.1f} MB, in {time.perf_counter() - started:.1f} s")
    for label, interval in (("no backup due", float("inf")), ("daily backup due", 0.0)):
        runs = [timed_open(path, interval) for _ in range(args.runs)]
        opens = [r[1] for r in runs]
        assert all(r[2] >= args.scenarios for r in runs)
        assert all(r[3] == (interval == 0.0) for r in runs)
        print(f"open + list {args.scenarios} scenarios, {label}: median "
              f"{statistics.median(opens) * 1000:.0f} ms, worst {max(opens) * 1000:.0f} ms "
              f"({args.runs} runs; imports {statistics.median(r[0] for r in runs) * 1000:.0f} "
              f"ms, not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
