"""Open a workspace file: checks, pragmas, backups and numbered migrations.

A workspace is one SQLite file. Opening one:
1. reads it read-only first; a file that is not SQLite, not an Enclave workspace, damaged
   (`quick_check`), or saved by a newer Enclave is refused with a clear message and never touched;
2. writes a backup copy before applying any pending migration;
3. applies migrations, each in its own transaction (sqlite-utils `Migrations`);
4. keeps WAL journaling, `synchronous=FULL` and foreign keys on for every connection.

`PRAGMA application_id` marks Enclave files; `PRAGMA user_version` holds the schema version.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from app.errors import UserError
from app.storage import backups
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION

APPLICATION_ID = 0x454E434C  # "ENCL"
SQLITE_MAGIC = b"SQLite format 3\x00"


class WorkspaceError(UserError):
    """A workspace file that cannot be opened; the message says why and what to do."""


@dataclass(frozen=True)
class FileState:
    """What a read-only look at a workspace file found."""

    exists: bool
    application_id: int = 0
    schema_version: int = 0


def _inspect(path: Path) -> FileState:
    if not path.exists():
        return FileState(exists=False)
    if path.is_dir():
        raise WorkspaceError(f"{path}: is a folder, not a workspace file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(head) == 0:
        return FileState(exists=True)
    if head != SQLITE_MAGIC:
        raise WorkspaceError(f"{path}: is not an Enclave workspace (not an SQLite file)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise WorkspaceError(f"{path}: cannot be opened ({exc})") from None
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(
            f"{path}: is damaged ({exc}); restore it from a backup in "
            f"{backups.backup_dir(path)}"
        ) from None
    finally:
        conn.close()
    if check != "ok":
        raise WorkspaceError(
            f"{path}: failed its integrity check ({check}); restore it from a backup in "
            f"{backups.backup_dir(path)}"
        )
    if app_id not in (0, APPLICATION_ID):
        raise WorkspaceError(f"{path}: is an SQLite file of another program, not a workspace")
    if app_id == 0 and version == 0:
        tables = _table_count(path)
        if tables:
            raise WorkspaceError(f"{path}: is an SQLite file of another program, not a workspace")
    return FileState(exists=True, application_id=app_id, schema_version=version)


def _table_count(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
        return int(row[0])
    finally:
        conn.close()


def _connect(path: Path) -> Database:
    conn = sqlite3.connect(str(path), timeout=5.0, isolation_level=None)
    db = Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    if db.journal_mode != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")
    return db


def open_database(path: Path) -> tuple[Database, bool]:
    """Open (creating if absent) and migrate a workspace; returns (db, created).

    Raises WorkspaceError, leaving the file untouched, when it cannot be used.
    """
    state = _inspect(path)
    if state.schema_version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"{path}: was saved by a newer Enclave (workspace version {state.schema_version}, "
            f"this version reads up to {SCHEMA_VERSION}); it was not opened or changed"
        )
    created = not state.exists or state.schema_version == 0
    if state.exists and 0 < state.schema_version < SCHEMA_VERSION:
        backups.write_backup(path, reason=f"before-migration-v{state.schema_version}")
    if not state.exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = _connect(path)
    except sqlite3.Error as exc:
        raise WorkspaceError(f"{path}: cannot be opened for writing ({exc})") from None
    try:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        MIGRATIONS.apply(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.Error as exc:
        db.close()
        raise WorkspaceError(f"{path}: could not be upgraded ({exc}); it was left as it was") from None
    return db, created
