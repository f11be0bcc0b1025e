"""Looking after a workspace: backups, restore, integrity checks, salvage, copies, audit log.

Qt-free operations for the GUI and the command line. Each returns a frozen result saying what
it did and what changed; failures the user can act on raise `UserError` subclasses whose
messages come from `app.storage.messages`.

- `list_backups` / `back_up_now`: the rotating backups in `<workspace>.backups/`.
- `restore_backup`: replace an open workspace's content with a backup, atomically, after a
  safety backup of the current content; the backup is validated first.
- `replace_with_backup`: the same for a workspace too damaged to open (swaps the file).
- `check_integrity`: a full `integrity_check` and `foreign_key_check`, on demand.
- `salvage_workspace`: copy what is readable from a damaged file into a new workspace.
- `save_copy_as`: a consistent copy of the workspace in a new file (works read-only too).
- `read_audit_log`: the audit log filtered by entity, action and time, for the GUI;
  `audit_log_choices` lists the entities and action groups to filter by.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.catalog.loader import shipped_fingerprint, shipped_packs
from app.operations.workspace_ops import SEEDED_MARKER
from app.storage import audit, backups, catalog_store, messages, meta
from app.storage.audit import AuditEntry
from app.storage.backups import BackupCheck, BackupInfo
from app.storage.database import (
    UNREADABLE,
    DamagedWorkspaceError,
    WorkspaceDatabase,
    WorkspaceError,
    migrate,
    open_database,
    read_only_connection,
)
from app.storage.files import USER_ONLY_FILE_MODE, atomic_target, fsync_dir, make_private_dir
from app.storage.locking import LockHeld, WriterLock
from app.storage.migrations import SCHEMA_VERSION
from app.storage.salvage import TableSalvage, salvage_into
from app.storage.workspace import Workspace


@dataclass(frozen=True)
class Counts:
    """How much a workspace holds (to show what a restore changed)."""

    scenarios: int
    catalog_entries: int
    audit_rows: int


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup used, the safety copy of what it replaced, the change."""

    workspace: Path
    restored_from: Path
    safety_backup: Path
    backup_schema_version: int
    migrations_applied: tuple[str, ...]
    before: Counts | None
    after: Counts


@dataclass(frozen=True)
class IntegrityReport:
    """A full check: `ok` when both SQLite checks found nothing."""

    workspace: Path
    ok: bool
    problems: tuple[str, ...]
    foreign_key_problems: tuple[str, ...]
    elapsed_s: float


@dataclass(frozen=True)
class SalvageReport:
    """What a salvage copied, per table, and where the new workspace is."""

    source: Path
    target: Path
    tables: tuple[TableSalvage, ...]
    catalog_reseeded: bool

    @property
    def complete(self) -> bool:
        return all(t.complete for t in self.tables)

    def summary(self) -> str:
        parts = []
        for t in self.tables:
            text = f"{t.table}: {t.rows_copied} rows"
            if t.error:
                text += f" (skipped: {t.error})"
            elif t.skipped_rowid_ranges or t.rows_rejected:
                text += (f" ({len(t.skipped_rowid_ranges)} unreadable ranges, "
                         f"{t.rows_rejected} rejected)")
            parts.append(text)
        if self.catalog_reseeded:
            parts.append("catalog re-seeded from the shipped packs")
        return "; ".join(parts)


_COUNTS = ("SELECT (SELECT count(*) FROM scenarios), (SELECT count(*) FROM catalog), "
           "(SELECT count(*) FROM audit_log)")


def counts(db: WorkspaceDatabase | sqlite3.Connection) -> Counts:
    """Scenarios, catalog entries and audit rows in an open workspace (or a bare connection)."""
    row = db.execute(_COUNTS).fetchone()
    return Counts(int(row[0]), int(row[1]), int(row[2]))


def list_backups(path: Path) -> list[BackupInfo]:
    """The workspace's backups, newest first (works whether or not it can be opened)."""
    return backups.list_backups(Path(path))


def back_up_now(ws: Workspace, reason: str = "manual") -> BackupInfo:
    """Write a backup of the open workspace now; returns it."""
    target = backups.write_backup(ws.path, reason=reason, source=ws.db.conn,
                                  keep=ws.policy.backups_kept_per_reason)
    return next(b for b in backups.list_backups(ws.path) if b.path == target)


def _stage_backup(backup: Path, folder: Path,
                  workspace: Path) -> tuple[Path, tuple[str, ...]]:
    """Copy a backup to a private staging file, migrate it, and audit the restore there."""
    staging = folder / f".restore-{os.getpid()}-{time.monotonic_ns()}.partial"
    source = backups.open_backup(backup)
    try:
        backups.copy_database(source, staging)
    finally:
        source.close()
    db = WorkspaceDatabase(sqlite3.connect(str(staging), isolation_level=None), staging)
    try:
        applied = tuple(migrate(db))
        with db.atomic():
            audit.record(db, "workspace.restored", "workspace", str(workspace),
                         backup=backup.name, migrations=list(applied))
    except BaseException:
        db.close()
        staging.unlink(missing_ok=True)
        raise
    db.close()
    return staging, applied


@contextlib.contextmanager
def _restore_errors(path: Path) -> Iterator[None]:
    """Report file-system and SQLite failures of a restore as the user's error."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise WorkspaceError(messages.RESTORE_FAILED.format(path=path, detail=exc)) from None


def restore_backup(ws: Workspace, backup: Path) -> RestoreResult:
    """Replace the open workspace's content with `backup`, atomically.

    Order: validate the backup fully; write a `before-restore` backup of the current content;
    prepare the backup in a staging file (upgraded to the current version, with the audit row
    of the restore); then copy it over the workspace with SQLite's backup API in ONE write
    transaction, so other readers (and a crash) see either the old content or the new. Any
    failure leaves the workspace as it was.
    """
    ws.db.require_writable()
    backup = Path(backup)
    check: BackupCheck = backups.check_backup(backup, SCHEMA_VERSION)
    before = counts(ws.db)
    keep = ws.policy.backups_kept_per_reason
    with _restore_errors(ws.path):
        safety = backups.write_backup(ws.path, reason="before-restore", source=ws.db.conn,
                                      keep=keep)
        folder = make_private_dir(backups.backup_dir(ws.path))
        staging, applied = _stage_backup(backup, folder, ws.path)
        try:
            source = backups.open_backup(staging)
            try:
                source.backup(ws.db.conn)
            except sqlite3.Error as exc:
                explained = ws.db.explain(exc)
                if explained is exc:
                    raise
                raise explained from None
            finally:
                source.close()
        finally:
            staging.unlink(missing_ok=True)
    ws.catalog_changed()
    return RestoreResult(ws.path, backup, safety, check.schema_version, applied, before,
                         counts(ws.db))


def replace_with_backup(path: Path, backup: Path) -> RestoreResult:
    """Restore a workspace that cannot be opened (damaged) by swapping in `backup`.

    The damaged file (and its `-wal`) is kept in the backups folder as
    `<stamp>-damaged-original.damaged`; the backup, staged there and upgraded, is renamed over
    the workspace. Refused while another Enclave process has the workspace open.
    """
    path, backup = Path(path), Path(backup)
    check = backups.check_backup(backup, SCHEMA_VERSION)
    lock = _writer_lock(path, messages.RESTORE_FAILED)
    try:
        with _restore_errors(path):
            folder = make_private_dir(backups.backup_dir(path))
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            kept = folder / f"{stamp}-damaged-original.damaged"
            wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
            for original, copy in ((path, kept), (wal, kept.with_name(kept.name + "-wal"))):
                if original.exists():
                    shutil.copyfile(original, copy)
                    os.chmod(copy, USER_ONLY_FILE_MODE)
            staging, applied = _stage_backup(backup, folder, path)
            try:
                # An old -wal beside the new file would be replayed into it: remove it first
                # (the damaged original and its -wal were kept above).
                wal.unlink(missing_ok=True)
                shm.unlink(missing_ok=True)
                os.replace(staging, path)
                fsync_dir(path.parent)
            finally:
                staging.unlink(missing_ok=True)
            conn = backups.open_backup(path)
            try:
                after = counts(conn)
            finally:
                conn.close()
    finally:
        lock.release()
    return RestoreResult(path, backup, kept, check.schema_version, applied, None, after)


def _writer_lock(path: Path, failed: str) -> WriterLock:
    """Take `path`'s writer lock before replacing the file: refused while another Enclave
    process has it open; a lock that cannot be taken is reported with `failed`."""
    lock = WriterLock(path)
    try:
        lock.acquire()
    except LockHeld:
        raise WorkspaceError(messages.REPLACE_OPEN_ELSEWHERE.format(path=path)) from None
    except OSError as exc:
        raise WorkspaceError(failed.format(path=path, detail=exc.strerror or exc)) from None
    return lock


def check_integrity(ws: Workspace, max_problems: int = 100) -> IntegrityReport:
    """Run SQLite's full `integrity_check` and `foreign_key_check` (slower than the quick
    check made on every open: it reads every page and index)."""
    started = time.perf_counter()
    try:
        rows = ws.db.execute(f"PRAGMA integrity_check({int(max_problems)})").fetchall()
        problems = tuple(str(r[0]) for r in rows if r[0] != "ok")
        fk_rows = ws.db.execute("PRAGMA foreign_key_check").fetchall()
        foreign = tuple(f"{r[0]} row {r[1]} refers to a missing {r[2]}" for r in fk_rows)
        if ws.read_only:  # SQLite skips CHECK constraints on a read-only connection
            problems += tuple(_invalid_json(ws.db))
    except (*UNREADABLE, DamagedWorkspaceError) as exc:
        problems, foreign = (str(exc),), ()
    return IntegrityReport(ws.path, not problems and not foreign, problems, foreign,
                           time.perf_counter() - started)


JSON_COLUMNS = (("catalog", "data"), ("catalog", "shipped_data"), ("scenarios", "data"),
                ("results_cache", "result"), ("efficiency_factors", "data"),
                ("audit_log", "detail"))


def _invalid_json(db: WorkspaceDatabase) -> list[str]:
    """The CHECK (json_valid(...)) constraints, verified by hand."""
    found = []
    for table, column in JSON_COLUMNS:
        bad = db.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NOT NULL '
                         f'AND NOT json_valid("{column}")').fetchone()[0]
        if bad:
            found.append(f"CHECK constraint failed in {table}: {bad} rows of invalid {column}")
    return found


def default_salvage_path(damaged: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    stem = damaged.name.split(".")[0] or "workspace"
    return damaged.with_name(f"{stem}-salvaged-{stamp}.enclave.sqlite")


def salvage_workspace(damaged: Path, target: Path | None = None) -> SalvageReport:
    """Copy every readable row of a damaged workspace into a new workspace file.

    The damaged file is only read. The new workspace is built in a temporary file and renamed
    into place when complete. If no catalog entry could be read, the shipped catalog is seeded
    so the new workspace is usable; scenarios, calibration and the audit log are never invented.
    """
    damaged = Path(damaged)
    target = Path(target) if target else default_salvage_path(damaged)
    if target.exists():
        raise WorkspaceError(messages.COPY_EXISTS.format(path=target))
    try:
        if damaged.with_name(damaged.name + "-wal").exists():  # committed changes live there
            source, temporary = read_only_connection(damaged)
        else:  # read as immutable: nothing (not even -shm) is written beside the damaged file
            source, temporary = backups.open_backup(damaged), None
    except (sqlite3.Error, OSError) as exc:
        raise WorkspaceError(messages.SALVAGE_UNREADABLE.format(path=damaged,
                                                                detail=exc)) from None
    try:
        try:
            source.execute("SELECT name FROM sqlite_master").fetchall()
        except UNREADABLE as exc:
            raise WorkspaceError(messages.SALVAGE_UNREADABLE.format(path=damaged,
                                                                    detail=exc)) from None
        with atomic_target(target) as temp:
            opened = open_database(temp)
            try:
                reports = salvage_into(source, opened.db)
                db = opened.db
                reseeded = False
                if counts(db).catalog_entries == 0:
                    with db.atomic():
                        catalog_store.seed(db, shipped_packs(), shipped_fingerprint())
                    reseeded = True
                with db.atomic():
                    entries = counts(db).catalog_entries
                    meta.write(db, SEEDED_MARKER, str(entries))
                    audit.record(db, "workspace.salvaged", "workspace", str(target),
                                 source=str(damaged), catalog_reseeded=reseeded,
                                 tables={t.table: t.rows_copied for t in reports})
                # One self-contained file before the rename: no -wal may be left behind.
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.execute("PRAGMA journal_mode = DELETE")
            finally:
                opened.close()
                WriterLock(temp).path.unlink(missing_ok=True)
    finally:
        source.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return SalvageReport(damaged, target, tuple(reports), reseeded)


def save_copy_as(ws: Workspace, target: Path, overwrite: bool = False) -> Path:
    """Write a consistent copy of the workspace to `target` (user-only permissions).

    Works on a read-only workspace too; that is how a read-only one is edited. Refuses to
    overwrite the workspace itself, an existing file unless `overwrite`, or a workspace open in
    another Enclave process.
    """
    target = Path(target)
    if target.resolve() == ws.path.resolve():
        raise WorkspaceError(messages.COPY_IS_WORKSPACE.format(path=target))
    if target.exists() and not overwrite:
        raise WorkspaceError(messages.COPY_EXISTS.format(path=target))
    lock = _writer_lock(target, messages.COPY_FAILED) if target.exists() else None
    try:
        for suffix in ("-wal", "-shm"):  # never pair the copy with another file's journal
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        backups.copy_database(ws.db.conn, target)
    except (OSError, sqlite3.Error) as exc:
        raise WorkspaceError(messages.COPY_FAILED.format(path=target, detail=exc)) from None
    finally:
        if lock is not None:
            lock.release()
    return target


def read_audit_log(ws: Workspace, *, entity: str | None = None, entity_id: str | None = None,
                   action_prefix: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 500) -> list[AuditEntry]:
    """Audit rows, newest first, filtered by entity (`scenario`, a catalog kind, `workspace`),
    id, action prefix (`scenario.`, `catalog.`) and time (`since` inclusive, `until`
    exclusive; UTC)."""
    return audit.query(ws.db, entity=entity, entity_id=entity_id, action_prefix=action_prefix,
                       since=since, until=until, limit=limit)


def audit_log_choices(ws: Workspace) -> tuple[list[str], list[str]]:
    """(entities, action groups) present in the audit log, for the viewer's filters; an action
    group `scenario` filters with `action_prefix="scenario."`."""
    return audit.filter_choices(ws.db)
