"""Workspace files saved by every earlier release open, migrate (after a backup) and keep their data.

The fixtures in tests/fixtures/workspaces/ are real files written by `make_fixture.py` of each
release (see its README). Each test works on a COPY; the fixtures are never modified.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from app.catalog.loader import shipped_packs
from app.operations.workspace_ops import open_workspace
from app.storage import backups, database, messages
from app.storage.errors import WorkspaceError
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION, m001_initial
from app.storage.policy import StoragePolicy
from tests.fixtures.make_fixture import expected as describe
from tests.storage.helpers import digest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces"
ALL_FIXTURES = sorted(FIXTURES.glob("*.enclave.sqlite"))
NEVER = StoragePolicy(backup_interval_s=float("inf"))


def _version(path: Path) -> int:
    conn = backups.open_backup(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _copy(fixture: Path, folder: Path) -> Path:
    target = folder / fixture.name
    shutil.copyfile(fixture, target)
    return target


def test_there_is_a_fixture_for_the_current_schema_version() -> None:
    """The rule: every release that ships a schema version commits a file saved by it."""
    versions = {_version(p) for p in ALL_FIXTURES}
    assert SCHEMA_VERSION in versions, "run tests/fixtures/make_fixture.py and commit its output"
    for fixture in ALL_FIXTURES:
        assert fixture.with_name(fixture.name.replace(".enclave.sqlite",
                                                      ".expected.json")).exists()


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.name)
def test_every_old_workspace_opens_migrates_and_keeps_its_data(fixture: Path,
                                                               tmp_path: Path) -> None:
    want = json.loads(fixture.with_name(
        fixture.name.replace(".enclave.sqlite", ".expected.json")).read_text())
    before = digest(fixture)
    path = _copy(fixture, tmp_path)
    old_version = _version(path)
    assert old_version == want["schema_version"]
    with open_workspace(path, policy=NEVER) as ws:
        assert not ws.read_only
        assert ws.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert ws.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert not MIGRATIONS.pending(ws.db)
        if old_version < SCHEMA_VERSION:
            assert ws.backup_written is not None
            assert ws.backup_written.name.endswith(f"-before-migration-v{old_version}.sqlite")
            assert _version(ws.backup_written) == old_version
        else:
            assert ws.backup_written is None
    got = describe(path)
    assert got["scenarios"] == want["scenarios"]
    # the user's entries are not re-seeded over; the shipped ones take this release's catalog,
    # which may hold entries the old release did not (added, as nothing was deleted)
    for key, count in want["catalog_counts"].items():
        if key.endswith("/shipped"):
            assert got["catalog_counts"][key] >= count, key
        else:
            assert got["catalog_counts"][key] == count, key
    shipped = shipped_packs()
    for kind, pack in shipped.items():
        held = sum(n for k, n in got["catalog_counts"].items() if k.startswith(f"{kind}/"))
        imported = got["catalog_counts"].get(f"{kind}/imported", 0)
        assert held - imported == len(pack.entries), kind
    assert got["catalog_local"] == want["catalog_local"]
    for table, count in want["row_counts"].items():
        assert got["row_counts"][table] >= count, table
    assert digest(fixture) == before


def _with_extra_migration(monkeypatch: pytest.MonkeyPatch, fail: bool) -> None:
    """Pretend the next release adds m002 (a new column), optionally failing half-way."""
    future = Migrations("enclave")
    future(name="m001_initial")(m001_initial)

    @future(name="m002_test_column")
    def m002(db: Database) -> None:
        db.execute("ALTER TABLE scenarios ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")
        if fail:
            raise sqlite3.OperationalError("simulated failure in m002")

    monkeypatch.setattr(database, "MIGRATIONS", future)
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)


def test_a_migration_is_preceded_by_a_backup_of_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy(ALL_FIXTURES[-1], tmp_path)
    want = describe(path)
    _with_extra_migration(monkeypatch, fail=False)
    with open_workspace(path, policy=NEVER) as ws:
        assert ws.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert "pinned" in ws.db["scenarios"].columns_dict
        backup = ws.backup_written
    assert backup is not None
    assert backup.name.endswith(f"-before-migration-v{SCHEMA_VERSION}.sqlite")
    assert _version(backup) == SCHEMA_VERSION
    assert describe(backup)["scenarios"] == want["scenarios"]
    assert describe(path)["scenarios"] == want["scenarios"]


def test_a_failing_migration_leaves_the_file_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy(ALL_FIXTURES[-1], tmp_path)
    want = describe(path)
    _with_extra_migration(monkeypatch, fail=True)
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(path, policy=NEVER)
    assert str(caught.value) == messages.UPGRADE_FAILED.format(
        path=path, detail="simulated failure in m002")
    assert _version(path) == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(scenarios)")]
    conn.close()
    assert "pinned" not in columns
    assert describe(path) == want
    assert [b.reason for b in backups.list_backups(path)] == [
        f"before-migration-v{SCHEMA_VERSION}"]


def test_an_old_read_only_workspace_is_refused_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy(ALL_FIXTURES[-1], tmp_path)
    _with_extra_migration(monkeypatch, fail=False)
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(path, read_only=True)
    assert str(caught.value) == messages.OLDER_READ_ONLY.format(
        path=path, found=SCHEMA_VERSION, reason=messages.REASON_REQUESTED)
