"""Benchmark logs in their real formats become the right points; bad ones are refused by name."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.catalog.benchmark_logs import (
    BenchmarkLogError,
    LogReading,
    SiteFacts,
    detect_format,
    read_benchmark_log,
)
from app.catalog.benchmark_logs.llama_bench import weights_format
from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from tests.catalog.benchmark_log_files import (
    llama_bench_csv,
    llama_bench_json,
    llama_bench_jsonl,
    llama_bench_md,
    llama_test,
    vllm_result,
    vllm_text,
)

H100 = SiteFacts(model="llama-3.1-8b", gpu="nvidia-h100-sxm-80gb", weights="bf16")
RTX4090 = SiteFacts(model="llama-3.1-8b", gpu="nvidia-geforce-rtx-4090-24gb")
TESTS = [
    llama_test(n_prompt=512, n_gen=0, avg_ts=10240.0),
    llama_test(n_prompt=0, n_gen=128, avg_ts=160.0),
    llama_test(n_prompt=0, n_gen=128, avg_ts=125.0, n_depth=4096),
    llama_test(n_prompt=512, n_gen=128, avg_ts=640.0),
]


@pytest.fixture(scope="module")
def shipped() -> tuple[Catalog, Any, dict[str, str]]:
    table, aliases = load_efficiency()
    return Catalog.shipped(), table, aliases


@pytest.fixture
def read(tmp_path: Path, shipped: tuple[Catalog, Any, dict[str, str]]
         ) -> Callable[..., LogReading]:
    catalog, table, aliases = shipped

    def go(name: str, text: str | bytes, facts: SiteFacts = H100, fmt: str = "auto"
           ) -> LogReading:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return read_benchmark_log(path, facts, catalog, table.engines, aliases, fmt)

    return go


def by_metric(reading: LogReading) -> dict[str, float]:
    return {p.metric: p.value for p in reading.points}


# --- vLLM -----------------------------------------------------------------------------------


def test_vllm_result_at_capped_concurrency_gives_six_points(read: Callable[..., LogReading]
                                                            ) -> None:
    reading = read("vllm.json", vllm_text(vllm_result()))
    assert reading.format == "vllm" and reading.measured_on == "2025-12-03"
    assert by_metric(reading) == pytest.approx({
        "output_tokens_per_s": 2412.5, "ttft_ms": 185.2, "tpot_ms": 6.1,
        "e2e_latency_s": (185.2 + 127 * 6.1) / 1000, "ttft_p99_ms": 402.0, "tpot_p99_ms": 7.9})
    case = reading.points[0].case
    assert case == {"case_id": "result", "model": "llama-3.1-8b", "gpu": "nvidia-h100-sxm-80gb",
                    "gpu_count": "1", "tp": "1", "pp": "1", "ep": "1", "weights": "bf16",
                    "kv_cache": "", "engine": "vllm", "mode": "batch", "load": "16",
                    "input_tokens": "1024", "output_tokens": "128"}


def test_vllm_appended_results_are_one_record_per_line(read: Callable[..., LogReading]) -> None:
    text = vllm_text(vllm_result(request_rate=4.0, max_concurrency=None),
                     vllm_result(request_rate="inf", max_concurrency=None, completed=1000))
    reading = read("appended.json", text, SiteFacts(
        model="llama-3.1-70b", gpu="H100 SXM 80GB", gpu_count=4, weights="fp8",
        kv_cache="fp8"))
    first = [p for p in reading.points if p.label.startswith("record 1")]
    second = [p for p in reading.points if p.label.startswith("record 2")]
    assert {p.case["mode"] for p in first} == {"rate"} and first[0].case["load"] == "4"
    assert {p.case["mode"] for p in second} == {"offline"} and second[0].case["load"] == ""
    assert first[0].case["tp"] == "4" and first[0].case["kv_cache"] == "fp8"


def test_older_benchmark_serving_result_reads_too(read: Callable[..., LogReading]) -> None:
    # benchmarks/benchmark_serving.py (2025): no endpoint_type, failed, max_concurrent_requests;
    # its goodput key has a stray colon; the per-request lists were kept.
    old = vllm_result(max_concurrency=None, request_rate=2.5)
    for key in ("endpoint_type", "failed", "max_concurrent_requests", "rtfx", "label",
                "request_goodput", "max_output_tokens_per_s"):
        old.pop(key)
    old["request_goodput:"] = None
    old["input_lens"] = [1024] * 200
    old["output_lens"] = [128] * 200
    old["ttfts"] = [0.18] * 200
    reading = read("old.json", json.dumps(old))
    assert by_metric(reading)["ttft_ms"] == pytest.approx(185.2)
    assert reading.points[0].case["mode"] == "rate"


def test_vllm_generic_backend_needs_the_engine(read: Callable[..., LogReading]) -> None:
    text = vllm_text(vllm_result(backend="openai-chat"))
    with pytest.raises(BenchmarkLogError, match="engine is required.*'openai-chat'") as exc:
        read("chat.json", text)
    assert exc.value.field == "engine"
    reading = read("chat.json", text, SiteFacts(model="llama-3.1-8b", gpu="H100 SXM 80GB",
                                                weights="bf16", engine="sglang"))
    assert reading.points[0].case["engine"] == "sglang"


def test_vllm_nan_and_zero_figures_are_not_measurements(read: Callable[..., LogReading]) -> None:
    result = vllm_result()
    result["mean_ttft_ms"] = 0.0  # a backend without streaming
    result["p99_ttft_ms"] = 0.0
    text = json.dumps(result).replace('"mean_tpot_ms": 6.1', '"mean_tpot_ms": NaN')
    assert set(by_metric(read("nan.json", text))) == {"output_tokens_per_s", "e2e_latency_s",
                                                      "tpot_p99_ms"}


def test_vllm_ramped_or_bursty_runs_are_skipped_with_the_reason(
        read: Callable[..., LogReading]) -> None:
    ramp = {**vllm_result(request_rate=4.0), "ramp_up_strategy": "linear",
            "ramp_up_start_rps": 1, "ramp_up_end_rps": 8}
    bursty = {**vllm_result(request_rate=4.0), "burstiness": 0.5}
    reading = read("mixed.json", vllm_text(ramp, bursty, vllm_result()))
    assert [w for w, _ in reading.skipped] == ["record 1", "record 2"]
    assert "ramp" in reading.skipped[0][1] and "Poisson" in reading.skipped[1][1]
    assert {p.label.split()[1] for p in reading.points} == {"3"}


# --- llama-bench ----------------------------------------------------------------------------

EXPECTED = {
    ("ttft_ms", "512", "0"): 1000 * 512 / 10240.0,
    ("output_tokens_per_s", "0", "128"): 160.0,
    ("tpot_ms", "4096", "128"): 1000 / 125.0,
    ("e2e_latency_s", "512", "128"): 640 / 640.0,
}


@pytest.mark.parametrize("name, writer, fmt", [
    ("bench.json", llama_bench_json, "llama-bench-json"),
    ("bench.jsonl", llama_bench_jsonl, "llama-bench-jsonl"),
    ("bench.csv", llama_bench_csv, "llama-bench-csv"),
    ("bench.md", llama_bench_md, "llama-bench-md"),
    ("old.md", lambda t: llama_bench_md(t, old_style=True), "llama-bench-md"),
])
def test_llama_bench_formats_give_the_same_points(
        read: Callable[..., LogReading], name: str, writer: Callable[[list[dict[str, Any]]], str],
        fmt: str) -> None:
    reading = read(name, writer(TESTS), RTX4090)
    assert reading.format == fmt and "build 8cf427ff (5163)" in reading.tool
    got = {(p.metric, p.case["input_tokens"], p.case["output_tokens"]): p.value
           for p in reading.points}
    assert got == pytest.approx(EXPECTED)
    for p in reading.points:
        assert (p.case["engine"], p.case["weights"], p.case["kv_cache"], p.case["mode"],
                p.case["load"], p.case["gpu"]) == (
            "llama.cpp", "q4_k_m", "fp16", "batch", "1", "nvidia-geforce-rtx-4090-24gb")


def test_llama_bench_layer_split_and_row_split_layouts(read: Callable[..., LogReading]) -> None:
    two = SiteFacts(model="llama-3.1-8b", gpu="nvidia-geforce-rtx-4090-24gb", gpu_count=2)
    layer = read("layer.json", llama_bench_json([llama_test(n_prompt=0, n_gen=128,
                                                            avg_ts=150.0)]), two)
    row = read("row.json", llama_bench_json([llama_test(n_prompt=0, n_gen=128, avg_ts=150.0,
                                                        split_mode="row")]), two)
    assert (layer.points[0].case["tp"], layer.points[0].case["pp"]) == ("1", "2")
    assert (row.points[0].case["tp"], row.points[0].case["pp"]) == ("2", "1")


def test_llama_bench_unmodelled_tests_are_skipped_with_reasons(
        read: Callable[..., LogReading]) -> None:
    tests = [llama_test(n_prompt=0, n_gen=128, avg_ts=20.0, n_gpu_layers=10),
             llama_test(n_prompt=512, n_gen=0, avg_ts=90.0, backends="CPU"),
             llama_test(n_prompt=512, n_gen=0, avg_ts=900.0, n_depth=512),
             llama_test(n_prompt=0, n_gen=128, avg_ts=150.0, type_k="q5_1"),
             llama_test(n_prompt=0, n_gen=128, avg_ts=150.0)]
    reading = read("mixed.json", llama_bench_json(tests), RTX4090)
    reasons = dict(reading.skipped)
    assert "10" in reasons["test 1"] and "CPU" in reasons["test 1"]
    assert "ran on the CPU" in reasons["test 2"]
    assert "prefilled depth" in reasons["test 3"]
    assert "q5_1" in reasons["test 4"]
    assert [p.label for p in reading.points] == ["test 5 (tg128)"]


def test_llama_bench_formats_are_checked_against_the_facts(
        read: Callable[..., LogReading]) -> None:
    text = llama_bench_json([llama_test(n_prompt=512, n_gen=0, avg_ts=9000.0)])
    with pytest.raises(BenchmarkLogError, match=r"bench.json: weights: q8_0 contradicts the "
                       r"log, which says q4_k_m \(test 1: model_type") as exc:
        read("bench.json", text, SiteFacts(model="llama-3.1-8b", gpu="RTX 4090",
                                           weights="q8_0"))
    assert exc.value.field == "weights"
    with pytest.raises(BenchmarkLogError, match=r"model: catalog model 'llama-3.1-70b' \(70"):
        read("bench.json", text, SiteFacts(model="llama-3.1-70b", gpu="RTX 4090"))
    with pytest.raises(BenchmarkLogError, match="engine: vllm contradicts"):
        read("bench.json", text, SiteFacts(model="llama-3.1-8b", gpu="RTX 4090", engine="vllm"))


def test_weights_format_names() -> None:
    assert weights_format("llama 7B mostly Q4_0") == "q4_0"
    assert weights_format("qwen2 7B Q4_K - Medium") == "q4_k_m"
    assert weights_format("llama 8B Q8_0") == "q8_0"
    assert weights_format("gpt-oss 20B MXFP4 MoE") == "mxfp4"
    assert weights_format("llama 8B IQ2_XXS - 2.0625 bpw") is None


# --- plain CSV ------------------------------------------------------------------------------

CSV_HEAD = ("case_id,model,gpu,gpu_count,tp,pp,ep,weights,kv_cache,engine,mode,load,"
            "input_tokens,output_tokens,metric,value\n")


def test_plain_csv_rows_become_points(read: Callable[..., LogReading]) -> None:
    text = CSV_HEAD + (
        "a,llama-3.1-8b,nvidia-l40s-48gb,1,1,1,1,fp8,fp8,vllm,batch,8,1024,128,"
        "output_tokens_per_s,812.5\n"
        "b,llama-3.1-8b,nvidia-l40s-48gb,1,1,1,1,fp8,fp8,vllm,rate,2,1024,128,ttft_ms,95\n")
    reading = read("site.csv", text, SiteFacts())
    assert [(p.label, p.metric, p.value) for p in reading.points] == [
        ("a", "output_tokens_per_s", 812.5), ("b", "ttft_ms", 95.0)]


def test_plain_csv_facts_fill_missing_columns_and_refuse_contradictions(
        read: Callable[..., LogReading]) -> None:
    text = ("model,weights,engine,mode,load,input_tokens,output_tokens,metric,value\n"
            "llama-3.1-8b,fp8,vllm,batch,8,1024,128,tpot_ms,11.5\n")
    reading = read("site.csv", text, SiteFacts(gpu="L40S", gpu_count=1))
    assert reading.points[0].case["gpu"] == "nvidia-l40s-48gb"
    with pytest.raises(BenchmarkLogError, match=r"model: llama-3.1-70b contradicts the log, "
                       r"which says 'llama-3.1-8b' \(line 2: model\)"):
        read("site.csv", text, SiteFacts(gpu="L40S", model="llama-3.1-70b"))
    with pytest.raises(BenchmarkLogError, match="gpu is required: the file has no 'gpu'"):
        read("site.csv", text, SiteFacts())


# --- refused ------------------------------------------------------------------------------

MALFORMED: list[tuple[str, str | bytes, str]] = [
    ("empty.json", "", "empty.json: is empty"),
    ("binary.json", b"\xff\xfe\x00\x01garbage", "binary.json: must be UTF-8 text"),
    ("prose.txt", "hello, this is not a log\n", "prose.txt: is not a benchmark log Enclave"),
    ("cut.json", vllm_text(vllm_result())[:300], "cut.json: is not valid JSON"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "deep.json: is not valid JSON (nested too"),
    ("neg.json", json.dumps({**vllm_result(), "mean_ttft_ms": -5}),
     "neg.json: result: mean_ttft_ms must be a finite number >= 0 (found -5)"),
    ("text.json", json.dumps({**vllm_result(), "output_throughput": "fast"}),
     "text.json: result: output_throughput must be a number (found 'fast')"),
    ("rate.json", json.dumps({**vllm_result(), "request_rate": 0}),
     "rate.json: result: request_rate must be a number > 0 or \"inf\" (found 0)"),
    ("count.json", json.dumps({**vllm_result(), "completed": 2.5}),
     "count.json: result: completed must be a whole number >= 0 (found 2.5)"),
    ("norate.json", json.dumps({k: v for k, v in vllm_result().items() if k != "request_rate"}),
     "norate.json: result: request_rate is missing"),
    ("cap.json", json.dumps({**vllm_result(), "max_concurrency": True}),
     "cap.json: result: max_concurrency must be null or a whole number >= 1 (found True)"),
    ("none.json", json.dumps({**vllm_result(), "completed": 0}),
     "none.json: holds no measurement Enclave can use: result: no request completed"),
    ("ts.json", llama_bench_json([llama_test(n_prompt=512, n_gen=0, avg_ts=100.0)]).replace(
        '"avg_ts": 100.000000', '"avg_ts": 0'),
     "ts.json: test 1: avg_ts must be a finite number > 0 (found 0)"),
    ("gen.csv", llama_bench_csv([llama_test(n_prompt=0, n_gen=128, avg_ts=100.0)]).replace(
        '"0","128","0"', '"0","-3","0"'),
     "gen.csv: line 2: n_gen must be a whole number from 0 to 10000000 (found -3)"),
    ("cells.csv", llama_bench_csv([llama_test(n_prompt=0, n_gen=128, avg_ts=100.0)]) + '"x"\n',
     "cells.csv: line 3: has a different number of cells than the header"),
    ("test.md", llama_bench_md([llama_test(n_prompt=0, n_gen=128, avg_ts=100.0)]).replace(
        "tg128", "zz128"), "test.md: line 3: test must be ppN, tgN or ppN+tgM"),
    ("rate.md", llama_bench_md([llama_test(n_prompt=0, n_gen=128, avg_ts=100.0)]).replace(
        "100.00 ± 1.00", "fast ± slow  "), "rate.md: line 3: t/s must be 'average ± deviation'"),
    ("metric.csv", CSV_HEAD + "a,llama-3.1-8b,L40S,1,1,1,1,fp8,fp8,vllm,batch,8,1024,128,"
     "watts,300\n", "metric.csv: line 2: metric must be one of output_tokens_per_s"),
    ("value.csv", CSV_HEAD + "a,llama-3.1-8b,L40S,1,1,1,1,fp8,fp8,vllm,batch,8,1024,128,"
     "ttft_ms,-1\n", "value.csv: line 2: value must be a finite number > 0 (found '-1')"),
    ("header.csv", "model,metric,value\nllama-3.1-8b,ttft_ms,5\n",
     "header.csv: header: mode is missing"),
]


@pytest.mark.parametrize("name, text, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_logs_are_refused_naming_file_field_and_rule(
        read: Callable[..., LogReading], name: str, text: str | bytes, message: str) -> None:
    facts = RTX4090 if "bench" in name or name.endswith(".md") or name in (
        "ts.json", "gen.csv", "cells.csv") else H100
    with pytest.raises(BenchmarkLogError) as exc:
        read(name, text, facts)
    assert str(exc.value).startswith(message), str(exc.value)
    assert "\n" not in str(exc.value)


def test_bad_facts_are_named_before_the_file_is_read(read: Callable[..., LogReading]) -> None:
    with pytest.raises(BenchmarkLogError, match=r"^gpu_count: must be a whole number") as exc:
        read("vllm.json", vllm_text(vllm_result()), SiteFacts(model="llama-3.1-8b", gpu="H100",
                                                             gpu_count="0"))
    assert exc.value.field == "gpu_count"
    with pytest.raises(BenchmarkLogError, match=r"^model: 'gpt-9' is not a model"):
        read("vllm.json", "", SiteFacts(model="gpt-9"))
    with pytest.raises(BenchmarkLogError, match=r"^model: 'bge-m3' is a embedding model"):
        read("vllm.json", "", SiteFacts(model="bge-m3"))
    with pytest.raises(BenchmarkLogError, match=r"^gpu_count: gpu count 3 must be a multiple"):
        read("vllm.json", "", SiteFacts(gpu_count=3, tp=2))


def test_missing_model_names_what_the_log_says(read: Callable[..., LogReading]) -> None:
    with pytest.raises(BenchmarkLogError, match="model is required.*'meta-llama/Llama-3.1-8B-"
                       "Instruct'") as exc:
        read("vllm.json", vllm_text(vllm_result()), SiteFacts(gpu="H100 SXM 80GB"))
    assert exc.value.field == "model"


def test_detect_format() -> None:
    assert detect_format(vllm_text(vllm_result())) == "vllm"
    assert detect_format(llama_bench_json(TESTS)) == "llama-bench-json"
    assert detect_format(llama_bench_jsonl(TESTS)) == "llama-bench-jsonl"
    assert detect_format(llama_bench_csv(TESTS)) == "llama-bench-csv"
    assert detect_format("ggml_cuda_init: found 1 CUDA devices\n" + llama_bench_md(TESTS)) == \
        "llama-bench-md"
    assert detect_format(CSV_HEAD) == "csv"
    assert detect_format("{}") is None


def test_a_log_without_the_catalog_model_or_gpu_is_refused_naming_what_it_logged(
        read: Callable[..., LogReading]) -> None:
    text = vllm_text(vllm_result())
    with pytest.raises(BenchmarkLogError, match="model is required: a benchmark log does not "
                                                "name the catalog model; the log names") as exc:
        read("bench.json", text, SiteFacts(gpu="nvidia-h100-sxm-80gb", weights="bf16"))
    assert exc.value.field == "model"
    with pytest.raises(BenchmarkLogError, match="gpu is required: a benchmark log does not "
                                                "name the catalog accelerator") as exc:
        read("bench.json", text, SiteFacts(model="llama-3.1-8b", weights="bf16"))
    assert exc.value.field == "gpu"
