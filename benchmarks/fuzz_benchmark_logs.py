"""Fuzz the benchmark-log import path and print accepted / rejected / crashed counts per format.

    PYTHONPATH=. python benchmarks/fuzz_benchmark_logs.py [--inputs N] [--seed S]

For each format (vLLM result, vLLM appended results, llama-bench JSON, JSONL, CSV and markdown,
measurements CSV) it feeds N inputs (default 10,000) through `read_site_log` (the reader, the
facts check and the catalog resolution of every row: everything an import does before it
writes): a tenth random bytes, the rest valid logs mutated by overwriting bytes (mostly printable), writing
boundary numbers and JSON/CSV/markdown tokens, truncating, inserting and splicing. "accepted"
read cleanly, "rejected" raised the user-facing error (one line naming the file and rule),
"crashed" raised anything else: that is a bug, and the script exits 1.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.catalog.benchmark_logs import SiteFacts  # noqa: E402
from app.catalog.efficiency import load_efficiency  # noqa: E402
from app.catalog.loader import Catalog  # noqa: E402
from app.errors import UserError  # noqa: E402
from app.operations.site_calibration import read_site_log  # noqa: E402
from tests.catalog.benchmark_log_files import (  # noqa: E402
    llama_bench_csv,
    llama_bench_json,
    llama_bench_jsonl,
    llama_bench_md,
    llama_test,
    vllm_result,
    vllm_text,
)

TOKENS = [b"-1", b"0", b"NaN", b"Infinity", b"1e999", b"-0", b"null", b"true", b"[]", b"{}",
          b'"', b"\n", b",", b"|", b"\xc2\xb1", b" @ d", b"\xff\xfe", b"\x00", b"9" * 30,
          b'"inf"', b"2147483648", b"18446744073709551616"]
LLAMA = [llama_test(n_prompt=512, n_gen=0, avg_ts=9800.0),
         llama_test(n_prompt=0, n_gen=128, avg_ts=152.0),
         llama_test(n_prompt=0, n_gen=128, avg_ts=131.0, n_depth=4096),
         llama_test(n_prompt=512, n_gen=128, avg_ts=620.0),
         llama_test(n_prompt=0, n_gen=128, avg_ts=22.0, n_gpu_layers=8)]
MEASUREMENTS = (
    "case_id,model,gpu,gpu_count,tp,pp,ep,weights,kv_cache,engine,mode,load,input_tokens,"
    "output_tokens,metric,value\n"
    "a,llama-3.1-8b,nvidia-l40s-48gb,1,1,1,1,fp8,fp8,vllm,batch,8,1024,128,"
    "output_tokens_per_s,812.5\n"
    "b,llama-3.1-70b,nvidia-h100-sxm-80gb,4,4,1,1,fp8,fp8,vllm,rate,2,1024,128,ttft_ms,95\n"
    "c,llama-3.1-8b,nvidia-geforce-rtx-4090-24gb,1,1,1,1,q4_k_m,fp16,llama.cpp,batch,1,0,128,"
    "output_tokens_per_s,150\n")
VLLM_FACTS = SiteFacts(model="llama-3.1-8b", gpu="nvidia-h100-sxm-80gb", weights="bf16")
LLAMA_FACTS = SiteFacts(model="llama-3.1-8b", gpu="nvidia-geforce-rtx-4090-24gb")
FORMATS: list[tuple[str, str, bytes, SiteFacts]] = [
    ("vLLM result JSON", "vllm.json", vllm_text(vllm_result()).encode(), VLLM_FACTS),
    ("vLLM appended results", "runs.json", vllm_text(
        vllm_result(request_rate=2.0, max_concurrency=None), vllm_result(),
        vllm_result(max_concurrency=None)).encode(), VLLM_FACTS),
    ("llama-bench JSON", "bench.json", llama_bench_json(LLAMA).encode(), LLAMA_FACTS),
    ("llama-bench JSONL", "bench.jsonl", llama_bench_jsonl(LLAMA).encode(), LLAMA_FACTS),
    ("llama-bench CSV", "bench.csv", llama_bench_csv(LLAMA).encode(), LLAMA_FACTS),
    ("llama-bench markdown", "bench.md", llama_bench_md(LLAMA).encode(), LLAMA_FACTS),
    ("measurements CSV", "site.csv", MEASUREMENTS.encode(), SiteFacts()),
]


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        choice = rng.random()
        if choice < 0.3:  # mostly printable, so mutations get past the UTF-8 check
            out[at:at + 1] = bytes([rng.randrange(32, 127) if rng.random() < 0.9
                                    else rng.randrange(256)])
        elif choice < 0.6:
            token = rng.choice(TOKENS)
            out[at:at + rng.randint(0, len(token))] = token
        elif choice < 0.7:
            del out[at:]
        elif choice < 0.85:
            out[at:at] = bytes(rng.randrange(32, 127) for _ in range(rng.randint(1, 16)))
        else:
            other = rng.randrange(len(out) + 1)
            out[at:at] = out[other:other + rng.randint(1, 80)]
    return bytes(out)


def fuzz(label: str, name: str, seed: bytes, facts: SiteFacts, inputs: int, rng: random.Random,
         folder: Path, catalog: Catalog, table: Any, aliases: dict[str, str]) -> dict[str, Any]:
    counts = {"accepted": 0, "rejected": 0, "crashed": 0}
    examples: list[str] = []
    path = folder / name
    started = time.perf_counter()
    for i in range(inputs):
        data = rng.randbytes(rng.randint(0, 600)) if i % 10 == 0 else mutate(rng, seed)
        path.write_bytes(data)
        try:
            read_site_log(path, facts, catalog, table, aliases)
            counts["accepted"] += 1
        except UserError as exc:
            counts["rejected"] += 1
            if "\n" in str(exc) or not str(exc).startswith(name):
                if not str(exc).startswith(tuple(f"{f}:" for f in ("model", "gpu", "engine"))):
                    counts["crashed"] += 1
                    examples.append(f"message does not name the file in one line: {exc!r}")
        except Exception:  # noqa: BLE001 - counting crashes is the point
            counts["crashed"] += 1
            if len(examples) < 3:
                examples.append(traceback.format_exc(limit=4))
    elapsed = time.perf_counter() - started
    return {"format": label, "inputs": inputs, **counts, "seconds": round(elapsed, 1),
            "examples": examples[:3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    catalog = Catalog.shipped()
    table, aliases = load_efficiency()
    with tempfile.TemporaryDirectory() as tmp:
        results = [fuzz(label, name, seed, facts, args.inputs, rng, Path(tmp), catalog, table,
                        aliases) for label, name, seed, facts in FORMATS]
    print(f"{'format':<24} {'inputs':>7} {'accepted':>9} {'rejected':>9} {'crashed':>8} "
          f"{'seconds':>8}")
    for r in results:
        print(f"{r['format']:<24} {r['inputs']:>7} {r['accepted']:>9} {r['rejected']:>9} "
              f"{r['crashed']:>8} {r['seconds']:>8}")
        for example in r["examples"]:
            print(example)
    total = sum(r["inputs"] for r in results)
    crashed = sum(r["crashed"] for r in results)
    print(f"{'all':<24} {total:>7} {sum(r['accepted'] for r in results):>9} "
          f"{sum(r['rejected'] for r in results):>9} {crashed:>8}")
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
