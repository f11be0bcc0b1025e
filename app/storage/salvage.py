"""Salvage: copy what is still readable from a damaged workspace into a healthy one.

SQLite stores each table as a b-tree of pages keyed by rowid. Damage usually hits a few pages;
the rows on every other page can still be reached by seeking to their rowid. For each table
Enclave keeps (`SALVAGED_TABLES`), salvage:
1. scans rows in rowid order, in chunks, copying each into the new workspace;
2. when a chunk fails to read, takes the rows before the failure one at a time, then probes
   rowids further and further ahead (1, 2, 4, 8 ... past the last good one) until a seek
   succeeds, narrows down to the first readable rowid by bisection, and resumes the scan there;
3. records each skipped rowid range (`(first, last)`, `last` None for "to the end"), and each row the new workspace rejected (a value broken
   by the damage that fails a CHECK, such as invalid JSON).
The results cache is not copied: it is rebuilt from the scenarios when needed. Columns are
matched by name, so rows of an older workspace version land in the current schema.

This is like the sqlite3 shell's `.recover`, but limited to reading through SQLite itself:
rows on an unreadable page, or under an unreadable interior page, are lost, and a table whose
definition cannot be read is skipped whole. It never writes to the damaged file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlite_utils import Database

SALVAGED_TABLES = ("meta", "catalog", "scenarios", "calibration_points", "efficiency_factors",
                   "audit_log")
CHUNK_ROWS = 500
_UNREADABLE = (sqlite3.DatabaseError, UnicodeDecodeError)  # text that is not UTF-8 is damage too
_MAX_PROBE_STEP = 1 << 62
_MAX_ROWID = (1 << 63) - 1


@dataclass
class TableSalvage:
    """What salvaging one table did."""

    table: str
    rows_copied: int = 0
    rows_rejected: int = 0
    skipped_rowid_ranges: list[tuple[int, int | None]] = field(default_factory=list)
    error: str = ""

    def skip(self, first: int, last: int | None) -> None:
        """Record unreadable rowids `first`..`last`, merging with the previous range."""
        ranges = self.skipped_rowid_ranges
        if ranges and ranges[-1][1] is not None and ranges[-1][1] + 1 == first:
            ranges[-1] = (ranges[-1][0], last)
        else:
            ranges.append((first, last))

    @property
    def complete(self) -> bool:
        return not (self.rows_rejected or self.skipped_rowid_ranges or self.error)


def _scan_works_from(conn: sqlite3.Connection, select_from: str, start: int) -> bool:
    """True when a rowid-order scan starting at `start` can read its first row whole."""
    try:
        conn.execute(f"{select_from} WHERE rowid >= ? ORDER BY rowid LIMIT 1", [start]).fetchall()
    except _UNREADABLE:
        return False
    return True


def _resume_point(conn: sqlite3.Connection, select_from: str, last: int) -> int | None:
    """The smallest rowid after `last + 1` from which a scan works again (None: none found).

    The scan just failed right after `last`, so `last + 1` counts as unreadable; probing ahead
    by doubling steps, then bisecting, finds where readable pages start again.
    """
    low = last + 1
    step = 1
    high = min(low + step, _MAX_ROWID)
    while not _scan_works_from(conn, select_from, high):
        if high == _MAX_ROWID or step >= _MAX_PROBE_STEP:
            return None
        low = high
        step *= 2
        high = min(last + 1 + step, _MAX_ROWID)
    while high - low > 1:
        middle = (low + high) // 2
        if _scan_works_from(conn, select_from, middle):
            high = middle
        else:
            low = middle
    return high


def read_rows(conn: sqlite3.Connection, table: str, columns: list[str],
              report: TableSalvage) -> Iterator[tuple[object, ...]]:
    """Every readable row of `table` (rowid > 0) as a tuple of `columns`, in rowid order."""
    names = ", ".join(f'"{c}"' for c in columns)
    select_from = f'SELECT rowid, {names} FROM "{table}"'
    chunk = f"{select_from} WHERE rowid > ? ORDER BY rowid LIMIT ?"
    last = 0  # Enclave's tables number rows from 1
    while True:
        got = 0
        try:
            for row in conn.execute(chunk, [last, CHUNK_ROWS]):
                last = int(row[0])
                got += 1
                yield tuple(row[1:])
        except _UNREADABLE:
            resume = _resume_point(conn, select_from, last)
            report.skip(last + 1, None if resume is None else resume - 1)
            if resume is None:
                return
            last = resume - 1
            continue
        if got < CHUNK_ROWS:
            return


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")').fetchall()]


def salvage_into(source: sqlite3.Connection, dest: Database,
                 on_table: Callable[[TableSalvage], None] | None = None) -> list[TableSalvage]:
    """Copy every readable row of `SALVAGED_TABLES` from `source` into `dest` (same schema
    or newer). Each table is copied in one transaction of `dest`."""
    reports = []
    for table in SALVAGED_TABLES:
        report = TableSalvage(table)
        reports.append(report)
        try:
            source_columns = _columns(source, table)
        except _UNREADABLE as exc:
            report.error = f"its definition is unreadable ({exc})"
            continue
        if not source_columns:
            report.error = "missing from the damaged file"
            continue
        wanted = set(_columns(dest.conn, table))
        columns = [c for c in source_columns if c in wanted]
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        insert = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
        with dest.atomic():
            for values in read_rows(source, table, columns, report):
                try:
                    dest.execute(insert, list(values))
                    report.rows_copied += 1
                except sqlite3.IntegrityError:
                    report.rows_rejected += 1
        if on_table is not None:
            on_table(report)
    return reports
