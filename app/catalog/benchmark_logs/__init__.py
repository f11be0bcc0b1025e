"""Read benchmark logs from common tools into measured points (Qt-free, no storage).

Formats, and the source each reader follows:

- vLLM serving-benchmark results (`vllm bench serve --save-result`, `benchmark_serving.py`):
  `vllm_bench` (vllm-project/vllm `vllm/benchmarks/serve.py`, `benchmarks/benchmark_serving.py`);
- llama.cpp `llama-bench` output as JSON, JSON lines, CSV and markdown: `llama_bench`
  (ggml-org/llama.cpp `tools/llama-bench/llama-bench.cpp` and its README);
- a plain CSV in the `enclave estimate` case format plus `metric` and `value`: `plain_csv`.

`read_benchmark_log(path, facts, catalog, engines, aliases)` detects the format (or takes the
one named), checks the facts the user gave beside the log (`site.check_site_facts`), reads the
whole file within bounds (`text.MAX_LOG_BYTES`) and returns a `LogReading`. A malformed log, or
a fact that is missing or contradicts the log, raises `BenchmarkLogError` naming the file, the
place, the field and the rule; nothing else escapes. Whether each configuration resolves in the
catalog and fits the estimate contract is checked by the operation that imports the points
(`app.operations.site_calibration`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NoReturn

from app.catalog.benchmark_logs import llama_bench, plain_csv, vllm_bench
from app.catalog.benchmark_logs.errors import NOT_JSON, UNKNOWN_FORMAT, BenchmarkLogError, fail
from app.catalog.benchmark_logs.points import LogReading, ReadContext
from app.catalog.benchmark_logs.site import FLAGS, SiteFacts, check_site_facts
from app.catalog.benchmark_logs.text import read_log_text
from app.catalog.loader import Catalog

FORMATS = {
    "auto": "detect from the content",
    vllm_bench.FORMAT: vllm_bench.LABEL,
    **llama_bench.FORMATS,
    plain_csv.FORMAT: plain_csv.LABEL,
}
BAD_FORMAT_NAME = "format '{name}' must be one of {known}"

__all__ = ["FORMATS", "BenchmarkLogError", "LogReading", "SiteFacts", "detect_format",
           "read_benchmark_log"]


def detect_format(text: str) -> str | None:
    """The format key of a log's text, or None when it is none of `FORMATS`."""
    head = text.lstrip()[:65536]
    if head.startswith(("{", "[")) and '"completed"' in head and (
            '"output_throughput"' in head or '"request_throughput"' in head):
        return vllm_bench.FORMAT
    found = llama_bench.detect(text)
    if found:
        return found
    if plain_csv.looks_like(text):
        return plain_csv.FORMAT
    return None


def read_benchmark_log(
    path: Path,
    facts: SiteFacts,
    catalog: Catalog,
    engines: Collection[str],
    aliases: Mapping[str, str],
    fmt: str = "auto",
) -> LogReading:
    """Read one log (see the module docstring); raises `BenchmarkLogError`."""
    path = Path(path)
    site, problems = check_site_facts(facts, catalog, engines, aliases)
    for fact, rule in problems.items():
        raise BenchmarkLogError(f"{fact}: {rule}", fact)
    if fmt not in FORMATS:
        raise BenchmarkLogError(BAD_FORMAT_NAME.format(name=fmt[:40], known=", ".join(FORMATS)))
    text, sha256 = read_log_text(path)
    found = detect_format(text) if fmt == "auto" else fmt
    if found is None:
        _refuse_unknown(text, path.name)
    ctx = ReadContext(site=site, catalog=catalog, engines=frozenset(engines), aliases=aliases)
    if found == vllm_bench.FORMAT:
        return vllm_bench.read(text, path.name, sha256, ctx)
    if found == plain_csv.FORMAT:
        return plain_csv.read(text, path.name, sha256, ctx)
    return llama_bench.read(text, path.name, sha256, found, ctx)


def _refuse_unknown(text: str, file: str) -> NoReturn:
    """Say why a file is no known log: broken JSON is named as such, anything else is unknown."""
    if text.lstrip().startswith(("{", "[")):
        try:
            json.loads(text)
        except RecursionError:
            fail(file, NOT_JSON.format(detail="nested too deeply"))
        except ValueError as exc:
            fail(file, NOT_JSON.format(detail=str(exc)[:120]))
    fail(file, UNKNOWN_FORMAT)


def fact_flag(fact: str | None) -> str:
    """The command-line flag of a fact (`--gpu-count`), or '' for none."""
    return FLAGS.get(fact or "", "")
