"""The held-out validation set: well-formed, resolvable, and scored like the calibration set."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.operations.calibrate import case_set

ROOT = Path(__file__).resolve().parents[2]
VALIDATION = ROOT / "resources" / "calibration" / "validation.csv"
MEASUREMENTS = ROOT / "resources" / "calibration" / "measurements.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_validation_rows_have_the_calibration_columns_and_own_ids() -> None:
    rows = _rows(VALIDATION)
    with MEASUREMENTS.open(newline="", encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    with VALIDATION.open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == columns
    assert len(rows) >= 150
    assert len({r["source_id"] for r in rows}) >= 5
    assert all(r["row_id"].startswith("V") for r in rows)
    assert len({r["row_id"] for r in rows}) == len(rows)
    assert not {r["source_url"] for r in rows} & {r["source_url"] for r in _rows(MEASUREMENTS)}
    assert all(float(r["value"]) > 0 and r["source_url"] and r["source_date"] for r in rows)


def test_every_validation_row_resolves_and_becomes_a_case() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from calibration_rows import case_rows

    catalog = Catalog.shipped()
    for r in _rows(VALIDATION):
        catalog.model(r["model_id"])
        catalog.accelerator(r["gpu"])
    table, aliases = load_efficiency()
    rows = case_rows(VALIDATION)
    cases = case_set(rows, catalog, table, aliases)
    assert len(rows) == len(_rows(VALIDATION))
    assert cases.skipped == []
