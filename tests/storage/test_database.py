"""Opening workspace files: creation, reopening, refusal of foreign, damaged and newer files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.operations.workspace_ops import open_workspace
from app.storage import backups
from app.storage.database import APPLICATION_ID, WorkspaceError, open_database
from app.storage.migrations import SCHEMA_VERSION


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_workspace_is_created_seeded_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        assert ws.created
        assert ws.db.journal_mode == "wal"
        assert ws.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert ws.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert ws.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert len(ws.catalog.models) >= 15
        assert ws.catalog.version
        seeded = ws.db.execute("SELECT count(*) FROM catalog").fetchone()[0]
    with open_workspace(path) as again:
        assert not again.created
        assert again.db.execute("SELECT count(*) FROM catalog").fetchone()[0] == seeded


def test_default_workspace_lives_in_user_data_dir(_private_home: Path) -> None:
    with open_workspace() as ws:
        assert ws.path.parent == _private_home
        assert ws.path.exists()


def test_newer_workspace_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    with open_workspace(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = _digest(path)
    with pytest.raises(WorkspaceError, match="newer Enclave"):
        open_database(path)
    assert _digest(path) == before


def test_non_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database")
    with pytest.raises(WorkspaceError, match="not an SQLite file"):
        open_database(path)
    assert path.read_text() == "these are my notes, not a database"


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(WorkspaceError, match="another program"):
        open_database(path)
    assert _digest(path) == before


def test_damaged_file_is_refused_with_backup_hint(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        ws.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 6)):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match="backup"):
        open_database(path)


def test_backup_copies_a_consistent_workspace(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        count = ws.db.execute("SELECT count(*) FROM catalog").fetchone()[0]
        copy = backups.write_backup(path, reason="test")
    assert copy in backups.list_backups(path)
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT count(*) FROM catalog").fetchone()[0] == count
    conn.close()
    assert copy.stat().st_mode & 0o077 == 0
