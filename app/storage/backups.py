"""Backup copies of a workspace, written with SQLite's online backup API.

Backups live in `<workspace>.backups/` beside the file (a user-only folder), one file each
(`0600`), named `<UTC timestamp>-<reason>.sqlite`. A backup is written:
- on open, at most once per `StoragePolicy.backup_interval_s` (reason `daily`);
- always before a migration (`before-migration-v<N>`) and before a restore (`before-restore`);
- whenever the user asks (`manual`).
Each is copied into a temporary file and renamed into place, so a crash never leaves a half
backup that looks whole. After a new one, only the newest `keep` of its reason are kept.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.storage import messages
from app.storage.errors import WorkspaceError
from app.storage.fileformat import APPLICATION_ID, SQLITE_MAGIC
from app.storage.files import PARTIAL_SUFFIX, PROBE_SUFFIX, atomic_target, make_private_dir

DEFAULT_KEEP = 10
ROUTINE_REASON = "daily"
BACKUP_SUFFIX = ".sqlite"
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{12}Z)-(?P<reason>[a-z0-9][a-z0-9-]*)\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was taken (UTC), why, and its size."""

    path: Path
    taken_at: datetime
    reason: str
    size_bytes: int

    @property
    def label(self) -> str:
        """`2026-05-04 09:12 UTC (daily)`, for lists and messages."""
        return f"{self.taken_at:%Y-%m-%d %H:%M} UTC ({self.reason})"


@dataclass(frozen=True)
class BackupCheck:
    """What validating a backup found: its schema version and catalog and scenario counts."""

    path: Path
    schema_version: int
    scenarios: int
    catalog_entries: int


def backup_dir(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".backups")


def list_backups(workspace: Path) -> list[BackupInfo]:
    """Backups of this workspace, newest first; files not named like a backup are ignored."""
    folder = backup_dir(workspace)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{BACKUP_SUFFIX}"):
        match = _NAME.match(path.name)
        if not match:
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        taken = datetime.strptime(match["stamp"], _STAMP_FORMAT).replace(tzinfo=UTC)
        found.append(BackupInfo(path, taken, match["reason"], size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def backup_due(workspace: Path, interval_s: float, now: datetime | None = None) -> bool:
    """True when no routine backup is younger than `interval_s`."""
    if interval_s == float("inf"):
        return False
    moment = now or datetime.now(UTC)
    for info in list_backups(workspace):
        if info.reason == ROUTINE_REASON:
            return (moment - info.taken_at).total_seconds() >= interval_s
    return True


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Copy an open database consistently into `target` (replaced atomically, `0600`).

    The copy is a single self-contained file (rollback journal, no `-wal`).
    """
    with atomic_target(target) as temp:
        dest = sqlite3.connect(str(temp), isolation_level=None)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()


def write_backup(workspace: Path, reason: str = "manual", keep: int = DEFAULT_KEEP,
                 source: sqlite3.Connection | None = None) -> Path:
    """Back up `workspace` (through `source` if given, else a read-only connection).

    Consistent even while another connection writes: the backup reads one snapshot.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", reason):
        raise ValueError(f"backup reason must be a lowercase slug, got {reason!r}")
    folder = make_private_dir(backup_dir(workspace))
    stamp = datetime.now(UTC).strftime(_STAMP_FORMAT)
    target = folder / f"{stamp}-{reason}{BACKUP_SUFFIX}"
    own = source is None
    conn = source or sqlite3.connect(f"{workspace.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy_database(conn, target)
    finally:
        if own:
            conn.close()
    prune(workspace, reason, keep)
    return target


def prune(workspace: Path, reason: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of `reason`; returns what was deleted."""
    same = [b for b in list_backups(workspace) if b.reason == reason]
    removed = []
    for old in same[max(keep, 1):]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def remove_partials(workspace: Path) -> int:
    """Delete temporary files a crash left while writing a backup, replacing the workspace or
    probing its folder.

    Call only while holding the workspace's writer lock (nothing else is writing them then).
    """
    removed = 0
    patterns = [(backup_dir(workspace), f".*{PARTIAL_SUFFIX}*"),
                (workspace.parent, f".{workspace.name}.*{PARTIAL_SUFFIX}*"),
                (workspace.parent, f".{workspace.name}.*{PROBE_SUFFIX}")]
    for folder, pattern in patterns:
        if not folder.is_dir():
            continue
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def open_backup(path: Path) -> sqlite3.Connection:
    """A read-only connection to a backup file that writes nothing beside it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def check_backup(path: Path, supported_version: int) -> BackupCheck:
    """Validate a backup fully (integrity_check, application id, version) before using it."""
    def invalid(detail: str) -> WorkspaceError:
        return WorkspaceError(messages.BACKUP_INVALID.format(path=path, detail=detail))

    if not path.is_file():
        raise invalid("no such file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise invalid(exc.strerror or str(exc)) from None
    if head != SQLITE_MAGIC:
        raise invalid("not an SQLite file")
    conn = open_backup(path)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise invalid("not an Enclave workspace")
        if not 0 < version <= supported_version:
            raise invalid(f"workspace version {version}; this Enclave reads 1 to "
                          f"{supported_version}")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        if problems != ["ok"]:
            raise invalid(f"failed its integrity check: {problems[0]}")
        scenarios = conn.execute("SELECT count(*) FROM scenarios").fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM catalog").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise invalid(str(exc)) from None
    finally:
        conn.close()
    return BackupCheck(path, int(version), int(scenarios), int(entries))
