"""Property tests of the benchmark-log readers.

- whatever bytes a log holds (random, or a valid log of any format mutated), reading it either
  gives points or raises the one user-facing error, with a one-line message;
- a valid vLLM result gives back exactly the figures it holds, in the right mode;
- a llama-bench run gives the same points whichever of its four formats it was saved in.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.benchmark_logs import (
    BenchmarkLogError,
    LogReading,
    SiteFacts,
    read_benchmark_log,
)
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

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
CATALOG = Catalog.shipped()
TABLE, ALIASES = load_efficiency()
FACTS = SiteFacts(model="llama-3.1-8b", gpu="nvidia-geforce-rtx-4090-24gb", weights="q4_k_m")
TESTS = [llama_test(n_prompt=512, n_gen=0, avg_ts=9000.0),
         llama_test(n_prompt=0, n_gen=128, avg_ts=150.0)]
SEEDS = {
    "vllm.json": vllm_text(vllm_result(), vllm_result(request_rate=2.0)).encode(),
    "bench.json": llama_bench_json(TESTS).encode(),
    "bench.jsonl": llama_bench_jsonl(TESTS).encode(),
    "bench.csv": llama_bench_csv(TESTS).encode(),
    "bench.md": llama_bench_md(TESTS).encode(),
    "site.csv": (b"model,gpu,gpu_count,weights,engine,mode,load,input_tokens,output_tokens,"
                 b"metric,value\nllama-3.1-8b,L40S,1,fp8,vllm,batch,8,512,128,tpot_ms,9.5\n"
                 ),
}

mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 10**5), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("cut"), st.integers(0, 10**5), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(0, 10**5),
              st.sampled_from([b"-1", b"NaN", b"1e999", b'"', b"\n", b",", b"|", b"{", b"]",
                               b"null", b"true", b"\xff", b"0", b" @ d", b"\x00"])),
)


FOLDER: list[Path] = []


@pytest.fixture(autouse=True, scope="module")
def _folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    FOLDER.append(tmp_path_factory.mktemp("logs"))
    yield
    FOLDER.clear()


def _read(name: str, data: bytes) -> LogReading | None:
    path = FOLDER[0] / name
    path.write_bytes(data)
    try:
        return read_benchmark_log(path, FACTS, CATALOG, TABLE.engines, ALIASES)
    except BenchmarkLogError as exc:
        assert "\n" not in str(exc)
        assert str(exc)
        return None


def _mutate(data: bytes, steps: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, at, payload in steps:
        at %= len(out) + 1
        if kind == "set":
            out[at:at + len(payload)] = payload
        elif kind == "cut":
            del out[at:]
        else:
            out[at:at] = payload
    return bytes(out)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _read("random.log", data)


@pytest.mark.parametrize("name", list(SEEDS))
@SETTINGS
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_logs_never_crash(name: str, steps: list[tuple[str, int, bytes]]) -> None:
    reading = _read(name, _mutate(SEEDS[name], steps))
    if reading is not None:
        assert reading.points
        for point in reading.points:
            assert math.isfinite(point.value) and point.value > 0


positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(completed=st.integers(1, 5000), isl=st.integers(1, 32000), osl=st.integers(2, 4000),
       rate=st.one_of(st.just("inf"), st.floats(0.01, 1000)),
       cap=st.one_of(st.none(), st.integers(1, 1024)),
       throughput=positive, ttft=positive, tpot=positive)
def test_vllm_figures_come_back_exactly(completed: int, isl: int, osl: int, rate: Any,
                                        cap: int | None, throughput: float, ttft: float,
                                        tpot: float) -> None:
    result = vllm_result(request_rate=rate, max_concurrency=cap, completed=completed,
                         input_len=isl, output_len=osl, output_throughput=throughput,
                         mean_ttft_ms=ttft, mean_tpot_ms=tpot)
    reading = _read("gen.json", vllm_text(result).encode())
    assert reading is not None
    got = {p.metric: p.value for p in reading.points}
    assert got["output_tokens_per_s"] == throughput
    assert got["ttft_ms"] == ttft and got["tpot_ms"] == tpot
    case = reading.points[0].case
    assert (case["input_tokens"], case["output_tokens"]) == (str(isl), str(osl))
    expected_mode = "rate" if rate != "inf" else ("batch" if cap else "offline")
    assert case["mode"] == expected_mode


@SETTINGS
@given(tests=st.lists(st.builds(
    lambda p, g, d, ts: llama_test(n_prompt=p, n_gen=g if p or g else 1, n_depth=d if not p
                                   else 0, avg_ts=ts),
    st.sampled_from([0, 128, 512, 2048]), st.sampled_from([0, 32, 128]),
    st.sampled_from([0, 512, 4096]), st.floats(1.0, 50_000.0)), min_size=1, max_size=6))
def test_llama_bench_formats_agree(tests: list[dict[str, Any]]) -> None:
    readings = [_read(name, writer(tests).encode()) for name, writer in (
        ("g.json", llama_bench_json), ("g.jsonl", llama_bench_jsonl), ("g.csv", llama_bench_csv),
        ("g.md", llama_bench_md))]
    assert all(r is not None for r in readings)
    points = [[(p.metric, p.case["input_tokens"], p.case["output_tokens"]) for p in r.points]
              for r in readings if r is not None]
    assert all(p == points[0] for p in points)
    values = [[p.value for p in r.points] for r in readings if r is not None]
    for other in values[1:]:  # markdown rounds t/s to 2 decimals
        assert other == pytest.approx(values[0], rel=1e-3)
