"""Site calibration in a workspace: measured points and the efficiency factors refit on them.

`calibration_points` holds one row per measured figure (the estimate-case columns, the metric,
its value, the import batch and where in which file it came from); `efficiency_factors` holds
one row per (engine family, hardware class) the site refit, with the factors and how they were
fitted as JSON. An import writes its points, the refit factors and its audit row in one
transaction (`record_import`), so a workspace never holds points without their factors or the
other way round. Undo restores a snapshot exactly, row ids included.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from app.errors import UserError
from app.storage import audit
from app.storage.clock import now_iso

POINT_COLUMNS = ("batch", "source", "imported_at", "model", "gpu", "gpu_count", "tp", "pp", "ep",
                 "weights", "kv_cache", "engine", "mode", "load", "input_tokens",
                 "output_tokens", "metric", "value")
FACTOR_COLUMNS = ("engine", "hardware_class", "data", "points", "fitted_at")
SOURCE_SEPARATOR = " · "  # `<file> · <place in the file>`


class CalibrationStoreError(UserError):
    """A calibration write that cannot be made as asked."""


@dataclass(frozen=True)
class StoredPoint:
    """One measured figure as stored (see the module docstring)."""

    id: int
    batch: str
    source: str
    imported_at: str
    model: str
    gpu: str
    gpu_count: int
    tp: int
    pp: int
    ep: int
    weights: str
    kv_cache: str
    engine: str
    mode: str
    load: float | None
    input_tokens: int
    output_tokens: int
    metric: str
    value: float

    @property
    def file(self) -> str:
        """The log file the point came from."""
        return self.source.split(SOURCE_SEPARATOR, 1)[0]

    def case(self) -> dict[str, str]:
        """The point's configuration as an estimate-case row (`case_id` = `site-<id>`)."""
        load = "" if self.load is None else f"{self.load:g}"
        return {"case_id": f"site-{self.id}", "model": self.model, "gpu": self.gpu,
                "gpu_count": str(self.gpu_count), "tp": str(self.tp), "pp": str(self.pp),
                "ep": str(self.ep), "weights": self.weights, "kv_cache": self.kv_cache,
                "engine": self.engine, "mode": self.mode, "load": load,
                "input_tokens": str(self.input_tokens),
                "output_tokens": str(self.output_tokens)}


@dataclass(frozen=True)
class FactorRow:
    """Refit factors of one (engine, hardware class) group; `data` is the stored JSON."""

    engine: str
    hardware_class: str
    data: dict[str, Any]
    points: int
    fitted_at: str


@dataclass(frozen=True)
class BatchInfo:
    """One import: its id, file, when, and how many points it added."""

    batch: str
    file: str
    imported_at: str
    points: int


@dataclass(frozen=True)
class CalibrationSnapshot:
    """The rows an import touches, exactly as stored: its batch's points and every factor row."""

    points: tuple[tuple[Any, ...], ...]
    factors: tuple[tuple[Any, ...], ...]


def _point(row: Sequence[Any]) -> StoredPoint:
    return StoredPoint(*row)


def points(db: Database, batch: str | None = None) -> list[StoredPoint]:
    """Stored points (of one batch, or all), oldest first."""
    where, params = ("WHERE batch=? ", [batch]) if batch is not None else ("", [])
    rows = db.execute(f"SELECT id, {', '.join(POINT_COLUMNS)} FROM calibration_points "
                      f"{where}ORDER BY id", params).fetchall()
    return [_point(r) for r in rows]


def batches(db: Database) -> list[BatchInfo]:
    """Every import, newest first."""
    rows = db.execute("SELECT batch, min(source), min(imported_at), count(*) FROM "
                      "calibration_points GROUP BY batch ORDER BY min(id) DESC").fetchall()
    return [BatchInfo(r[0], str(r[1]).split(SOURCE_SEPARATOR, 1)[0], r[2], r[3]) for r in rows]


def factor_rows(db: Database) -> list[FactorRow]:
    """Every site-refit group, by engine and class."""
    rows = db.execute(f"SELECT {', '.join(FACTOR_COLUMNS)} FROM efficiency_factors "
                      "ORDER BY engine, hardware_class").fetchall()
    return [FactorRow(r[0], r[1], json.loads(r[2]), r[3], r[4]) for r in rows]


def _check_point(point: Mapping[str, Any]) -> list[Any]:
    value = point.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not math.isfinite(value) or value <= 0:
        raise CalibrationStoreError(f"{point.get('source', '?')}: value must be a number > 0")
    if not str(point.get("metric") or ""):
        raise CalibrationStoreError(f"{point.get('source', '?')}: metric must not be empty")
    return [point.get(c) for c in POINT_COLUMNS]


def record_import(db: Database, batch: str, new_points: Sequence[Mapping[str, Any]],
                  factors: Sequence[FactorRow], dropped: Sequence[tuple[str, str]] = (),
                  **detail: Any) -> None:
    """Store an import's points and the refit factors of its groups, with one audit row.

    Each point maps `POINT_COLUMNS` except `batch` and `imported_at` (set here). Factor rows
    replace the rows of their groups; `dropped` groups (engine, hardware class) lose theirs
    (back to the shipped factors); other groups are not touched.
    """
    stamp = now_iso()
    rows = [_check_point({**p, "batch": batch, "imported_at": stamp}) for p in new_points]
    with db.atomic():
        if db.execute("SELECT 1 FROM calibration_points WHERE batch=? LIMIT 1",
                      [batch]).fetchone():
            raise CalibrationStoreError(f"import batch '{batch}' already exists")
        insert = (f"INSERT INTO calibration_points ({', '.join(POINT_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in POINT_COLUMNS)})")
        for row in rows:
            db.execute(insert, row)
        for f in factors:
            db.execute(
                "INSERT OR REPLACE INTO efficiency_factors (engine, hardware_class, data, "
                "points, fitted_at) VALUES (?, ?, ?, ?, ?)",
                [f.engine, f.hardware_class, json.dumps(f.data, ensure_ascii=False), f.points,
                 f.fitted_at])
        for engine, hardware_class in dropped:
            db.execute("DELETE FROM efficiency_factors WHERE engine=? AND hardware_class=?",
                       [engine, hardware_class])
        audit.record(db, "calibration.imported", "calibration", batch, points=len(rows),
                     groups=[f"{f.engine}/{f.hardware_class}" for f in factors], **detail)


# --- Undo support ---------------------------------------------------------------------------


def snapshot(db: Database, batch: str) -> CalibrationSnapshot:
    """The batch's points and every factor row, as stored."""
    point_rows = db.execute(f"SELECT id, {', '.join(POINT_COLUMNS)} FROM calibration_points "
                            "WHERE batch=? ORDER BY id", [batch]).fetchall()
    factor_rows_ = db.execute(f"SELECT {', '.join(FACTOR_COLUMNS)} FROM efficiency_factors "
                              "ORDER BY engine, hardware_class").fetchall()
    return CalibrationSnapshot(tuple(tuple(r) for r in point_rows),
                               tuple(tuple(r) for r in factor_rows_))


def restore(db: Database, batch: str, snap: CalibrationSnapshot) -> None:
    """Put the batch's points and all factor rows back as snapshotted, in one transaction."""
    with db.atomic():
        db.execute("DELETE FROM calibration_points WHERE batch=?", [batch])
        for row in snap.points:
            db.execute(f"INSERT INTO calibration_points (id, {', '.join(POINT_COLUMNS)}) "
                       f"VALUES (?, {', '.join('?' for _ in POINT_COLUMNS)})", list(row))
        db.execute("DELETE FROM efficiency_factors")
        for row in snap.factors:
            db.execute(f"INSERT INTO efficiency_factors ({', '.join(FACTOR_COLUMNS)}) "
                       f"VALUES ({', '.join('?' for _ in FACTOR_COLUMNS)})", list(row))
        audit.record(db, "calibration.restored", "calibration", batch, points=len(snap.points),
                     groups=len(snap.factors))
