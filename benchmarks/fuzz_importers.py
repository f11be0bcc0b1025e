"""Fuzz the local-file importers and print accepted / rejected / crashed counts.

    PYTHONPATH=. python benchmarks/fuzz_importers.py [--inputs N] [--seed S]

For each importer (safetensors header, GGUF header + entry builder, config.json, CSV catalog
pack) it feeds N inputs (default 12,000): a fifth random bytes, the rest valid files mutated by
overwriting bytes with random or boundary integers, truncating, inserting and splicing.
"accepted" parsed cleanly, "rejected" raised the user-facing error (one line naming the file
and rule), "crashed" raised anything else: that is a bug, and the script exits 1.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.catalog.importers.hf_config import read_config  # noqa: E402
from app.catalog.importers.model_entry import model_entry  # noqa: E402
from app.catalog.importers.safetensors import read_header  # noqa: E402
from app.catalog.loader import read_pack  # noqa: E402
from app.errors import UserError  # noqa: E402
from app.operations.catalog_packs import pack_bytes, parse_csv_text  # noqa: E402
from app.paths import resources_dir  # noqa: E402
from tests.catalog.model_files import (  # noqa: E402
    DEEPSEEK_V3,
    GEMMA3_27B,
    GPT_OSS_20B,
    LLAMA_31_8B,
    MIXTRAL_8X7B,
    QWEN3_30B_A3B,
    HandGguf,
    dense_table,
    llama_gguf,
    mixtral_table,
    safetensors_bytes,
)

BOUNDARY = [0, 1, 7, 8, 255, 2**16 - 1, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1]
TINY = {**LLAMA_31_8B, "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50}
TINY_MOE = {**MIXTRAL_8X7B, "num_hidden_layers": 1, "hidden_size": 64, "intermediate_size": 32,
            "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50,
            "num_local_experts": 4}


def _safetensors_seeds() -> list[bytes]:
    seeds = []
    for table in (dense_table(TINY), mixtral_table(TINY_MOE)):
        head, size = safetensors_bytes(table, metadata={"format": "pt"})
        seeds.append(head + bytes(size))
    return seeds


def _gguf_seeds() -> list[bytes]:
    moe = HandGguf().add("general.architecture", "qwen3moe")
    for key, value in {"block_count": 1, "embedding_length": 256, "attention.head_count": 4,
                       "expert_count": 4, "expert_used_count": 2,
                       "attention.sliding_window": 512}.items():
        moe.add(f"qwen3moe.{key}", value)
    moe.tensor("token_embd.weight", [256, 8], "Q8_0")
    moe.tensor("blk.0.ffn_up_exps.weight", [256, 32, 4], "Q4_K")
    seeds = []
    for g in (llama_gguf(vocab=30), moe):
        head, size = g.header()
        seeds.append(head + bytes(size))
    return seeds


def _config_seeds() -> list[bytes]:
    return [json.dumps(c, indent=1).encode() for c in (
        TINY, MIXTRAL_8X7B, QWEN3_30B_A3B, DEEPSEEK_V3, GEMMA3_27B, GPT_OSS_20B)]


def _csv_seeds() -> list[bytes]:
    folder = resources_dir() / "catalog"
    return [pack_bytes(kind, list(read_pack(folder / f"{kind}.json").entries), "seed", as_csv=True)
            for kind in ("servers", "cloud-apis", "gpu-rentals", "quantizations")]


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        choice = rng.random()
        if choice < 0.35:
            out[at:at + 1] = bytes([rng.randrange(256)])
        elif choice < 0.6:
            width = rng.choice((4, 8))
            value = rng.choice(BOUNDARY) % (1 << (8 * width))
            out[at:at + width] = value.to_bytes(width, "little")
        elif choice < 0.75:
            del out[at:]
        elif choice < 0.9:
            out[at:at] = rng.randbytes(rng.randint(1, 16))
        else:
            other = rng.randrange(len(out) + 1)
            out[at:at] = out[other:other + rng.randint(1, 64)]
    return bytes(out)


def fuzz(name: str, parse: Callable[[Path], Any], seeds: list[bytes], file_name: str,
         inputs: int, rng: random.Random, folder: Path) -> dict[str, Any]:
    counts = {"accepted": 0, "rejected": 0, "crashed": 0}
    examples: list[str] = []
    path = folder / file_name
    started = time.perf_counter()
    for i in range(inputs):
        if i % 5 == 0:
            data = rng.randbytes(rng.randint(0, 600))
            if rng.random() < 0.5:
                data = seeds[0][:rng.randint(0, 40)] + data
        else:
            data = mutate(rng, rng.choice(seeds))
        path.write_bytes(data)
        try:
            parse(path)
            counts["accepted"] += 1
        except UserError as exc:
            counts["rejected"] += 1
            if "\n" in str(exc):
                counts["crashed"] += 1
                examples.append(f"multi-line message: {exc!r}")
        except Exception:  # noqa: BLE001 - counting crashes is the point
            counts["crashed"] += 1
            if len(examples) < 3:
                examples.append(traceback.format_exc(limit=3))
    elapsed = time.perf_counter() - started
    return {"importer": name, "inputs": inputs, **counts, "seconds": round(elapsed, 1),
            "examples": examples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = [
            fuzz("safetensors header", read_header, _safetensors_seeds(), "model.safetensors",
                 args.inputs, rng, folder),
            fuzz("GGUF header + entry", model_entry, _gguf_seeds(), "model.gguf", args.inputs,
                 rng, folder),
            fuzz("config.json", read_config, _config_seeds(), "config.json", args.inputs, rng,
                 folder),
            fuzz("CSV catalog pack", lambda p: parse_csv_text(
                p.read_bytes().decode("utf-8", errors="replace"), p.name), _csv_seeds(),
                 "pack.csv", args.inputs, rng, folder),
        ]
    print(f"{'importer':<22} {'inputs':>7} {'accepted':>9} {'rejected':>9} {'crashed':>8} "
          f"{'seconds':>8}")
    for r in results:
        print(f"{r['importer']:<22} {r['inputs']:>7} {r['accepted']:>9} {r['rejected']:>9} "
              f"{r['crashed']:>8} {r['seconds']:>8}")
        for example in r["examples"]:
            print(example)
    return 1 if any(r["crashed"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
