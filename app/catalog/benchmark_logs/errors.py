"""The one error the benchmark-log readers raise, and the rules its messages name.

A message starts with the file, then where in it (record, row or line), then the field and the
rule, so a user can fix the log or the facts they gave with it. `field` is set when the fault is
in a fact the user gave beside the log (model, gpu, engine, ...), so a form can show it at that
field. Templates are declared here once and tested by name.
"""

from __future__ import annotations

import re
from typing import NoReturn

from app.errors import UserError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str) -> str:
    """`text` on one line: control characters (from a log's own text) shown escaped."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class BenchmarkLogError(UserError):
    """A benchmark log, or a fact given with it, that breaks a rule; says which and why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(clean(message))
        self.field = field


# The file as a whole.
UNREADABLE = "cannot be read ({reason})"
NOT_A_FILE = "is a folder, not a benchmark log"
TOO_LARGE = "is larger than the {limit} MB limit for a benchmark log"
EMPTY = "is empty"
NOT_UTF8 = "must be UTF-8 text"
NOT_JSON = "is not valid JSON ({detail})"
UNKNOWN_FORMAT = (
    "is not a benchmark log Enclave reads: expected a vLLM `bench serve` / benchmark_serving.py "
    "result (JSON), llama-bench output (-o json, jsonl, csv or md), or a CSV in the `enclave "
    "estimate` column format with metric and value columns"
)
WRONG_FORMAT = "does not look like {expected} ({why})"
NO_POINTS = "holds no measurement Enclave can use{why}"
TOO_MANY = "has more than {limit} {what}"

# Fields inside the log.
MISSING_FIELD = "{where}: {field} is missing ({rule})"
BAD_FIELD = "{where}: {field} must be {rule} (found {found})"

# Facts the user gives beside the log.
FACT_REQUIRED = "is required: {why}"
FACT_CONTRADICTS = "{given} contradicts the log, which says {logged} ({field_in_log})"


def fail(file: str, rule: str, field: str | None = None) -> NoReturn:
    """Raise `BenchmarkLogError` with `file: rule`."""
    raise BenchmarkLogError(f"{file}: {rule}", field)


def bad(file: str, where: str, field: str, rule: str, found: object) -> NoReturn:
    """Raise for a log field whose value breaks `rule`."""
    shown = repr(found[:60] if isinstance(found, str) else found)[:80]
    fail(file, BAD_FIELD.format(where=where, field=field, rule=rule, found=shown))


def missing(file: str, where: str, field: str, rule: str) -> NoReturn:
    """Raise for a log field that is absent."""
    fail(file, MISSING_FIELD.format(where=where, field=field, rule=rule))


def fact_required(file: str, fact: str, why: str) -> NoReturn:
    """Raise for a fact the log cannot supply and the user did not give."""
    raise BenchmarkLogError(f"{file}: {fact} {FACT_REQUIRED.format(why=why)}", fact)


def fact_contradicts(file: str, fact: str, given: str, logged: str, field_in_log: str) -> NoReturn:
    """Raise for a fact the user gave that the log says otherwise."""
    raise BenchmarkLogError(
        f"{file}: {fact}: " + FACT_CONTRADICTS.format(
            given=given, logged=logged, field_in_log=field_in_log), fact)
