"""Restore, damage handling, salvage, integrity checks and the audit log, as the GUI calls them."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.operations import workspace_maintenance as maintenance
from app.operations.workspace_ops import SEEDED_MARKER, open_workspace
from app.storage import backups, messages, scenario_store
from app.storage.errors import DamagedWorkspaceError, ReadOnlyWorkspaceError, WorkspaceError
from app.storage.policy import StoragePolicy
from tests.storage.helpers import checkpoint, damage_pages, page_of

NEVER = StoragePolicy(backup_interval_s=float("inf"))


def _names(path: Path) -> set[str]:
    conn = backups.open_backup(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM scenarios")}
    finally:
        conn.close()


def test_restore_brings_back_a_backup_after_a_safety_backup(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path, policy=NEVER) as ws:
        scenario_store.insert(ws.db, {"name": "Before", "schema_version": 1})
        good = maintenance.back_up_now(ws)
        assert good.reason == "manual"
        scenario_store.delete(ws.db, scenario_store.find(ws.db, "Before") or 0)
        scenario_store.insert(ws.db, {"name": "After", "schema_version": 1})
        reader = sqlite3.connect(path)  # another connection sees old or new, never a mixture
        result = maintenance.restore_backup(ws, good.path)
        names = {r.name for r in scenario_store.list_rows(ws.db)}
        assert "Before" in names and "After" not in names
        assert {r[0] for r in reader.execute("SELECT name FROM scenarios")} == names
        reader.close()
        assert result.restored_from == good.path
        assert result.before is not None
        assert result.after.scenarios == result.before.scenarios
        assert result.migrations_applied == ()
        assert "After" in _names(result.safety_backup)
        assert result.safety_backup.name.endswith("-before-restore.sqlite")
        newest = maintenance.read_audit_log(ws, entity="workspace")[0]
        assert (newest.action, newest.detail["backup"]) == ("workspace.restored", good.path.name)
        assert maintenance.check_integrity(ws).ok
        scenario_store.insert(ws.db, {"name": "Edited after the restore", "schema_version": 1})
    with open_workspace(path) as again:
        assert scenario_store.find(again.db, "Edited after the restore") is not None


def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path, policy=NEVER) as ws:
        good = maintenance.back_up_now(ws).path
        bad = tmp_path / "bad.sqlite"
        bad.write_bytes(good.read_bytes())
        checkpoint(bad)
        damage_pages(bad, range(3, 8))
        before = maintenance.counts(ws.db)
        with pytest.raises(WorkspaceError, match="is not a usable backup"):
            maintenance.restore_backup(ws, bad)
        assert maintenance.counts(ws.db) == before
        assert [b.path for b in maintenance.list_backups(path)] == [good]


def test_restore_into_a_read_only_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        good = maintenance.back_up_now(ws).path
    with open_workspace(path, read_only=True) as ws:
        with pytest.raises(ReadOnlyWorkspaceError):
            maintenance.restore_backup(ws, good)


def _damaged_workspace(tmp_path: Path, scenarios: int = 0) -> tuple[Path, Path]:
    """A workspace with a good backup, then damaged; returns (workspace, backup)."""
    path = tmp_path / "ws.enclave.sqlite"
    with open_workspace(path, policy=NEVER) as ws:
        with ws.db.atomic():
            for i in range(scenarios):
                scenario_store.insert(ws.db, {"name": f"plan {i:04d}", "schema_version": 1,
                                              "notes": f"marker-{i:04d}-" + "x" * 300})
        good = maintenance.back_up_now(ws).path
    checkpoint(path)
    return path, good


def test_a_damaged_workspace_is_refused_with_its_recovery_options(tmp_path: Path) -> None:
    path, good = _damaged_workspace(tmp_path)
    damage_pages(path, range(2, 6))
    with pytest.raises(DamagedWorkspaceError) as caught:
        open_workspace(path)
    info = backups.list_backups(path)[0]
    listing = messages.DAMAGED_BACKUPS.format(count=1, folder=backups.backup_dir(path),
                                              newest=info.label)
    assert str(caught.value).endswith(messages.DAMAGED_OPTIONS.format(backups=listing))
    assert [b.path for b in caught.value.backups] == [good]
    with open_workspace(path, read_only=True) as ws:  # "open read-only" where possible
        assert ws.read_only
        assert messages.REASON_DAMAGED in ws.notice
        report = maintenance.check_integrity(ws)
        assert not report.ok and report.problems
    result = maintenance.replace_with_backup(path, good)
    assert result.before is None and result.after.catalog_entries > 0
    assert result.safety_backup.exists()  # the damaged original is kept
    with open_workspace(path) as ws:
        assert not ws.read_only
        assert maintenance.check_integrity(ws).ok


def test_a_damaged_workspace_without_backups_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path):
        pass
    checkpoint(path)
    damage_pages(path, range(2, 6))
    with pytest.raises(DamagedWorkspaceError) as caught:
        open_workspace(path)
    listing = messages.DAMAGED_NO_BACKUPS.format(folder=backups.backup_dir(path))
    assert listing in str(caught.value)


def test_replacing_a_workspace_open_elsewhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        good = maintenance.back_up_now(ws).path
        with pytest.raises(WorkspaceError) as caught:
            maintenance.replace_with_backup(path, good)
    assert str(caught.value) == messages.REPLACE_OPEN_ELSEWHERE.format(path=path)


def test_salvage_copies_every_readable_row_into_a_new_workspace(tmp_path: Path) -> None:
    path, _ = _damaged_workspace(tmp_path, scenarios=400)
    damage_pages(path, [page_of(path, b"marker-0200-")])
    with pytest.raises(DamagedWorkspaceError):
        open_workspace(path)
    before = path.read_bytes()
    report = maintenance.salvage_workspace(path, tmp_path / "salvaged.enclave.sqlite")
    assert path.read_bytes() == before  # the damaged file is only read
    scenarios = next(t for t in report.tables if t.table == "scenarios")
    assert len(scenarios.skipped_rowid_ranges) == 1
    assert 360 < scenarios.rows_copied < 400
    assert not report.catalog_reseeded
    assert "scenarios:" in report.summary()
    with open_workspace(report.target) as ws:
        assert maintenance.check_integrity(ws).ok
        names = {r.name for r in scenario_store.list_rows(ws.db)}
        assert "plan 0200" not in names and {"plan 0000", "plan 0399"} <= names
        kept = scenario_store.get(ws.db, scenario_store.find(ws.db, "plan 0399") or 0)
        assert kept["notes"].startswith("marker-0399-")
        assert ws.meta(SEEDED_MARKER)  # so opening it never re-seeds over salvaged entries
        assert maintenance.read_audit_log(ws, action_prefix="workspace.salvaged")
    assert report.target.stat().st_mode & 0o777 == 0o600
    leftovers = [p.name for p in tmp_path.iterdir() if ".partial" in p.name]
    assert leftovers == []


def test_salvage_reseeds_a_lost_catalog(tmp_path: Path) -> None:
    path, _ = _damaged_workspace(tmp_path, scenarios=5)
    conn = sqlite3.connect(path)
    catalog_root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='catalog'"
                                ).fetchone()[0]
    conn.close()
    damage_pages(path, [catalog_root - 1])  # rootpage counts from 1
    report = maintenance.salvage_workspace(path, tmp_path / "salvaged.sqlite")
    catalog = next(t for t in report.tables if t.table == "catalog")
    assert catalog.rows_copied == 0 and not catalog.complete
    assert report.catalog_reseeded
    with open_workspace(report.target) as ws:
        assert len(ws.catalog.accelerators) > 10
        assert len(scenario_store.list_rows(ws.db)) >= 5


def test_salvage_of_an_unreadable_file_says_so(tmp_path: Path) -> None:
    path, _ = _damaged_workspace(tmp_path)
    damage_pages(path, [0])
    with pytest.raises(WorkspaceError):
        maintenance.salvage_workspace(path, tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()


def test_audit_log_filters_by_entity_action_and_time(tmp_path: Path) -> None:
    with open_workspace(tmp_path / "ws.sqlite", with_demos=False) as ws:
        start = datetime.now(UTC)
        first = scenario_store.insert(ws.db, {"name": "A", "schema_version": 1})
        scenario_store.update(ws.db, first, {"name": "A2", "schema_version": 1})
        scenario_store.insert(ws.db, {"name": "B", "schema_version": 1})
        rows = maintenance.read_audit_log(ws, entity="scenario", entity_id=str(first))
        assert [r.action for r in rows] == ["scenario.edited", "scenario.created"]
        assert rows[0].detail == {"name": "A2"} and rows[0].user
        since = maintenance.read_audit_log(ws, since=start)
        assert len(since) == 3
        before = maintenance.read_audit_log(ws, until=start)
        assert [r.action for r in before] == ["workspace.created"]
        assert maintenance.read_audit_log(ws, since=datetime.now(UTC) + timedelta(seconds=1)) == []
        assert len(maintenance.read_audit_log(ws, action_prefix="scenario.", limit=2)) == 2
        naive = start.replace(tzinfo=None)
        assert len(maintenance.read_audit_log(ws, since=naive, entity="scenario")) == 3
        assert json.dumps(rows[0].detail)


def test_integrity_check_on_demand_finds_invalid_json_even_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path, with_demos=False) as ws:
        scenario_store.insert(ws.db, {"name": "P", "schema_version": 1})
        assert maintenance.check_integrity(ws).ok
        ws.db.execute("PRAGMA ignore_check_constraints = ON")  # as damage would leave it
        ws.db.execute("UPDATE scenarios SET data = '{broken'")
        ws.db.execute("PRAGMA ignore_check_constraints = OFF")
        report = maintenance.check_integrity(ws)
        assert not report.ok and "CHECK constraint failed in scenarios" in report.problems[0]
    with open_workspace(path, read_only=True) as ws:
        report = maintenance.check_integrity(ws)
        assert not report.ok
        assert report.problems == ("CHECK constraint failed in scenarios: 1 rows of invalid data",)
