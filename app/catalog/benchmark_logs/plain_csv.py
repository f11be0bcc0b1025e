"""A plain CSV of measurements in the `enclave estimate` column format, plus metric and value.

Columns (DESIGN.md, "The estimate contract"): `model`, `gpu`, `gpu_count`, `tp`, `pp`, `ep`,
`weights`, `kv_cache`, `engine`, `mode`, `load`, `input_tokens`, `output_tokens`, then
`metric` (one of `points.METRICS`) and `value` (in that metric's unit). `case_id` is optional.
`benchmarks/benchcases.py normalize` writes exactly this shape. A column may be left out, or a
cell left blank, when the user gives that fact beside the file (the fact then fills it); a cell
that says something else than a fact given is refused, not overridden. Every row must be
usable: one bad row refuses the whole file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable

from app.catalog.benchmark_logs.errors import (
    NO_POINTS,
    TOO_MANY,
    bad,
    fact_contradicts,
    fact_required,
    fail,
    missing,
)
from app.catalog.benchmark_logs.points import (
    CASE_COLUMNS,
    MAX_POINTS,
    METRICS,
    LogReading,
    MeasuredPoint,
    ReadContext,
)
from app.catalog.benchmark_logs.site import FACTS

FORMAT = "csv"
LABEL = "measurements CSV (estimate columns + metric, value)"
ALWAYS_REQUIRED = ("mode", "input_tokens", "output_tokens", "metric", "value")


def looks_like(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    cells = {c.strip().strip('"').lower() for c in first.split(",")}
    return {"metric", "value"} <= cells


def _canonical(ctx: ReadContext, fact: str) -> Callable[[str], str] | None:
    """How to read a cell of `fact` as the id the fact resolved to (None: compare as text)."""
    catalog = ctx.catalog
    readers: dict[str, Callable[[str], str]] = {
        "model": lambda text: catalog.model(text).id,
        "gpu": lambda text: catalog.accelerator(text).id,
        "weights": lambda text: catalog.quantization(text).id,
        "kv_cache": lambda text: catalog.quantization(text).id,
        "engine": lambda text: ctx.aliases.get(text.lower(), text.lower()),
        "gpu_count": lambda text: str(int(float(text))),
        "tp": lambda text: str(int(float(text))),
        "pp": lambda text: str(int(float(text))),
    }
    return readers.get(fact)


def _fact_text(ctx: ReadContext, fact: str) -> str | None:
    value = getattr(ctx.site, fact)
    if value is None:
        return None
    if fact in ("model", "gpu"):
        return str(value.id)
    return str(value)


def read(text: str, file: str, sha256: str, ctx: ReadContext) -> LogReading:
    """Points of every row (see the module docstring)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        fail(file, f"is not valid CSV ({exc})")
    header = [h.strip().lower() for h in rows[0]] if rows else []
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if len(body) > MAX_POINTS:
        fail(file, TOO_MANY.format(limit=MAX_POINTS, what="rows"))
    if len(set(header)) != len(header):
        fail(file, "the header names a column twice")
    for column in ALWAYS_REQUIRED:
        if column not in header:
            missing(file, "header", column, "a column of the estimate format")
    for fact in FACTS:
        if fact not in header and fact in ("model", "gpu", "weights", "engine") \
                and getattr(ctx.site, fact) is None:
            fact_required(file, fact, f"the file has no '{fact}' column")
    points: list[MeasuredPoint] = []
    for number_, cells in body:
        where = f"line {number_}"
        if len(cells) > len(header):
            fail(file, f"{where}: has more cells than the header")
        row = {h: c.strip() for h, c in zip(header, cells, strict=False)}
        points.append(_point(file, where, row, ctx))
    if not points:
        fail(file, NO_POINTS.format(why=": it has a header but no rows"))
    return LogReading(file_name=file, format=FORMAT, format_label=LABEL, sha256=sha256,
                      points=tuple(points))


def _point(file: str, where: str, row: dict[str, str], ctx: ReadContext) -> MeasuredPoint:
    metric = row.get("metric", "")
    if metric not in METRICS:
        bad(file, where, "metric", f"one of {', '.join(METRICS)}", metric)
    try:
        value = float(row.get("value", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        bad(file, where, "value", "a finite number > 0", row.get("value", ""))
    case = {column: row.get(column, "")[:200] for column in CASE_COLUMNS}
    case["case_id"] = (row.get("case_id") or where)[:80]
    for fact in FACTS:
        given = _fact_text(ctx, fact)
        cell = case.get(fact, "")
        if given is None:
            if not cell and fact in ("model", "gpu", "weights", "engine"):
                fact_required(file, fact, f"{where}: the '{fact}' cell is empty")
            continue
        if not cell:
            case[fact] = given
            continue
        reader = _canonical(ctx, fact)
        try:
            same = reader(cell) == given if reader else cell == given
        except (KeyError, ValueError, OverflowError):
            same = False
        if not same:
            fact_contradicts(file, fact, given, f"'{cell[:60]}'", f"{where}: {fact}")
    return MeasuredPoint(case=case, metric=metric, value=value, label=case["case_id"])
