"""Estimate a batch of configurations from a cases CSV (the `enclave estimate` contract).

Input columns (extra columns are ignored): case_id, model, gpu, gpu_count, tp, pp, ep,
weights, kv_cache, engine, mode (batch | offline | rate), load, input_tokens, output_tokens.
`tp`, `pp`, `ep` default to 1, `kv_cache` to FP8 for FP8/FP4 weights and FP16 otherwise.

Each row comes out with status `ok` or `error` (and a message naming the column and the rule);
one bad row never stops the others. A missing or unreadable file, or a missing required column,
raises `UserError` and writes nothing. The output is written atomically.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.configs import Deployment, build_configs
from app.engine.efficiency import EfficiencyTable
from app.engine.performance import BOUND_NAMES, NO_FIT
from app.engine.serving import MODE_NAMES, ServingResult, Workload, serve
from app.errors import UserError
from app.operations.error_bands import band_ratios
from app.storage.files import save_user_file

REQUIRED_COLUMNS = (
    "case_id",
    "model",
    "gpu",
    "gpu_count",
    "weights",
    "engine",
    "mode",
    "input_tokens",
    "output_tokens",
)
OPTIONAL_COLUMNS = ("tp", "pp", "ep", "kv_cache", "load")
BANDED = ("output_tokens_per_s", "ttft_ms", "tpot_ms")
OUTPUT_COLUMNS = (
    "case_id",
    "output_tokens_per_s",
    "ttft_ms",
    "tpot_ms",
    "e2e_latency_s",
    "weights_gib",
    "kv_cache_gib",
    "max_concurrency",
    "bound",
    "status",
    "message",
    *(f"{m}_{side}" for m in BANDED for side in ("low", "high")),
    "ttft_p95_ms",
    "ttft_p99_ms",
    "tpot_p99_ms",
    "concurrency",
    "fits",
    "basis",
)
MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class ParsedCase:
    """One valid input row, resolved against the catalog."""

    row: int
    case_id: str
    deployment: Deployment
    mode: int
    load: float
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class EstimateSummary:
    """What `estimate_file` did: rows read, estimated and rejected, and where it wrote."""

    rows: int
    ok: int
    errors: int
    out_path: Path


class RowError(ValueError):
    """A rule one cell of one row breaks; the message names the column."""


def _int(row: dict[str, str], column: str, minimum: int, default: int | None = None) -> int:
    text = (row.get(column) or "").strip()
    if not text and default is not None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{column} must be a whole number, got '{text}'") from None
    if not math.isfinite(value) or value != int(value):
        raise RowError(f"{column} must be a whole number, got '{text}'")
    if value < minimum:
        raise RowError(f"{column} must be at least {minimum}, got '{text}'")
    return int(value)


def _default_kv(weights: str) -> str:
    return "fp8" if weights.lower() in ("fp8", "nvfp4", "mxfp4") else "fp16"


def parse_row(
    index: int,
    row: dict[str, str],
    catalog: Catalog,
    table: EfficiencyTable,
    aliases: dict[str, str],
) -> ParsedCase:
    """Validate and resolve one row; raise RowError naming the column and the rule."""
    case_id = (row.get("case_id") or "").strip()
    if not case_id:
        raise RowError("case_id is required")
    try:
        model = catalog.model((row.get("model") or "").strip())
    except KeyError:
        raise RowError(f"model '{row.get('model', '')}' is not in the catalog") from None
    if model.kind != "llm":
        raise RowError(f"model '{model.id}' is a {model.kind} model; estimate needs an llm")
    try:
        gpu = catalog.accelerator((row.get("gpu") or "").strip())
    except KeyError:
        raise RowError(f"gpu '{row.get('gpu', '')}' is not in the catalog") from None
    gpu_count = _int(row, "gpu_count", 1)
    tp, pp, ep = (_int(row, k, 1, default=1) for k in ("tp", "pp", "ep"))
    if gpu_count % (tp * pp):
        raise RowError(f"gpu_count ({gpu_count}) must be a multiple of tp x pp ({tp} x {pp})")
    weights_name = (row.get("weights") or "").strip()
    try:
        weights = catalog.quantization(weights_name)
    except KeyError:
        raise RowError(f"weights '{weights_name}' is not a known format") from None
    kv_name = (row.get("kv_cache") or "").strip() or _default_kv(weights.id)
    try:
        kv = catalog.quantization(kv_name)
    except KeyError:
        raise RowError(f"kv_cache '{kv_name}' is not a known format") from None
    engine_name = (row.get("engine") or "").strip().lower()
    engine = aliases.get(engine_name, engine_name)
    if engine not in table.engines:
        known = ", ".join(sorted(table.engines))
        raise RowError(f"engine '{engine_name}' must be one of {known}")
    mode_name = (row.get("mode") or "").strip().lower()
    if mode_name not in MODE_NAMES:
        raise RowError(f"mode '{mode_name}' must be one of {', '.join(MODE_NAMES)}")
    mode = MODE_NAMES.index(mode_name)
    load = math.nan
    if mode_name == "batch":
        load = float(_int(row, "load", 1))
    elif mode_name == "rate":
        text = (row.get("load") or "").strip()
        try:
            load = float(text)
        except ValueError:
            raise RowError(
                f"load must be requests/s (a number > 0) in rate mode, got '{text}'"
            ) from None
        if not math.isfinite(load) or load <= 0:
            raise RowError(f"load must be requests/s (a number > 0) in rate mode, got '{text}'")
    isl = _int(row, "input_tokens", 0)
    osl = _int(row, "output_tokens", 0)
    if isl + osl == 0:
        raise RowError("input_tokens and output_tokens cannot both be 0")
    deployment = Deployment(model, gpu, weights, kv, engine, gpu_count, tp, pp, ep)
    return ParsedCase(index, case_id, deployment, mode, load, isl, osl)


def read_cases(path: Path) -> list[dict[str, str]]:
    """Rows of a cases CSV; UserError when it is missing, unreadable or lacks a column."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise UserError(
                    f"{path}: is empty; expected a header row with {', '.join(REQUIRED_COLUMNS)}"
                )
            columns = {h.strip() for h in header if h}
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise UserError(f"{path}: missing required column(s): {', '.join(missing)}")
            rows = []
            for raw in reader:
                rows.append(
                    {(k or "").strip(): (v if isinstance(v, str) else "") for k, v in raw.items()}
                )
                if len(rows) > MAX_ROWS:
                    raise UserError(f"{path}: has more than {MAX_ROWS} rows")
            return rows
    except FileNotFoundError:
        raise UserError(f"{path}: no such cases file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a cases file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: must be UTF-8 text") from None
    except csv.Error as exc:
        raise UserError(f"{path}: is not valid CSV ({exc})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror})") from None


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return ""
    return f"{value:.6g}"


def estimate_rows(
    rows: Sequence[dict[str, str]],
    catalog: Catalog,
    table: EfficiencyTable,
    aliases: dict[str, str],
) -> list[dict[str, str]]:
    """One output row per input row (errors included), in input order."""
    out: list[dict[str, str]] = [dict.fromkeys(OUTPUT_COLUMNS, "") for _ in rows]
    parsed: list[ParsedCase] = []
    for i, row in enumerate(rows):
        out[i]["case_id"] = (row.get("case_id") or "").strip()
        try:
            parsed.append(parse_row(i, row, catalog, table, aliases))
        except RowError as exc:
            out[i].update(status="error", message=str(exc))
    if parsed:
        _fill(out, parsed, table)
    return out


def case_workload(parsed: Sequence[ParsedCase]) -> Workload:
    """The serving engine's workload arrays of parsed cases (one entry per case)."""
    return Workload(
        mode=np.array([p.mode for p in parsed], dtype=np.intp),
        load=np.array([p.load for p in parsed], dtype=np.float64),
        input_tokens=np.array([p.input_tokens for p in parsed], dtype=np.float64),
        output_tokens=np.array([p.output_tokens for p in parsed], dtype=np.float64),
    )


def _fill(out: list[dict[str, str]], parsed: list[ParsedCase], table: EfficiencyTable) -> None:
    configs, basis = build_configs([p.deployment for p in parsed], table)
    workload = case_workload(parsed)
    with np.errstate(all="ignore"):
        result = serve(configs, workload)
    emulated = np.broadcast_to(configs.emulated, (len(parsed),))
    estimated = np.broadcast_to(configs.peak_estimated, (len(parsed),))
    for k, p in enumerate(parsed):
        row = out[p.row]
        row.update(_values(result, k, table, p))
        notes = []
        if result.bound[k] == NO_FIT:
            notes.append("does not fit: weights, overheads and one sequence's KV exceed GPU memory")
        if emulated[k]:
            notes.append(
                f"{p.deployment.weights.id} is not native on {p.deployment.accelerator.id}; emulated at 16 bit"
            )
        if estimated[k]:
            notes.append("compute peak estimated (catalog entry has none)")
        limit = p.deployment.model.max_context_tokens
        if limit and p.input_tokens + p.output_tokens > limit:
            notes.append(f"input + output tokens exceed the model's context ({limit})")
        row.update(status="ok", message="; ".join(notes), basis=basis[k])


def _values(r: ServingResult, k: int, table: EfficiencyTable, p: ParsedCase) -> dict[str, str]:
    values = {
        "output_tokens_per_s": float(r.output_tokens_per_s[k]),
        "ttft_ms": float(r.ttft_ms[k]),
        "tpot_ms": float(r.tpot_ms[k]),
        "e2e_latency_s": float(r.e2e_latency_s[k]),
        "weights_gib": float(r.weights_gib[k]),
        "kv_cache_gib": float(r.kv_cache_gib[k]),
        "max_concurrency": float(r.max_concurrency[k]),
        "ttft_p95_ms": float(r.ttft_p95_ms[k]),
        "ttft_p99_ms": float(r.ttft_p99_ms[k]),
        "tpot_p99_ms": float(r.tpot_p99_ms[k]),
        "concurrency": float(r.concurrency[k]),
    }
    text = {key: _fmt(v) for key, v in values.items()}
    for metric in BANDED:  # site residuals when this engine x class was site-calibrated
        ratios = band_ratios(table, metric, p.deployment.engine,
                             p.deployment.accelerator.hardware_class)
        low, high = (ratios.low, ratios.high) if ratios else (1.0, 1.0)
        text[f"{metric}_low"] = _fmt(values[metric] * low)
        text[f"{metric}_high"] = _fmt(values[metric] * high)
    text["bound"] = BOUND_NAMES[int(r.bound[k])]
    text["fits"] = "true" if bool(r.fits[k]) else "false"
    return text


def write_atomic(path: Path, columns: Iterable[str], rows: Iterable[dict[str, str]]) -> None:
    """Write a CSV atomically (the old file or the whole new one, never half)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    save_user_file(path, text.getvalue())


def estimate_file(
    cases_path: Path,
    out_path: Path,
    catalog: Catalog | None = None,
    table: EfficiencyTable | None = None,
    aliases: dict[str, str] | None = None,
) -> EstimateSummary:
    """Read `cases_path`, estimate every row, write `out_path` atomically."""
    rows = read_cases(cases_path)
    catalog = catalog or Catalog.shipped()
    if table is None:
        table, loaded_aliases = load_efficiency()
        aliases = loaded_aliases if aliases is None else aliases
    out = estimate_rows(rows, catalog, table, aliases or {})
    write_atomic(out_path, OUTPUT_COLUMNS, out)
    errors = sum(1 for r in out if r["status"] == "error")
    return EstimateSummary(rows=len(out), ok=len(out) - errors, errors=errors, out_path=out_path)
