"""Rotating backups: when they are written, what they look like, how they are pruned and checked."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.operations.workspace_ops import open_workspace
from app.storage import backups, messages, scenario_store
from app.storage.errors import WorkspaceError
from app.storage.migrations import SCHEMA_VERSION
from app.storage.policy import StoragePolicy
from tests.storage.helpers import checkpoint, damage_pages

EVERY_OPEN = StoragePolicy(backup_interval_s=0)
NEVER = StoragePolicy(backup_interval_s=float("inf"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_routine_backup_is_written_on_open_at_most_once_per_interval(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        assert ws.backup_written is None  # nothing to back up in a brand-new workspace
        scenario_store.insert(ws.db, {"name": "Plan", "schema_version": 1})
    with open_workspace(path) as ws:
        first = ws.backup_written
    assert first is not None
    with open_workspace(path) as ws:
        assert ws.backup_written is None  # the daily one is fresh
    with open_workspace(path, policy=NEVER) as ws:
        assert ws.backup_written is None
    with open_workspace(path, policy=EVERY_OPEN) as ws:
        assert ws.backup_written is not None
    assert [b.reason for b in backups.list_backups(path)] == ["daily", "daily"]
    conn = backups.open_backup(first)
    assert conn.execute("SELECT count(*) FROM scenarios WHERE name='Plan'").fetchone()[0] == 1
    conn.close()


def test_backup_files_are_private_single_files(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        target = backups.write_backup(path, "manual", source=ws.db.conn)
    assert _mode(target.parent) == 0o700
    assert _mode(target) == 0o600
    assert target.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: no -wal needed
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_backup_due_follows_the_newest_routine_backup(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path):
        pass
    assert backups.backup_due(path, 3600)
    taken = backups.write_backup(path, backups.ROUTINE_REASON)
    info = backups.list_backups(path)[0]
    assert info.path == taken
    assert not backups.backup_due(path, 3600)
    assert backups.backup_due(path, 3600, now=info.taken_at + timedelta(hours=1))
    assert not backups.backup_due(path, float("inf"), now=datetime.now(UTC) + timedelta(days=99))
    assert info.label.endswith("UTC (daily)")


def test_rotation_keeps_the_newest_of_each_reason(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path):
        pass
    migration = backups.write_backup(path, "before-migration-v1", keep=3)
    written = [backups.write_backup(path, "manual", keep=3) for _ in range(5)]
    left = backups.list_backups(path)
    assert [b.path for b in left if b.reason == "manual"] == written[::-1][:3]
    assert migration in [b.path for b in left]
    with pytest.raises(ValueError):
        backups.write_backup(path, "../escape")


def test_leftovers_of_a_crashed_backup_are_removed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path, policy=EVERY_OPEN):
        pass
    folder = backups.backup_dir(path)
    folder.mkdir(exist_ok=True)
    stale = [folder / ".20260101T000000000000Z-daily.sqlite.x1.partial",
             folder / ".20260101T000000000000Z-daily.sqlite.x1.partial-wal",
             tmp_path / f".{path.name}.x2.partial"]
    for leftover in stale:
        leftover.write_bytes(b"half")
    unrelated = tmp_path / ".other.partial"
    unrelated.write_bytes(b"not ours")
    with open_workspace(path, policy=NEVER):
        pass
    assert not any(p.exists() for p in stale)
    assert unrelated.exists()


def test_check_backup_rejects_what_cannot_be_restored(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path):
        pass
    good = backups.write_backup(path, "manual")
    assert backups.check_backup(good, SCHEMA_VERSION).scenarios >= 0

    def rejected(candidate: Path, detail: str) -> None:
        with pytest.raises(WorkspaceError) as caught:
            backups.check_backup(candidate, SCHEMA_VERSION)
        assert str(caught.value) == messages.BACKUP_INVALID.format(path=candidate, detail=detail)

    rejected(tmp_path / "missing.sqlite", "no such file")
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database")
    rejected(text, "not an SQLite file")
    foreign = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    rejected(foreign, "not an Enclave workspace")
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    rejected(newer, f"workspace version {SCHEMA_VERSION + 1}; this Enclave reads 1 to "
                    f"{SCHEMA_VERSION}")
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(good.read_bytes())
    checkpoint(damaged)
    damage_pages(damaged, range(3, 8))
    with pytest.raises(WorkspaceError, match="is not a usable backup"):
        backups.check_backup(damaged, SCHEMA_VERSION)
