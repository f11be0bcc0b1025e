"""vLLM serving-benchmark results: `vllm bench serve --save-result` and the older
`benchmarks/benchmark_serving.py --save-result`.

Format (read from vllm-project/vllm `vllm/benchmarks/serve.py`, `main_async` and `benchmark`,
and `benchmarks/benchmark_serving.py`, `main` and `benchmark`): one JSON object per run, written
with `json.dump` (so `NaN` can appear), or one object per line with `--append-result`. Keys used:

- setup: `date` (`%Y%m%d-%H%M%S`), `backend` (older files: only that; newer also
  `endpoint_type`), `model_id` (the served path or hub id), `num_prompts`;
- traffic: `request_rate` (a number, or the text `"inf"`), `burstiness` (1 = Poisson),
  `max_concurrency` (null or a number), `ramp_up_strategy` (present only when ramping);
- results: `completed`, `total_input_tokens`, `total_output_tokens`, `output_throughput`
  (output tokens/s of the whole run), `mean_ttft_ms`, `p99_ttft_ms`, `mean_tpot_ms`,
  `p99_tpot_ms`, `mean_itl_ms`, `mean_e2el_ms` (the `p99_*` keys follow
  `--metric-percentiles`, default 99).

A run becomes one configuration: mean input and output lengths (`total_*_tokens / completed`);
`rate` mode at a finite request rate, `batch` mode with `max_concurrency` sequences when the rate
is infinite and concurrency is capped, `offline` when every request is queued at once. Its
points: output tokens/s, mean TTFT, mean TPOT, mean end-to-end latency and P99 TTFT and TPOT.
The log does not say which model (catalog id), accelerator, layout, or weight and KV formats ran;
those come from the user. `backend` names the engine only when it is one (`vllm`, `sglang`,
`tensorrt-llm`); the generic `openai` backends need the engine given.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from app.catalog.benchmark_logs.errors import (
    NO_POINTS,
    NOT_JSON,
    TOO_MANY,
    WRONG_FORMAT,
    bad,
    fact_required,
    fail,
    missing,
)
from app.catalog.benchmark_logs.points import (
    LogReading,
    MeasuredPoint,
    ReadContext,
    finished_reading,
    layout,
    number,
    require_model_and_gpu,
    site_case,
)

FORMAT = "vllm"
LABEL = "vLLM bench serve / benchmark_serving.py result (JSON)"
MAX_RECORDS = 10_000
METRIC_KEYS = (
    ("output_throughput", "output_tokens_per_s", 1.0),
    ("mean_ttft_ms", "ttft_ms", 1.0),
    ("mean_tpot_ms", "tpot_ms", 1.0),
    ("mean_e2el_ms", "e2e_latency_s", 1e-3),
    ("p99_ttft_ms", "ttft_p99_ms", 1.0),
    ("p99_tpot_ms", "tpot_p99_ms", 1.0),
)
RESULT_KEYS = ("completed", "total_input_tokens", "total_output_tokens")


def looks_like(data: object) -> bool:
    """True for a decoded vLLM result (or a list of them)."""
    first = data[0] if isinstance(data, list) and data else data
    return isinstance(first, Mapping) and "completed" in first and (
        "output_throughput" in first or "request_throughput" in first)


def decode(text: str, file: str) -> list[Any]:
    """The JSON values of a result file: one document, or one per line (`--append-result`)."""
    try:
        whole = json.loads(text)
    except RecursionError:
        fail(file, NOT_JSON.format(detail="nested too deeply"))
    except ValueError as first_error:
        values = []
        for number_, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values.append(json.loads(line))
            except RecursionError:
                fail(file, NOT_JSON.format(detail=f"line {number_} is nested too deeply"))
            except ValueError:
                fail(file, NOT_JSON.format(detail=str(first_error)[:120]))
            if len(values) > MAX_RECORDS:
                fail(file, TOO_MANY.format(limit=MAX_RECORDS, what="records"))
        return values
    return whole if isinstance(whole, list) else [whole]


def _count(file: str, where: str, record: Mapping[str, Any], key: str) -> int:
    if key not in record:
        missing(file, where, key, "a whole number of tokens or requests")
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        bad(file, where, key, "a whole number >= 0", value)
    return value


def _metric(file: str, where: str, record: Mapping[str, Any], key: str) -> float | None:
    """A measured figure: None when absent, null or NaN (not measured); refused when not a
    number or negative."""
    value = record.get(key)
    if value is None:
        return None
    found = number(value)
    if found is None:
        bad(file, where, key, "a number", value)
    if math.isnan(found):
        return None
    if found < 0 or math.isinf(found):
        bad(file, where, key, "a finite number >= 0", value)
    return found


def _traffic(file: str, where: str, record: Mapping[str, Any]) -> tuple[float, int | None]:
    if "request_rate" not in record:
        missing(file, where, "request_rate", "requests/s, or \"inf\"")
    raw = record["request_rate"]
    rate = math.inf if isinstance(raw, str) and raw.strip().lower() == "inf" else number(raw)
    if rate is None or math.isnan(rate) or rate <= 0:
        bad(file, where, "request_rate", "a number > 0 or \"inf\"", raw)
    cap = record.get("max_concurrency")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        bad(file, where, "max_concurrency", "null or a whole number >= 1", cap)
    return rate, cap


def _engine(file: str, record: Mapping[str, Any], ctx: ReadContext) -> str:
    if ctx.site.engine:
        return ctx.site.engine
    backend = record.get("backend", record.get("endpoint_type"))
    name = backend.strip().lower() if isinstance(backend, str) else ""
    engine = ctx.aliases.get(name, name)
    if engine in ctx.engines:
        return engine
    shown = f"'{name[:40]}'" if name else "none"
    fact_required(file, "engine", f"the log's backend ({shown}) does not say which engine "
                  f"served the requests (one of {', '.join(sorted(ctx.engines))})")


def _date(record: Mapping[str, Any]) -> str:
    """`20250501-134501` -> `2025-05-01` ('' when absent or not that shape)."""
    raw = record.get("date")
    if isinstance(raw, str) and len(raw) >= 8 and raw[:8].isdigit():
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:8]}"
    return ""


def read(text: str, file: str, sha256: str, ctx: ReadContext) -> LogReading:
    """Points of every run in a vLLM result file (see the module docstring)."""
    records = decode(text, file)
    if not records:
        fail(file, NO_POINTS.format(why=": it holds no result"))
    if not looks_like(records):
        fail(file, WRONG_FORMAT.format(expected="a vLLM benchmark result",
                                       why="no 'completed' and 'output_throughput' keys"))
    if len(records) > MAX_RECORDS:
        fail(file, TOO_MANY.format(limit=MAX_RECORDS, what="records"))
    first = records[0]
    hint = first.get("model_id") if isinstance(first, Mapping) else None
    require_model_and_gpu(file, ctx, hint if isinstance(hint, str) else "", "")
    if ctx.site.weights is None:
        fact_required(file, "weights", "a vLLM result does not record the weight format")
    points: list[MeasuredPoint] = []
    skipped: list[tuple[str, str]] = []
    dates: set[str] = set()
    backends: set[str] = set()
    for index, record in enumerate(records, start=1):
        where = f"record {index}" if len(records) > 1 else "result"
        if not isinstance(record, Mapping):
            bad(file, where, "record", "a JSON object", type(record).__name__)
        got, reason = _record(file, where, record, ctx)
        points.extend(got)
        if reason:
            skipped.append((where, reason))
        if date := _date(record):
            dates.add(date)
        if isinstance(record.get("backend"), str):
            backends.add(str(record["backend"])[:40])
    tool = "vLLM serving benchmark" + (f", backend {', '.join(sorted(backends))}"
                                       if backends else "")
    return finished_reading(file, FORMAT, LABEL, sha256, points, skipped, dates, tool)


def _record(
    file: str, where: str, record: Mapping[str, Any], ctx: ReadContext
) -> tuple[list[MeasuredPoint], str]:
    """Points of one run, or none and the reason it was left out."""
    completed, total_in, total_out = (_count(file, where, record, k) for k in RESULT_KEYS)
    rate, cap = _traffic(file, where, record)
    values = {name: _metric(file, where, record, key) for key, name, _ in METRIC_KEYS}
    burstiness = record.get("burstiness", 1.0)
    found = number(burstiness)
    if found is None or not math.isfinite(found) or found <= 0:
        bad(file, where, "burstiness", "a number > 0", burstiness)
    if completed == 0:
        return [], "no request completed (completed is 0)"
    if record.get("ramp_up_strategy") is not None:
        return [], "the request rate ramps up (ramp_up_strategy); Enclave models a steady load"
    if math.isfinite(rate) and found != 1.0:
        return [], (f"burstiness {found:g}: arrivals are not Poisson, which Enclave's "
                    "request-rate model assumes")
    isl = round(total_in / completed)
    osl = round(total_out / completed)
    if isl + osl == 0:
        return [], "no input or output tokens were counted"
    if math.isfinite(rate):
        mode, load = "rate", f"{rate:g}"
    elif cap is not None:
        mode, load = "batch", str(cap)
    else:
        mode, load = "offline", ""
    count, tp, pp = layout(file, ctx.site)
    model_hint = record.get("model_id")
    case = site_case(
        file, ctx.site, label=where, engine=_engine(file, record, ctx),
        weights=ctx.site.weights or "", kv_cache=ctx.site.kv_cache, gpu_count=count, tp=tp,
        pp=pp, mode=mode, load=load, input_tokens=isl, output_tokens=osl,
        model_hint=model_hint if isinstance(model_hint, str) else "")
    points = []
    for key, name, scale in METRIC_KEYS:
        value = values[name]
        if value is None or value <= 0:
            continue  # not measured (a backend without streaming reports TTFT 0)
        if name in ("ttft_ms", "ttft_p99_ms") and isl == 0:
            continue
        if name in ("tpot_ms", "tpot_p99_ms") and osl <= 1:
            continue
        points.append(MeasuredPoint(case=dict(case), metric=name, value=value * scale,
                                    label=f"{where} {key}"))
    if not points:
        return [], "it reports no throughput or latency above 0"
    return points, ""
