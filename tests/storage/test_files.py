"""write_atomic: the old file survives any failure; the new one is user-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.storage import files
from app.storage.files import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_bytes_and_text_with_user_only_permissions(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "report.csv", "a,b\r\nπ,1\n")
    assert target.read_bytes() == "a,b\r\nπ,1\n".encode()
    assert _mode(target) == 0o600
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_replacing_a_shared_file_makes_it_user_only(tmp_path: Path) -> None:
    target = tmp_path / "old.txt"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_atomic(target, "new")
    assert _mode(target) == 0o600


def test_failure_before_the_rename_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("the old, good content")

    def crash(temp: Path) -> None:
        assert temp.read_text() == "half of the new"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "half of the new", _before_replace=crash)
    assert target.read_text() == "the old, good content"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_failure_while_writing_leaves_the_old_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")

    def failing_fsync(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="I/O error"):
        write_atomic(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_a_new_file_that_fails_is_not_created(tmp_path: Path) -> None:
    def crash(temp: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "new.txt", "x", _before_replace=crash)
    assert list(tmp_path.iterdir()) == []


def test_private_dir_is_user_only(tmp_path: Path) -> None:
    folder = files.make_private_dir(tmp_path / "a" / "b")
    assert _mode(folder) == 0o700


def test_app_writes_user_files_only_through_write_atomic() -> None:
    """STYLE rule 7: files are written atomically. Direct writes in app/ must use write_atomic
    (or `atomic_target` for writers that need a path, like SQLite's backup API)."""
    import re

    root = Path(__file__).resolve().parents[2] / "app"
    direct = re.compile(r"\.write_(text|bytes)\(|\bopen\([^)]*['\"][wax]b?\+?['\"]")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "files.py" and direct.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], "write these with app.storage.files.write_atomic"
