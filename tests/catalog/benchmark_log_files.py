"""Benchmark logs written exactly as the tools write them, for the importer tests.

- `vllm_result`: the object `vllm bench serve --save-result` saves (`vllm/benchmarks/serve.py`,
  `main_async`: setup keys, traffic keys, then the `benchmark()` result and the
  `process_one_metric` keys), without the per-request lists (`--save-detailed` off).
- `llama_bench_*`: the fields, types and layouts of `tools/llama-bench/llama-bench.cpp`
  (`test::get_fields`, `get_field_type`, the csv/json/jsonl/markdown printers).
"""

from __future__ import annotations

import json
from typing import Any

LLAMA_FIELDS = (
    "build_commit", "build_number", "cpu_info", "gpu_info", "backends", "model_filename",
    "model_type", "model_size", "model_n_params", "n_batch", "n_ubatch", "n_threads", "cpu_mask",
    "cpu_strict", "poll", "type_k", "type_v", "n_gpu_layers", "n_cpu_moe", "split_mode",
    "main_gpu", "no_kv_offload", "flash_attn", "devices", "tensor_split",
    "tensor_buft_overrides", "load_mode", "embeddings", "no_op_offload", "no_host", "fit_target",
    "fit_min_ctx", "n_prompt", "n_gen", "n_depth", "test_time", "avg_ns", "stddev_ns", "avg_ts",
    "stddev_ts",
)
BOOL_FIELDS = {"cpu_strict", "no_kv_offload", "embeddings", "no_host"}
STRING_FIELDS = {"build_commit", "cpu_info", "gpu_info", "backends", "model_filename",
                 "model_type", "cpu_mask", "type_k", "type_v", "split_mode", "devices",
                 "tensor_split", "tensor_buft_overrides", "load_mode", "test_time"}


def vllm_result(
    *,
    request_rate: float | str = "inf",
    max_concurrency: int | None = 16,
    completed: int = 200,
    input_len: int = 1024,
    output_len: int = 128,
    output_throughput: float = 2412.5,
    mean_ttft_ms: float = 185.2,
    mean_tpot_ms: float = 6.1,
    p99_ttft_ms: float = 402.0,
    p99_tpot_ms: float = 7.9,
    backend: str = "vllm",
    model_id: str = "meta-llama/Llama-3.1-8B-Instruct",
    date: str = "20251203-101502",
) -> dict[str, Any]:
    duration = completed * output_len / output_throughput
    mean_e2el = mean_ttft_ms + (output_len - 1) * mean_tpot_ms
    return {
        "date": date, "endpoint_type": backend, "backend": backend, "label": None,
        "model_id": model_id, "tokenizer_id": model_id, "num_prompts": completed,
        "request_rate": request_rate, "burstiness": 1.0, "max_concurrency": max_concurrency,
        "duration": duration, "completed": completed, "failed": 0,
        "total_input_tokens": completed * input_len, "total_output_tokens": completed * output_len,
        "request_throughput": completed / duration, "request_goodput": None,
        "output_throughput": output_throughput,
        "total_token_throughput": completed * (input_len + output_len) / duration,
        "max_output_tokens_per_s": output_throughput * 1.2, "max_concurrent_requests": 16,
        "rtfx": 0.0,
        "mean_ttft_ms": mean_ttft_ms, "median_ttft_ms": mean_ttft_ms * 0.95,
        "std_ttft_ms": 40.0, "p99_ttft_ms": p99_ttft_ms,
        "mean_tpot_ms": mean_tpot_ms, "median_tpot_ms": mean_tpot_ms, "std_tpot_ms": 0.4,
        "p99_tpot_ms": p99_tpot_ms,
        "mean_itl_ms": mean_tpot_ms, "median_itl_ms": mean_tpot_ms * 0.98, "std_itl_ms": 1.1,
        "p99_itl_ms": mean_tpot_ms * 2.5,
        "mean_e2el_ms": mean_e2el, "median_e2el_ms": mean_e2el, "std_e2el_ms": 50.0,
        "p99_e2el_ms": mean_e2el * 1.4,
    }


def vllm_text(*results: dict[str, Any]) -> str:
    """One result as `json.dump` writes it, or several as `--append-result` appends them."""
    return "\n".join(json.dumps(r) for r in results)


def llama_test(
    *,
    n_prompt: int,
    n_gen: int,
    avg_ts: float,
    n_depth: int = 0,
    model_type: str = "llama 8B Q4_K - Medium",
    model_n_params: int = 8030261248,
    model_size: int = 4912898304,
    gpu_info: str = "NVIDIA GeForce RTX 4090",
    backends: str = "CUDA",
    n_gpu_layers: int = 99,
    split_mode: str = "layer",
    type_k: str = "f16",
    test_time: str = "2025-11-20T09:12:44Z",
) -> dict[str, Any]:
    tokens = n_prompt + n_gen
    avg_ns = int(1e9 * tokens / avg_ts)
    return {
        "build_commit": "8cf427ff", "build_number": 5163,
        "cpu_info": "AMD Ryzen 9 7950X 16-Core Processor", "gpu_info": gpu_info,
        "backends": backends, "model_filename": "models/llama-3.1-8b-q4_k_m.gguf",
        "model_type": model_type, "model_size": model_size, "model_n_params": model_n_params,
        "n_batch": 2048, "n_ubatch": 512, "n_threads": 16, "cpu_mask": "0x0",
        "cpu_strict": False, "poll": 50, "type_k": type_k, "type_v": type_k,
        "n_gpu_layers": n_gpu_layers, "n_cpu_moe": 0, "split_mode": split_mode, "main_gpu": 0,
        "no_kv_offload": False, "flash_attn": -1, "devices": "auto", "tensor_split": "0.00",
        "tensor_buft_overrides": "none", "load_mode": "mmap", "embeddings": False,
        "no_op_offload": 0, "no_host": False, "fit_target": 0, "fit_min_ctx": 0,
        "n_prompt": n_prompt, "n_gen": n_gen, "n_depth": n_depth, "test_time": test_time,
        "avg_ns": avg_ns, "stddev_ns": avg_ns // 100, "avg_ts": avg_ts,
        "stddev_ts": avg_ts / 100,
    }


def _json_value(field: str, value: Any) -> str:
    if field in STRING_FIELDS:
        return json.dumps(str(value))
    if field in BOOL_FIELDS:
        return "true" if value else "false"
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def _samples(test: dict[str, Any]) -> tuple[str, str]:
    ns = [test["avg_ns"]] * 5
    ts = [test["avg_ts"]] * 5
    return ", ".join(str(v) for v in ns), ", ".join(f"{v:g}" for v in ts)


def llama_bench_json(tests: list[dict[str, Any]]) -> str:
    """As `json_printer` prints it."""
    out = "[\n"
    for i, test in enumerate(tests):
        if i:
            out += ",\n"
        out += "  {\n"
        for field in LLAMA_FIELDS:
            out += f'    "{field}": {_json_value(field, test[field])},\n'
        ns, ts = _samples(test)
        out += f'    "samples_ns": [ {ns} ],\n    "samples_ts": [ {ts} ]\n  }}'
    return out + "\n]\n"


def llama_bench_jsonl(tests: list[dict[str, Any]]) -> str:
    """As `jsonl_printer` prints it."""
    lines = []
    for test in tests:
        fields = "".join(f'"{f}": {_json_value(f, test[f])}, ' for f in LLAMA_FIELDS)
        ns, ts = _samples(test)
        lines.append(f'{{{fields}"samples_ns": [ {ns} ],"samples_ts": [ {ts} ]}}')
    return "\n".join(lines) + "\n"


def llama_bench_csv(tests: list[dict[str, Any]]) -> str:
    """As `csv_printer` prints it (every value quoted, booleans as 0/1)."""
    lines = [",".join(LLAMA_FIELDS)]
    for test in tests:
        cells = []
        for field in LLAMA_FIELDS:
            value = test[field]
            if isinstance(value, bool):
                value = int(value)
            text = f"{value:.6f}" if isinstance(value, float) else str(value)
            cells.append('"' + text.replace('"', '""') + '"')
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def llama_bench_md(tests: list[dict[str, Any]], *, old_style: bool = False,
                   extra_columns: tuple[str, ...] = ()) -> str:
    """As `markdown_printer` prints it (GPU backend: the ngl column is shown)."""
    names = {"n_gpu_layers": "ngl", "split_mode": "sm", "type_k": "type_k"}
    fields = ["model", "size", "params", "backend", "n_gpu_layers", *extra_columns, "test", "t/s"]
    widths = {"model": -30, "size": 10, "params": 10, "backend": -10, "n_gpu_layers": 3,
              "test": 15, "t/s": 20, "type_k": 6, "split_mode": 6}
    def pad(field: str, text: str) -> str:
        width = widths.get(field, -10)
        return text.ljust(-width) if width < 0 else text.rjust(width)

    header = "|" + "".join(f" {pad(f, names.get(f, f))} |" for f in fields)
    rule = "|" + "".join(
        f" {'-' * (abs(widths.get(f, -10)) - 1)}{':' if widths.get(f, -10) > 0 else '-'} |"
        for f in fields)
    lines = [header, rule]
    for t in tests:
        size = t["model_size"] / 1024**3
        params = t["model_n_params"] / 1e9
        if t["n_gen"] == 0:
            test = f"pp {t['n_prompt']}" if old_style else f"pp{t['n_prompt']}"
        elif t["n_prompt"] == 0:
            test = f"tg {t['n_gen']}" if old_style else f"tg{t['n_gen']}"
        else:
            test = f"pp{t['n_prompt']}+tg{t['n_gen']}"
        if t["n_depth"]:
            test += f" @ d{t['n_depth']}"
        values = {"model": t["model_type"], "size": f"{size:.2f} GiB",
                  "params": f"{params:.2f} B", "backend": t["backends"],
                  "n_gpu_layers": str(t["n_gpu_layers"]), "test": test,
                  "t/s": f"{t['avg_ts']:.2f} ± {t['stddev_ts']:.2f}",
                  "split_mode": t["split_mode"], "type_k": t["type_k"]}
        lines.append("|" + "".join(f" {pad(f, values[f])} |" for f in fields))
    return "\n".join(lines) + "\n\nbuild: 8cf427ff (5163)\n"
