"""Read-only and locked workspaces: they open read-only with a notice, and refuse every write."""

from __future__ import annotations

import copy
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.operations.workspace_maintenance import save_copy_as
from app.operations.workspace_ops import open_workspace
from app.storage import audit, catalog_store, messages, scenario_store
from app.storage.errors import ReadOnlyWorkspaceError, WorkspaceBusyError, WorkspaceError
from app.storage.policy import StoragePolicy
from app.storage.workspace import Workspace
from tests.storage.helpers import as_other_user, digest, give_to_other_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder outside pytest's private tree, so `as_other_user` can reach it."""
    path = Path(tempfile.mkdtemp(prefix="enclave-ro-test-"))
    os.chmod(path, 0o755)
    yield path
    os.chmod(path, 0o755)
    shutil.rmtree(path, ignore_errors=True)


def _make_workspace(folder: Path) -> Path:
    path = folder / "ws.enclave.sqlite"
    with open_workspace(path) as ws:
        scenario_store.insert(ws.db, {"name": "Kept plan", "schema_version": 1})
    os.chmod(path, 0o644)
    return path


def _read_only_message(reason: str) -> str:
    return messages.READ_ONLY_WRITE.format(reason=reason)


def _writes(ws: Workspace) -> list[tuple[str, Callable[[], Any]]]:
    """One call per store write Enclave has, against an existing workspace."""
    first = scenario_store.list_rows(ws.db)[0].id
    gpu = copy.deepcopy(catalog_store.entries(ws.db, "accelerators")[0])
    gpu_id = gpu["id"]
    new_gpu = {**gpu, "id": "new-gpu", "name": "New GPU"}
    return [
        ("scenario insert", lambda: scenario_store.insert(ws.db, {"name": "X",
                                                                  "schema_version": 1})),
        ("scenario update", lambda: scenario_store.update(ws.db, first, {"name": "Y",
                                                                        "schema_version": 1})),
        ("scenario delete", lambda: scenario_store.delete(ws.db, first)),
        ("catalog save", lambda: catalog_store.save_entry(ws.db, "accelerators", new_gpu)),
        ("catalog revert", lambda: catalog_store.revert_entry(ws.db, "accelerators", gpu_id)),
        ("catalog delete", lambda: catalog_store.delete_entry(ws.db, "accelerators", gpu_id)),
        ("catalog import", lambda: catalog_store.import_entries(ws.db, "accelerators",
                                                                [new_gpu], "imported")),
        ("meta", lambda: ws.set_meta("k", "v")),
        ("audit row", lambda: audit.record(ws.db, "x", "y", "z")),
        ("raw SQL", lambda: ws.db.execute("DELETE FROM scenarios")),
    ]


def _assert_every_write_refused(ws: Workspace, reason: str) -> None:
    for name, write in _writes(ws):
        with pytest.raises(ReadOnlyWorkspaceError) as caught:
            write()
        assert str(caught.value) == _read_only_message(reason), name


def test_explicit_read_only_refuses_every_store_write_and_changes_nothing(folder: Path) -> None:
    path = _make_workspace(folder)
    before = digest(path)
    with open_workspace(path, read_only=True) as ws:
        assert ws.read_only
        assert ws.notice == messages.NOTICE_READ_ONLY.format(reason=messages.REASON_REQUESTED)
        assert "Kept plan" in [r.name for r in scenario_store.list_rows(ws.db)]
        _assert_every_write_refused(ws, messages.REASON_REQUESTED)
    assert digest(path) == before


def test_read_only_file_opens_read_only_with_a_notice(folder: Path) -> None:
    path = _make_workspace(folder)
    os.chmod(path, 0o444)
    give_to_other_user(folder)  # the folder stays writable for whoever opens the file
    before = digest(path)
    with as_other_user():
        with open_workspace(path) as ws:
            assert ws.read_only
            assert messages.REASON_FILE_READ_ONLY in ws.notice
            assert "Kept plan" in [r.name for r in scenario_store.list_rows(ws.db)]
            _assert_every_write_refused(ws, messages.REASON_FILE_READ_ONLY)
    assert digest(path) == before


def test_read_only_folder_opens_read_only_without_writing_beside_the_file(folder: Path) -> None:
    path = _make_workspace(folder)
    give_to_other_user(path)  # the file itself is writable; its folder is not
    os.chmod(folder, 0o555)
    before = sorted(p.name for p in folder.iterdir())
    with as_other_user():
        with open_workspace(path) as ws:
            assert ws.read_only
            assert messages.REASON_FOLDER_READ_ONLY in ws.notice
            assert messages.NOTICE_TEMPORARY_COPY not in ws.notice
            assert "Kept plan" in [r.name for r in scenario_store.list_rows(ws.db)]
            with pytest.raises(ReadOnlyWorkspaceError):
                scenario_store.insert(ws.db, {"name": "X", "schema_version": 1})
    assert sorted(p.name for p in folder.iterdir()) == before


def test_read_only_folder_with_a_wal_shows_its_committed_changes(folder: Path) -> None:
    path = _make_workspace(folder)
    stranded = folder / "stranded"
    stranded.mkdir()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO meta (key, value) VALUES ('only-in-wal', 'yes')")
    for suffix in ("", "-wal"):  # as if the machine died with a -wal and no -shm
        shutil.copyfile(folder / (path.name + suffix), stranded / (path.name + suffix))
        os.chmod(stranded / (path.name + suffix), 0o644)
    writer.close()
    os.chmod(stranded, 0o555)
    with as_other_user():
        with open_workspace(stranded / path.name) as ws:
            assert ws.read_only
            assert ws.notice.endswith(messages.NOTICE_TEMPORARY_COPY)
            assert ws.meta("only-in-wal") == "yes"
            copy_dir = ws._opened.temporary_copy
            assert copy_dir is not None and copy_dir.exists()
        assert not copy_dir.exists()
    os.chmod(stranded, 0o755)


def test_a_second_enclave_opens_read_only_until_the_first_closes(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    first = open_workspace(path)
    with open_workspace(path) as second:
        assert second.read_only
        reason = messages.REASON_OPEN_ELSEWHERE.format(holder=f" (pid {os.getpid()})")
        assert second.notice == messages.NOTICE_READ_ONLY.format(reason=reason)
        with pytest.raises(ReadOnlyWorkspaceError, match="open read-only"):
            scenario_store.insert(second.db, {"name": "X", "schema_version": 1})
    first.close()
    with open_workspace(path) as third:
        assert not third.read_only
        assert third.notice == ""


def test_the_lock_of_a_killed_enclave_process_is_released(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path):
        pass
    script = ("import sys; from app.operations.workspace_ops import open_workspace; "
              f"ws = open_workspace({str(path)!r}); print('open', ws.read_only, flush=True); "
              "sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "open False"
        with open_workspace(path) as ws:
            assert ws.read_only
            assert f"pid {child.pid}" in ws.notice
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        child.kill()
        child.communicate()
    with open_workspace(path) as ws:
        assert not ws.read_only


def test_a_busy_workspace_gives_a_clear_message_then_works(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    policy = StoragePolicy(busy_timeout_ms=150)
    with open_workspace(path, policy=policy) as ws:
        other = sqlite3.connect(path, isolation_level=None)  # another program, mid-write
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO meta (key, value) VALUES ('other', 'program')")
        with pytest.raises(WorkspaceBusyError) as caught:
            scenario_store.insert(ws.db, {"name": "Blocked", "schema_version": 1})
        assert str(caught.value) == messages.BUSY.format(path=path, timeout_s=0.15)
        assert scenario_store.find(ws.db, "Blocked") is None
        other.execute("COMMIT")
        other.close()
        scenario_store.insert(ws.db, {"name": "Blocked", "schema_version": 1})
        assert ws.meta("other") == "program"
        assert ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_OTHER_WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
print("ready", flush=True)
for i in range(150):
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO scenarios (name, schema_version, data, created_at, updated_at) "
                 "VALUES (?, 1, '{}', 'now', 'now')", [f"other {i}"])
    conn.execute("COMMIT")
"""


def test_a_concurrent_writer_in_another_process_does_not_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path, policy=StoragePolicy(busy_timeout_ms=30_000)) as ws:
        child = subprocess.Popen([sys.executable, "-c", _OTHER_WRITER, str(path)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        for i in range(150):
            scenario_store.insert(ws.db, {"name": f"mine {i}", "schema_version": 1})
        assert child.wait(timeout=120) == 0
        child.communicate()
        names = {r.name for r in scenario_store.list_rows(ws.db)}
        assert {f"mine {i}" for i in range(150)} <= names
        assert {f"other {i}" for i in range(150)} <= names
        assert ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_save_a_copy_of_a_read_only_workspace_and_edit_the_copy(folder: Path) -> None:
    path = _make_workspace(folder)
    with open_workspace(path, read_only=True) as ws:
        target = save_copy_as(ws, folder / "copy.enclave.sqlite")
        with pytest.raises(WorkspaceError) as caught:
            save_copy_as(ws, target)
        assert str(caught.value) == messages.COPY_EXISTS.format(path=target)
        with pytest.raises(WorkspaceError) as caught:
            save_copy_as(ws, path)
        assert str(caught.value) == messages.COPY_IS_WORKSPACE.format(path=path)
    assert target.stat().st_mode & 0o777 == 0o600
    assert not target.with_name(target.name + "-wal").exists()
    with open_workspace(target) as copy_ws:
        assert not copy_ws.read_only
        assert "Kept plan" in [r.name for r in scenario_store.list_rows(copy_ws.db)]
        scenario_store.insert(copy_ws.db, {"name": "Edited in the copy", "schema_version": 1})


def test_save_a_copy_over_a_workspace_open_elsewhere_is_refused(tmp_path: Path) -> None:
    with open_workspace(tmp_path / "a.sqlite") as ws, open_workspace(tmp_path / "b.sqlite"):
        with pytest.raises(WorkspaceError) as caught:
            save_copy_as(ws, tmp_path / "b.sqlite", overwrite=True)
        assert str(caught.value) == messages.REPLACE_OPEN_ELSEWHERE.format(
            path=tmp_path / "b.sqlite")


def test_no_workspace_can_be_created_in_a_read_only_folder(folder: Path) -> None:
    os.chmod(folder, 0o555)
    with as_other_user():
        with pytest.raises(WorkspaceError, match="cannot be created"):
            open_workspace(folder / "new.sqlite")
    assert list(folder.iterdir()) == []


def test_a_missing_file_cannot_be_opened_read_only(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace in this file"):
        open_workspace(tmp_path / "absent.sqlite", read_only=True)
    assert not (tmp_path / "absent.sqlite").exists()
