"""Open a workspace file: checks, read-only fallbacks, the writer lock, backups, migrations.

A workspace is one SQLite file. Opening one:
1. reads it read-only first: a file that is not SQLite, not an Enclave workspace, or saved by a
   newer Enclave is refused with a clear message and never touched;
2. decides whether it can be edited: a read-only file or folder, or a workspace another Enclave
   process holds the writer lock on (`locking.py`), opens READ-ONLY with a notice;
3. runs `quick_check` on every open, before anything is written (on the read-write connection
   when it can, because only there does SQLite also verify CHECK constraints such as
   `json_valid`); a damaged file is refused with its recovery options (restore a backup, open
   it read-only, salvage) unless the caller asked for read-only;
4. writes a backup before any pending migration (always) or a routine one (at most once per
   `StoragePolicy.backup_interval_s`);
5. applies pending migrations, the application id and `user_version` in ONE transaction, so an
   upgrade (or the creation of a new file) is all-or-nothing;
6. keeps WAL journaling, `synchronous=FULL` and foreign keys on for every connection.

Every write goes through `WorkspaceDatabase`: its `atomic()` starts `BEGIN IMMEDIATE` (so a
second writer waits for the busy timeout instead of failing half-way), refuses writes on a
read-only workspace with `ReadOnlyWorkspaceError`, and turns SQLite's busy and corrupt errors
into messages for the user.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from app.storage import backups, messages
from app.storage.errors import (
    DamagedWorkspaceError,
    ReadOnlyWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
)
from app.storage.fileformat import APPLICATION_ID, SQLITE_MAGIC
from app.storage.files import PROBE_SUFFIX, USER_ONLY_DIR_MODE, USER_ONLY_FILE_MODE
from app.storage.locking import LockHeld, WriterLock
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from app.storage.policy import DEFAULT_POLICY, StoragePolicy

__all__ = [
    "APPLICATION_ID", "DamagedWorkspaceError", "OpenedDatabase", "ReadOnlyWorkspaceError",
    "WorkspaceBusyError", "WorkspaceDatabase", "WorkspaceError", "damaged_error", "migrate",
    "UNREADABLE", "open_database", "read_only_connection",
]

_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_NO_ACCESS = {errno.EACCES, errno.EPERM, errno.EROFS}
# What reading a damaged file can raise: SQLite's errors, and Python's when SQLite hands it text
# (a row, or an error message quoting the schema) that is not valid UTF-8.
UNREADABLE = (sqlite3.Error, UnicodeDecodeError)


def _code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code for an exception (0 when unknown)."""
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def damaged_error(path: Path, detail: str) -> DamagedWorkspaceError:
    """The message for a damaged workspace, listing its backups as a way out."""
    found = backups.list_backups(path)
    folder = backups.backup_dir(path)
    listing = (messages.DAMAGED_BACKUPS.format(count=len(found), folder=folder,
                                               newest=found[0].label)
               if found else messages.DAMAGED_NO_BACKUPS.format(folder=folder))
    options = messages.DAMAGED_OPTIONS.format(backups=listing)
    return DamagedWorkspaceError(
        messages.DAMAGED.format(path=path, detail=detail, options=options), tuple(found))


def _unexplained(exc: Exception) -> Exception:
    return exc


def _undecodable(exc: BaseException) -> bool:
    """Text that is not UTF-8: damage inside a row or the schema (SQLite has no checksums)."""
    return isinstance(exc, UnicodeDecodeError) or (
        isinstance(exc, sqlite3.OperationalError)
        and str(exc).startswith("Could not decode to UTF-8"))


class _ExplainingCursor(sqlite3.Cursor):
    """A cursor whose fetches raise the workspace's explained errors (damage met mid-read)."""

    explain: Callable[[Exception], Exception] = staticmethod(_unexplained)

    def _explained(self, exc: Exception) -> Exception:
        explained = self.explain(exc)
        return exc if explained is exc else explained

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except UNREADABLE as exc:
            raise self._explained(exc) from None

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except UNREADABLE as exc:
            raise self._explained(exc) from None

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(self.arraysize if size is None else size)
        except UNREADABLE as exc:
            raise self._explained(exc) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except UNREADABLE as exc:
            raise self._explained(exc) from None


class WorkspaceDatabase(Database):
    """A sqlite-utils `Database` that knows whether it may write, and explains failures."""

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only_reason: str = "",
                 busy_timeout_ms: int = DEFAULT_POLICY.busy_timeout_ms) -> None:
        if conn.isolation_level is not None:
            raise ValueError("a workspace connection must be in autocommit mode "
                             "(isolation_level=None); transactions come from atomic()")
        self.path = path
        self.read_only_reason = read_only_reason
        self.busy_timeout_ms = busy_timeout_ms
        super().__init__(conn, execute_plugins=False)

    @property
    def read_only(self) -> bool:
        return bool(self.read_only_reason)

    def require_writable(self) -> None:
        if self.read_only_reason:
            raise ReadOnlyWorkspaceError(
                messages.READ_ONLY_WRITE.format(reason=self.read_only_reason))

    def explain(self, exc: Exception) -> Exception:
        """The user-facing error for an SQLite failure, or `exc` itself when it is a bug."""
        if _undecodable(exc):
            return damaged_error(self.path, messages.DAMAGED_TEXT)
        if not isinstance(exc, sqlite3.Error):
            return exc
        code = _code(exc)
        if code == sqlite3.SQLITE_READONLY and self.read_only_reason:
            return ReadOnlyWorkspaceError(
                messages.READ_ONLY_WRITE.format(reason=self.read_only_reason))
        if code in _BUSY:
            return WorkspaceBusyError(messages.BUSY.format(
                path=self.path, timeout_s=self.busy_timeout_ms / 1000))
        if code in _CORRUPT:
            return damaged_error(self.path, str(exc))
        return exc

    def execute(self, sql: str,
                parameters: Sequence[Any] | dict[str, Any] | None = None) -> sqlite3.Cursor:
        """Run one statement; failures (also while fetching rows) come back explained.

        The connection is in autocommit mode (`isolation_level=None`), so a statement never
        opens an implicit transaction: the bookkeeping sqlite-utils does for that is not needed.
        """
        if self._tracer:
            self._tracer(sql, parameters)
        cursor = self.conn.cursor(_ExplainingCursor)
        cursor.explain = self.explain
        try:
            cursor.execute(sql, () if parameters is None else parameters)
        except UNREADABLE as exc:
            cursor.close()  # an open statement would keep the connection from really closing
            explained = self.explain(exc)
            if explained is exc:
                raise
            raise explained from None
        return cursor

    def _control(self, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.Error as exc:
            explained = self.explain(exc)
            if explained is exc:
                raise
            raise explained from None

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A write transaction (`BEGIN IMMEDIATE`); nested blocks are savepoints.

        Raises `ReadOnlyWorkspaceError` before anything starts on a read-only workspace.
        """
        self.require_writable()
        if self.conn.in_transaction:
            with super().atomic() as inner:
                yield inner
            return
        self._control("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self._control("COMMIT")
        except BaseException:
            self.rollback()
            raise


@dataclass
class OpenedDatabase:
    """What `open_database` opened and how."""

    db: WorkspaceDatabase
    created: bool
    notice: str = ""
    backup: Path | None = None
    lock: WriterLock | None = None
    temporary_copy: Path | None = None

    @property
    def read_only(self) -> bool:
        return self.db.read_only

    def close(self) -> None:
        self.db.close()
        if self.lock is not None:
            self.lock.release()
        if self.temporary_copy is not None:
            shutil.rmtree(self.temporary_copy, ignore_errors=True)


@dataclass(frozen=True)
class FileState:
    """What a read-only look at an existing, non-empty workspace file found."""

    application_id: int
    schema_version: int
    damage: str = ""


def _read_head(path: Path) -> bytes | None:
    """The file's first bytes; None when it does not exist."""
    if path.is_dir():
        raise WorkspaceError(messages.IS_FOLDER.format(path=path))
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkspaceError(messages.CANNOT_READ.format(
            path=path, detail=exc.strerror or exc)) from None


def read_only_connection(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A read-only connection, and the temporary folder it reads from (if it needed one).

    A WAL database needs its `-shm` file even to be read. When its folder is read-only and
    that file does not exist, SQLite cannot open it normally: without a `-wal` file nothing can
    be writing it, so it is read as immutable; with one, the file and its `-wal` are copied to a
    private temporary folder and read there, so no committed change is hidden.
    """
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except UnicodeDecodeError:
            conn.close()
            raise sqlite3.DatabaseError("malformed database schema") from None
        except BaseException:
            conn.close()
            raise
        return conn, None
    except sqlite3.OperationalError as exc:
        if _code(exc) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
            raise
    wal = path.with_name(path.name + "-wal")
    if not wal.exists():
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True,
                               isolation_level=None), None
    temp = Path(tempfile.mkdtemp(prefix="enclave-read-only-"))
    try:
        for suffix in ("", "-wal"):
            copy = temp / (path.name + suffix)
            shutil.copyfile(path.with_name(path.name + suffix), copy)
            os.chmod(copy, USER_ONLY_FILE_MODE)
        conn = sqlite3.connect(f"{(temp / path.name).as_uri()}?mode=ro", uri=True,
                               isolation_level=None)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return conn, temp


def _inspect(conn: sqlite3.Connection, path: Path) -> FileState:
    """Identify the file; raises for foreign and newer files. `damage` is set only when even
    the header cannot be read (the full check is `_quick_check`)."""
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = int(conn.execute("SELECT count(*) FROM sqlite_master "
                                  "WHERE type='table'").fetchone()[0])
    except UNREADABLE as exc:
        if isinstance(exc, sqlite3.Error) and _code(exc) in _BUSY:
            raise
        return FileState(0, 0, damage=messages.DAMAGED_TEXT if _undecodable(exc) else str(exc))
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version == 0 and tables):
        raise WorkspaceError(messages.FOREIGN.format(path=path))
    if version > SCHEMA_VERSION:
        raise WorkspaceError(messages.NEWER.format(path=path, found=version,
                                                   supported=SCHEMA_VERSION))
    return FileState(app_id, version)


def _quick_check(conn: sqlite3.Connection) -> str:
    """`PRAGMA quick_check`: what is wrong, or '' when nothing is.

    On a read-write connection it also verifies CHECK constraints (such as `json_valid` on
    every JSON column); SQLite skips those on a read-only connection, which then checks the
    page structure only.
    """
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except UNREADABLE as exc:
        if isinstance(exc, sqlite3.Error) and _code(exc) in _BUSY:
            raise
        return messages.DAMAGED_TEXT if _undecodable(exc) else str(exc)
    problems = [str(r[0]) for r in rows]
    return "" if problems == ["ok"] else f"failed its integrity check: {problems[0]}"


def _file_read_only_reason(path: Path) -> str:
    """Why this process cannot write the file or create SQLite's journal beside it, or ''."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as exc:
        if exc.errno in _NO_ACCESS:
            return messages.REASON_FILE_READ_ONLY
        raise
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PROBE_SUFFIX,
                                     dir=path.parent)
    except OSError as exc:
        if exc.errno in _NO_ACCESS:
            return messages.REASON_FOLDER_READ_ONLY
        raise
    os.close(fd)
    os.unlink(probe)
    return ""


def _take_lock(path: Path) -> tuple[WriterLock | None, str]:
    lock = WriterLock(path)
    try:
        lock.acquire()
    except LockHeld as held:
        holder = f" ({held.holder})" if held.holder else ""
        return None, messages.REASON_OPEN_ELSEWHERE.format(holder=holder)
    except OSError as exc:
        if exc.errno in _NO_ACCESS:
            return None, messages.REASON_FOLDER_READ_ONLY
        raise
    return lock, ""


def _connect_writable(path: Path, policy: StoragePolicy,
                      check: bool = True) -> WorkspaceDatabase:
    conn = sqlite3.connect(str(path), timeout=policy.busy_timeout_ms / 1000,
                           isolation_level=None)
    db = WorkspaceDatabase(conn, path, busy_timeout_ms=policy.busy_timeout_ms)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(policy.busy_timeout_ms)}")
        if check:  # before anything is written, even the journal mode
            damage = _quick_check(conn)
            if damage:
                raise damaged_error(path, damage)
        db.execute("PRAGMA foreign_keys = ON")
        if db.journal_mode != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA fullfsync = ON")  # macOS: flush the drive's cache too; no-op elsewhere
    except BaseException:
        db.close()
        raise
    return db


def migrate(db: WorkspaceDatabase) -> list[str]:
    """Apply pending migrations, the application id and the version in one transaction.

    Returns the names of the migrations applied; writes nothing when there is nothing to do.
    """
    pending = [m.name for m in MIGRATIONS.pending(db)]
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if not pending and app_id == APPLICATION_ID and version == SCHEMA_VERSION:
        return []
    with db.atomic():
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        MIGRATIONS.apply(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return pending


def _create(path: Path, policy: StoragePolicy) -> OpenedDatabase:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=USER_ONLY_DIR_MODE)
        lock, reason = _take_lock(path)
    except OSError as exc:
        raise WorkspaceError(messages.CANNOT_CREATE.format(
            path=path, detail=exc.strerror or exc)) from None
    if lock is None:
        raise WorkspaceError(messages.CANNOT_CREATE.format(path=path, detail=reason))
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, USER_ONLY_FILE_MODE))
        db = _connect_writable(path, policy, check=False)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
    except OSError as exc:
        lock.release()
        raise WorkspaceError(messages.CANNOT_CREATE.format(
            path=path, detail=exc.strerror or exc)) from None
    except sqlite3.Error as exc:
        lock.release()
        raise WorkspaceError(messages.CANNOT_CREATE.format(path=path, detail=exc)) from None
    except BaseException:
        lock.release()
        raise
    return OpenedDatabase(db, created=True, lock=lock)


def open_database(path: Path, *, read_only: bool = False,
                  policy: StoragePolicy = DEFAULT_POLICY) -> OpenedDatabase:
    """Open (creating if absent or empty) a workspace; see the module docstring.

    `read_only=True` opens it for reading only, and is the only way to open a damaged file.
    Raises `WorkspaceError` (or a subclass), leaving the file untouched, when it cannot be used.
    """
    path = Path(path)
    head = _read_head(path)
    if not head:
        if read_only:
            raise WorkspaceError(messages.CANNOT_OPEN.format(
                path=path, detail="there is no workspace in this file yet"))
        return _create(path, policy)
    if head != SQLITE_MAGIC:
        raise WorkspaceError(messages.NOT_SQLITE.format(path=path))

    try:
        conn, temporary_copy = read_only_connection(path)
    except sqlite3.Error as exc:
        if _code(exc) in _BUSY:
            raise WorkspaceBusyError(messages.BUSY.format(
                path=path, timeout_s=policy.busy_timeout_ms / 1000)) from None
        if _code(exc) in _CORRUPT or type(exc) is sqlite3.DatabaseError:
            raise damaged_error(path, str(exc)) from None
        raise WorkspaceError(messages.CANNOT_OPEN.format(path=path, detail=exc)) from None
    except OSError as exc:
        raise WorkspaceError(messages.CANNOT_OPEN.format(
            path=path, detail=exc.strerror or exc)) from None
    lock: WriterLock | None = None
    try:
        try:
            state = _inspect(conn, path)
            if state.damage and not read_only:
                raise damaged_error(path, state.damage)
            reason = messages.REASON_REQUESTED if read_only else _file_read_only_reason(path)
            if not reason:
                lock, reason = _take_lock(path)
            if reason:
                damage = state.damage or _quick_check(conn)
                if damage and not read_only:
                    raise damaged_error(path, damage)
                if damage:
                    reason = messages.REASON_DAMAGED
                return _open_read_only(conn, path, state, reason, temporary_copy)
        except sqlite3.Error as exc:  # only busy errors get here
            raise WorkspaceBusyError(messages.BUSY.format(
                path=path, timeout_s=policy.busy_timeout_ms / 1000)) from exc
        conn.close()
        assert lock is not None
        return _open_writable(path, state, lock, policy)
    except BaseException:
        conn.close()
        if lock is not None:
            lock.release()
        if temporary_copy is not None:
            shutil.rmtree(temporary_copy, ignore_errors=True)
        raise


def _open_read_only(conn: sqlite3.Connection, path: Path, state: FileState, reason: str,
                    temporary_copy: Path | None) -> OpenedDatabase:
    if 0 < state.schema_version < SCHEMA_VERSION:
        raise WorkspaceError(messages.OLDER_READ_ONLY.format(
            path=path, found=state.schema_version, reason=reason))
    conn.execute("PRAGMA query_only = 1")
    db = WorkspaceDatabase(conn, path, read_only_reason=reason)
    notice = messages.NOTICE_READ_ONLY.format(reason=reason)
    if temporary_copy is not None:
        notice += messages.NOTICE_TEMPORARY_COPY
    return OpenedDatabase(db, created=False, notice=notice, temporary_copy=temporary_copy)


def _open_writable(path: Path, state: FileState, lock: WriterLock,
                   policy: StoragePolicy) -> OpenedDatabase:
    backups.remove_partials(path)
    try:
        db = _connect_writable(path, policy)
    except WorkspaceError:
        raise
    except sqlite3.Error as exc:
        if _code(exc) in _BUSY:
            raise WorkspaceBusyError(messages.BUSY.format(
                path=path, timeout_s=policy.busy_timeout_ms / 1000)) from None
        raise WorkspaceError(messages.CANNOT_OPEN.format(path=path, detail=exc)) from None
    try:
        created = state.schema_version == 0
        backup, notice = _backup_on_open(db, path, state, created, policy)
        migrate(db)
    except WorkspaceError:
        db.close()
        raise
    except sqlite3.Error as exc:
        db.close()
        raise WorkspaceError(messages.UPGRADE_FAILED.format(path=path, detail=exc)) from None
    except BaseException:
        db.close()
        raise
    return OpenedDatabase(db, created=created, notice=notice, backup=backup, lock=lock)


def _backup_on_open(db: WorkspaceDatabase, path: Path, state: FileState, created: bool,
                    policy: StoragePolicy) -> tuple[Path | None, str]:
    """The backup due on open (always before a migration); returns it and any notice."""
    keep = policy.backups_kept_per_reason
    if 0 < state.schema_version < SCHEMA_VERSION:
        try:
            return backups.write_backup(path, reason=f"before-migration-v{state.schema_version}",
                                        keep=keep, source=db.conn), ""
        except (OSError, sqlite3.Error) as exc:
            raise WorkspaceError(messages.UPGRADE_BACKUP_FAILED.format(
                path=path, detail=exc)) from None
    if not created and backups.backup_due(path, policy.backup_interval_s):
        try:
            return backups.write_backup(path, reason=backups.ROUTINE_REASON, keep=keep,
                                        source=db.conn), ""
        except (OSError, sqlite3.Error) as exc:  # a missed routine backup must not block work
            return None, messages.ROUTINE_BACKUP_FAILED.format(detail=exc)
    return None, ""
