"""Print how fast the fine-tuning and embedding planners evaluate vectorized sweeps.

Run: PYTHONPATH=. python benchmarks/finetune_sweep.py
"""

from __future__ import annotations

import time

import numpy as np

from app.catalog.loader import Catalog
from app.engine.embeddings import encoder_throughput
from app.engine.finetune import FinetuneSetup, finetune_memory
from app.engine.finetune_time import finetune_time
from app.engine.vector_index import vector_index_size


def rate(label: str, configurations: int, seconds: float) -> None:
    print(f"{label:<48} {configurations:>10,d} configs  {configurations / seconds:>14,.0f} /s")


def main() -> None:
    catalog = Catalog.shipped()
    model = catalog.model("llama-3.1-70b")
    h100 = catalog.accelerator("nvidia-h100-sxm-80gb")
    seq = np.array([256, 512, 1024, 2048, 4096, 8192, 16384, 32768])[:, None, None, None]
    batch = np.arange(1, 17)[None, :, None, None]
    rank = np.array([4, 8, 16, 32, 64, 128, 256])[None, None, :, None]
    gpus = np.arange(1, 65)[None, None, None, :]
    setup = FinetuneSetup(method="qlora", zero_stage=3, seq_len_tokens=seq, micro_batch=batch,
                          lora_rank=rank, gpus=gpus)
    start = time.perf_counter()
    memory = finetune_memory(model, setup, h100)
    rate("fine-tune memory (+ min GPUs up to 4096)", memory.total_bytes.size,
         time.perf_counter() - start)
    start = time.perf_counter()
    timing = finetune_time(model, setup, 1e9, h100)
    rate("fine-tune time", timing.wall_time_s.size, time.perf_counter() - start)
    tokens = np.arange(1, 8193, dtype=np.float64)[:, None]
    batches = np.arange(1, 257, dtype=np.float64)[None, :]
    start = time.perf_counter()
    enc = encoder_throughput(catalog.model("bge-m3"), h100, tokens, batches)
    rate("encoder throughput", enc.tokens_per_s.size, time.perf_counter() - start)
    start = time.perf_counter()
    index = vector_index_size(np.logspace(3, 10, 2000)[:, None], np.arange(64, 4097, 8)[None, :],
                              index="hnsw")
    rate("vector index size (HNSW)", index.memory_bytes.size, time.perf_counter() - start)


if __name__ == "__main__":
    main()
