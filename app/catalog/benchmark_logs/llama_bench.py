"""llama.cpp `llama-bench` output: `-o json`, `-o jsonl`, `-o csv` and `-o md` (the default).

Format (read from ggml-org/llama.cpp `tools/llama-bench/llama-bench.cpp`: `test::get_fields`,
`get_field_type`, `get_values`, and the `csv_printer`, `json_printer`, `jsonl_printer` and
`markdown_printer`; and `tools/llama-bench/README.md`):

- JSON is an array of objects, JSONL one object per line, CSV a header row then one quoted row
  per test; all carry the same fields: `build_commit`, `build_number`, `gpu_info`, `backends`,
  `model_type` (e.g. `qwen2 7B Q4_K - Medium`), `model_size` (bytes), `model_n_params`,
  `n_gpu_layers`, `split_mode` (`none`, `layer`, `row`), `type_k`, `type_v`, `n_prompt`,
  `n_gen`, `n_depth` (newer), `n_cpu_moe` (newer), `no_kv_offload`, `embeddings`,
  `test_time`, `avg_ns`, `stddev_ns`, `avg_ts`, `stddev_ts`. Integers and booleans are JSON
  numbers and `true`/`false` (CSV: text, booleans `0`/`1`).
- Markdown is a table whose columns are `model`, `size` (`4.36 GiB`), `params` (`7.62 B`),
  `backend`, `ngl` (GPU backends), optional parameter columns (`type_k`, `sm`, `fa`, ...),
  `test` (`pp512`, `tg128`, `pp512+tg128`, ` @ d512` for a prefilled depth; older builds wrote
  `pp 512`) and `t/s` (`123.45 ± 0.55`), then a `build: <commit> (<number>)` line.

`avg_ts` is (n_prompt + n_gen) tokens per second of one sequence. A prompt test (`ppN`) gives
TTFT = 1000 x N / avg_ts ms, a generation test (`tgN`) gives output tokens/s, or TPOT at a
prefilled depth (`tgN @ dD`), and a combined test (`ppN+tgM`) the end-to-end latency
(N + M) / avg_ts s; all at batch 1. The log names the weight format (`model_type`), KV-cache
types and layer split, which are checked against the facts the user gives; the catalog model,
accelerator and GPU count come from the user. Tests that left layers or experts on the CPU, kept
the KV cache on the host or ran on the CPU backend are listed as skipped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.catalog.benchmark_logs.errors import (
    NO_POINTS,
    NOT_JSON,
    TOO_MANY,
    WRONG_FORMAT,
    bad,
    fact_contradicts,
    fact_required,
    fail,
    missing,
)
from app.catalog.benchmark_logs.points import (
    LogReading,
    MeasuredPoint,
    ReadContext,
    finished_reading,
    number,
    require_model_and_gpu,
    site_case,
)

FORMATS = {"llama-bench-json": "llama-bench JSON (-o json)",
           "llama-bench-jsonl": "llama-bench JSON lines (-o jsonl)",
           "llama-bench-csv": "llama-bench CSV (-o csv)",
           "llama-bench-md": "llama-bench markdown table (-o md)"}
MAX_ROWS = 100_000
MAX_TOKENS = 10_000_000
PARAMS_TOLERANCE = (0.85, 1.18)  # GGUF counts vs catalog counts (embeddings, rounding)
# llama_model_ftype_name (llama.cpp src/llama-model-loader.cpp) -> catalog format id.
FTYPES = {"F16": "fp16", "BF16": "bf16", "Q8_0": "q8_0", "Q6_K": "q6_k",
          "Q5_K - MEDIUM": "q5_k_m", "Q4_K - MEDIUM": "q4_k_m", "Q4_0": "q4_0",
          "Q3_K - MEDIUM": "q3_k_m", "Q2_K - MEDIUM": "q2_k", "MXFP4 MOE": "mxfp4"}
KV_TYPES = {"f16": "fp16", "bf16": "bf16", "q8_0": "q8_0", "q4_0": "q4_0"}
CPU_BACKENDS = {"CPU", "BLAS", "ZENDNN", ""}
TEST = re.compile(r"^(pp|tg)\s*(\d{1,8})(?:\s*\+\s*tg\s*(\d{1,8}))?(?:\s*@\s*d(\d{1,8}))?$")
RATE = re.compile(r"^([0-9.eE+-]{1,30})\s*(?:±|\+/-)\s*([0-9.eE+-]{1,30})$")
QUANTITY = re.compile(r"^([0-9.]{1,20})\s*([KMGB]|MiB|GiB|KiB|TiB)$")
UNIT_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "KiB": 1024.0, "MiB": 1024.0**2,
              "GiB": 1024.0**3, "TiB": 1024.0**4}


@dataclass(frozen=True)
class BenchRow:
    """One llama-bench test, whatever format it came in."""

    where: str
    model_type: str
    n_params: float
    backends: str
    gpu_info: str
    n_gpu_layers: int | None
    split_mode: str
    type_k: str
    n_prompt: int
    n_gen: int
    n_depth: int
    avg_ts: float
    n_cpu_moe: int
    no_kv_offload: bool
    embeddings: bool
    test_time: str
    build: str


def detect(text: str) -> str | None:
    """The llama-bench format of `text`, or None."""
    head = text.lstrip()[:4096]
    if head.startswith("["):
        return "llama-bench-json" if '"avg_ts"' in head or '"n_prompt"' in head else None
    if head.startswith("{"):
        return "llama-bench-jsonl" if '"avg_ts"' in head.split("\n", 1)[0] else None
    first = head.split("\n", 1)[0]
    if "avg_ts" in first and "n_prompt" in first and "," in first:
        return "llama-bench-csv"
    if any(_is_header(line) for line in text.splitlines()[:200]):
        return "llama-bench-md"
    return None


def _is_header(line: str) -> bool:
    cells = _cells(line)
    return cells is not None and "test" in cells and "t/s" in cells and "model" in cells


def _cells(line: str) -> list[str] | None:
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|") and len(line) > 1):
        return None
    return [c.strip() for c in line[1:-1].split("|")]


# --- structured formats ---------------------------------------------------------------------


def _records(text: str, file: str, fmt: str) -> list[tuple[str, Mapping[str, Any]]]:
    if fmt == "llama-bench-csv":
        try:
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            fail(file, f"is not valid CSV ({exc})")
        if len(rows) > MAX_ROWS:
            fail(file, TOO_MANY.format(limit=MAX_ROWS, what="rows"))
        for number_, row in enumerate(rows, start=2):
            if None in row or any(v is None for v in row.values()):
                fail(file, f"line {number_}: has a different number of cells than the header")
        return [(f"line {n}", r) for n, r in enumerate(rows, start=2)]
    values: list[Any] = []
    try:
        if fmt == "llama-bench-json":
            decoded = json.loads(text)
            if not isinstance(decoded, list):
                fail(file, WRONG_FORMAT.format(expected="llama-bench JSON",
                                               why="it is not a JSON array"))
            values = decoded
            labels = [f"test {i}" for i in range(1, len(values) + 1)]
        else:
            labels = []
            for number_, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    values.append(json.loads(line))
                    labels.append(f"line {number_}")
                    if len(values) > MAX_ROWS:
                        fail(file, TOO_MANY.format(limit=MAX_ROWS, what="rows"))
    except RecursionError:
        fail(file, NOT_JSON.format(detail="nested too deeply"))
    except ValueError as exc:
        fail(file, NOT_JSON.format(detail=str(exc)[:120]))
    if len(values) > MAX_ROWS:
        fail(file, TOO_MANY.format(limit=MAX_ROWS, what="rows"))
    out = []
    for label, value in zip(labels, values, strict=True):
        if not isinstance(value, Mapping):
            bad(file, label, "test", "a JSON object", type(value).__name__)
        out.append((label, value))
    return out


def _int(file: str, where: str, record: Mapping[str, Any], key: str, *, default: int | None,
         low: int, high: int = MAX_TOKENS) -> int:
    if key not in record or record[key] in (None, ""):
        if default is None:
            missing(file, where, key, "a whole number")
        return default
    raw = record[key]
    if isinstance(raw, bool):
        bad(file, where, key, "a whole number", raw)
    if isinstance(raw, str):
        text = raw.strip()
        if not re.fullmatch(r"-?\d{1,19}", text):
            bad(file, where, key, "a whole number", raw)
        raw = int(text)
    if not isinstance(raw, int) or not low <= raw <= high:
        bad(file, where, key, f"a whole number from {low} to {high}", raw)
    return raw


def _float(file: str, where: str, record: Mapping[str, Any], key: str) -> float:
    if key not in record or record[key] in (None, ""):
        missing(file, where, key, "a number")
    raw = record[key]
    value = number(raw)
    if value is None and isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            value = None
    if value is None or not math.isfinite(value) or value <= 0:
        bad(file, where, key, "a finite number > 0", raw)
    return value


def _text(file: str, where: str, record: Mapping[str, Any], key: str, default: str | None) -> str:
    raw = record.get(key, default)
    if raw is None:
        missing(file, where, key, "text")
    if not isinstance(raw, str):
        bad(file, where, key, "text", raw)
    return raw.strip()[:200]


def _flag(file: str, where: str, record: Mapping[str, Any], key: str) -> bool:
    raw = record.get(key, False)
    if isinstance(raw, bool):
        return raw
    if raw in (0, 1, "0", "1", "true", "false"):
        return raw in (1, "1", "true")
    bad(file, where, key, "true/false (or 0/1)", raw)


def _structured_row(file: str, where: str, r: Mapping[str, Any]) -> BenchRow:
    commit = r.get("build_commit")
    build_number = r.get("build_number")
    build = f"{commit} ({build_number})" if isinstance(commit, str) and commit else ""
    return BenchRow(
        where=where,
        model_type=_text(file, where, r, "model_type", None),
        n_params=float(_int(file, where, r, "model_n_params", default=None, low=1,
                            high=10**14)),
        backends=_text(file, where, r, "backends", ""),
        gpu_info=_text(file, where, r, "gpu_info", ""),
        n_gpu_layers=_int(file, where, r, "n_gpu_layers", default=-1, low=-1, high=100_000),
        split_mode=_text(file, where, r, "split_mode", "layer").lower(),
        type_k=_text(file, where, r, "type_k", "f16").lower(),
        n_prompt=_int(file, where, r, "n_prompt", default=None, low=0),
        n_gen=_int(file, where, r, "n_gen", default=None, low=0),
        n_depth=_int(file, where, r, "n_depth", default=0, low=0),
        avg_ts=_float(file, where, r, "avg_ts"),
        n_cpu_moe=_int(file, where, r, "n_cpu_moe", default=0, low=0, high=100_000),
        no_kv_offload=_flag(file, where, r, "no_kv_offload"),
        embeddings=_flag(file, where, r, "embeddings"),
        test_time=_text(file, where, r, "test_time", ""),
        build=build,
    )


# --- markdown -------------------------------------------------------------------------------


def _markdown_rows(text: str, file: str) -> list[BenchRow]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _is_header(line)), None)
    if start is None:
        fail(file, WRONG_FORMAT.format(expected="a llama-bench markdown table",
                                       why="no header row with model, test and t/s"))
    header = _cells(lines[start]) or []
    build = ""
    for line in lines:
        found = re.match(r"^build:\s*(\S{1,40})\s*\((\d{1,10})\)", line.strip())
        if found:
            build = f"{found.group(1)} ({found.group(2)})"
    rows: list[BenchRow] = []
    for number_, line in enumerate(lines[start + 1:], start=start + 2):
        cells = _cells(line)
        if cells is None:
            if line.strip():
                break  # the table ended (the build line follows it)
            continue
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
            continue
        where = f"line {number_}"
        if len(cells) != len(header):
            fail(file, f"{where}: has {len(cells)} cells but the header has {len(header)}")
        rows.append(_markdown_row(file, where, dict(zip(header, cells, strict=True)), build))
        if len(rows) > MAX_ROWS:
            fail(file, TOO_MANY.format(limit=MAX_ROWS, what="rows"))
    return rows


def _quantity(file: str, where: str, cells: Mapping[str, str], key: str) -> float:
    raw = cells.get(key)
    if raw is None:
        missing(file, where, key, "a size such as 4.36 GiB or 7.62 B")
    found = QUANTITY.match(raw)
    value = float(found.group(1)) * UNIT_SCALE[found.group(2)] if found else math.nan
    if not found or not math.isfinite(value) or value <= 0:
        bad(file, where, key, "a size such as 4.36 GiB or 7.62 B", raw)
    return value


def _markdown_row(file: str, where: str, cells: Mapping[str, str], build: str) -> BenchRow:
    test = TEST.match(cells.get("test", ""))
    if not test:
        bad(file, where, "test", "ppN, tgN or ppN+tgM (optionally @ dD)", cells.get("test", ""))
    kind, first, second, depth = test.groups()
    n_prompt = int(first) if kind == "pp" else 0
    n_gen = int(second) if second else (int(first) if kind == "tg" else 0)
    if kind == "tg" and second:
        bad(file, where, "test", "ppN, tgN or ppN+tgM (optionally @ dD)", cells["test"])
    rate = RATE.match(cells.get("t/s", ""))
    avg = float(rate.group(1)) if rate and _is_float(rate.group(1)) else math.nan
    if not math.isfinite(avg) or avg <= 0:
        bad(file, where, "t/s", "'average ± deviation' with an average > 0", cells.get("t/s", ""))
    ngl = cells.get("ngl")
    if ngl is not None and not re.fullmatch(r"-?\d{1,6}", ngl):
        bad(file, where, "ngl", "a whole number", ngl)
    backend = cells.get("backend", "")
    return BenchRow(
        where=where,
        model_type=cells.get("model", "")[:200],
        n_params=_quantity(file, where, cells, "params"),
        backends=backend[:200],
        gpu_info="",
        n_gpu_layers=int(ngl) if ngl is not None else None,
        split_mode=cells.get("sm", "layer").lower(),
        type_k=cells.get("type_k", "f16").lower(),
        n_prompt=n_prompt,
        n_gen=n_gen,
        n_depth=int(depth) if depth else 0,
        avg_ts=avg,
        n_cpu_moe=int(cells["n_cpu_moe"]) if cells.get("n_cpu_moe", "").isdigit() else 0,
        no_kv_offload=cells.get("nkvo", "0") in ("1", "true"),
        embeddings=cells.get("embd", "0") in ("1", "true"),
        test_time="",
        build=build,
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- rows to points -------------------------------------------------------------------------


def weights_format(model_type: str) -> str | None:
    """Catalog format id of a GGUF file type named in `model_type` (None when unknown)."""
    upper = model_type.upper().replace("MOSTLY ", "")
    for name in sorted(FTYPES, key=len, reverse=True):
        if upper.endswith(" " + name) or upper == name:
            return FTYPES[name]
    return None


def read(text: str, file: str, sha256: str, fmt: str, ctx: ReadContext) -> LogReading:
    """Points of every test in llama-bench output (see the module docstring)."""
    if fmt == "llama-bench-md":
        rows = _markdown_rows(text, file)
    else:
        rows = [_structured_row(file, where, r) for where, r in _records(text, file, fmt)]
    if not rows:
        fail(file, NO_POINTS.format(why=": it holds no test"))
    require_model_and_gpu(file, ctx, rows[0].model_type, rows[0].gpu_info)
    if ctx.site.engine not in (None, "llama.cpp"):
        fact_contradicts(file, "engine", str(ctx.site.engine), "llama.cpp",
                         "llama-bench runs llama.cpp")
    points: list[MeasuredPoint] = []
    skipped: list[tuple[str, str]] = []
    for row in rows:
        point, reason = _point(file, row, ctx)
        if point is not None:
            points.append(point)
        else:
            skipped.append((row.where, reason))
    builds = sorted({r.build for r in rows if r.build})
    return finished_reading(file, fmt, FORMATS[fmt], sha256, points, skipped,
                            {r.test_time[:10] for r in rows},
                            "llama-bench" + (f" build {', '.join(builds[:3])}" if builds else ""))


def _formats(file: str, row: BenchRow, ctx: ReadContext) -> tuple[str, str | None]:
    """(weights, kv) from the log, checked against the facts given."""
    logged = weights_format(row.model_type)
    given = ctx.site.weights
    if logged and given and logged != given:
        fact_contradicts(file, "weights", given, logged, f"{row.where}: model_type "
                         f"'{row.model_type[:60]}'")
    weights = logged or given
    if weights is None:
        fact_required(file, "weights", f"{row.where}: model_type '{row.model_type[:60]}' "
                      "names no weight format Enclave knows")
    kv = KV_TYPES.get(row.type_k)
    if kv and ctx.site.kv_cache and kv != ctx.site.kv_cache:
        fact_contradicts(file, "kv_cache", ctx.site.kv_cache, kv, f"{row.where}: type_k")
    return weights, kv


def _layout(file: str, row: BenchRow, ctx: ReadContext) -> tuple[int, int, int]:
    count = ctx.site.gpu_count or 1
    if row.split_mode == "none":
        if count != 1:
            fact_contradicts(file, "gpu_count", str(count), "one GPU",
                             f"{row.where}: split_mode none")
        tp, pp = 1, 1
    elif row.split_mode in ("row", "tensor"):
        tp, pp = count, 1
    else:
        tp, pp = 1, count
    for fact, value in (("tp", tp), ("pp", pp)):
        given = getattr(ctx.site, fact)
        if given is not None and given != value:
            fact_contradicts(file, fact, str(given), f"{fact} {value} on {count} GPU(s)",
                             f"{row.where}: split_mode {row.split_mode}")
    return count, tp, pp


def _unmodelled(row: BenchRow, layers: int) -> str:
    if row.backends.upper() in CPU_BACKENDS or set(row.backends.upper().split(",")) <= \
            CPU_BACKENDS:
        return f"ran on the CPU (backend '{row.backends or 'CPU'}')"
    if row.n_gpu_layers is not None and 0 <= row.n_gpu_layers < layers:
        return (f"n_gpu_layers {row.n_gpu_layers}: part of the model's {layers} layers ran on "
                "the CPU, which Enclave does not model")
    if row.n_cpu_moe > 0:
        return f"n_cpu_moe {row.n_cpu_moe}: experts ran on the CPU"
    if row.no_kv_offload:
        return "no_kv_offload: the KV cache stayed in host memory"
    if row.embeddings:
        return "an embeddings run, not generation"
    if row.n_depth and row.n_gen == 0:
        return "prompt processing at a prefilled depth (@ d) is not modelled"
    if row.n_depth and row.n_prompt:
        return "a combined test at a prefilled depth (@ d) is not modelled"
    if row.n_prompt + row.n_gen == 0:
        return "the test has no prompt and no generated tokens"
    if KV_TYPES.get(row.type_k) is None:
        return f"KV cache type '{row.type_k[:20]}' is not a format in the catalog"
    return ""


def _point(file: str, row: BenchRow, ctx: ReadContext) -> tuple[MeasuredPoint | None, str]:
    model = ctx.site.model
    if model is not None:
        ratio = row.n_params / model.params_total
        if not PARAMS_TOLERANCE[0] <= ratio <= PARAMS_TOLERANCE[1]:
            fact_contradicts(file, "model", f"catalog model '{model.id}' "
                             f"({model.params_total / 1e9:.2f} B parameters)",
                             f"{row.n_params / 1e9:.2f} B", f"{row.where}: model_n_params")
    reason = _unmodelled(row, model.layers if model else 0)
    if reason:
        return None, reason
    weights, kv = _formats(file, row, ctx)
    count, tp, pp = _layout(file, row, ctx)
    test = _test_name(row)
    if row.n_gen == 0:
        metric, value = "ttft_ms", 1000.0 * row.n_prompt / row.avg_ts
        isl, osl = row.n_prompt, 0
    elif row.n_prompt == 0 and row.n_depth == 0:
        metric, value, isl, osl = "output_tokens_per_s", row.avg_ts, 0, row.n_gen
    elif row.n_prompt == 0:
        metric, value, isl, osl = "tpot_ms", 1000.0 / row.avg_ts, row.n_depth, row.n_gen
    else:
        metric = "e2e_latency_s"
        value = (row.n_prompt + row.n_gen) / row.avg_ts
        isl, osl = row.n_prompt, row.n_gen
    label = f"{row.where} ({test})"
    case = site_case(file, ctx.site, label=label, engine="llama.cpp", weights=weights,
                     kv_cache=kv, gpu_count=count, tp=tp, pp=pp, mode="batch", load="1",
                     input_tokens=isl, output_tokens=osl, model_hint=row.model_type,
                     gpu_hint=row.gpu_info)
    return MeasuredPoint(case=case, metric=metric, value=value, label=label), ""


def _test_name(row: BenchRow) -> str:
    if row.n_gen == 0:
        name = f"pp{row.n_prompt}"
    elif row.n_prompt == 0:
        name = f"tg{row.n_gen}"
    else:
        name = f"pp{row.n_prompt}+tg{row.n_gen}"
    return name + (f" @ d{row.n_depth}" if row.n_depth else "")
