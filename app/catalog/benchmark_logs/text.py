"""Reading a log file's text with a bound: size, encoding and emptiness checked first."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.catalog.benchmark_logs.errors import (
    EMPTY,
    NOT_A_FILE,
    NOT_UTF8,
    TOO_LARGE,
    UNREADABLE,
    fail,
)

MAX_LOG_BYTES = 64_000_000  # a vLLM result saved with --save-detailed for 10,000 requests is ~40 MB


def read_log_text(path: Path, limit: int = MAX_LOG_BYTES) -> tuple[str, str]:
    """(text, sha256 hex) of a log file; `BenchmarkLogError` names what is wrong with it."""
    name = path.name
    try:
        if path.is_dir():
            fail(name, NOT_A_FILE)
        size = path.stat().st_size
        if size > limit:
            fail(name, TOO_LARGE.format(limit=limit // 1_000_000))
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        fail(name, UNREADABLE.format(reason=exc.strerror or type(exc).__name__))
    if len(data) > limit:
        fail(name, TOO_LARGE.format(limit=limit // 1_000_000))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(name, NOT_UTF8)
    if not text.strip():
        fail(name, EMPTY)
    if "\x00" in text:
        fail(name, NOT_UTF8)
    return text, hashlib.sha256(data).hexdigest()
