"""The shipped published measurements read as the scorer reads them, with their sources."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from app.catalog.published import measurements_path, published_measurements

ROOT = Path(__file__).resolve().parents[2]


def test_published_cases_agree_with_benchcases_row_for_row() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import benchcases  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    with measurements_path().open(newline="", encoding="utf-8") as handle:
        expected, _ = benchcases.normalize(list(csv.DictReader(handle)))
    got = published_measurements()
    assert len(got) == len(expected) == 688
    for want, have in zip(expected, got, strict=True):
        case = {k: str(v) for k, v in want.items() if k not in ("metric", "value", "source_id")}
        assert (case, want["metric"], want["value"], want["source_id"]) == (
            have.case, have.metric, have.value, have.source_id)


def test_every_measurement_names_its_source() -> None:
    for m in published_measurements():
        assert m.url.startswith("http") and m.date and m.source.startswith("S")
        assert m.source_label.startswith(m.source + " ")
