"""Settings: typed defaults, tolerant reading, atomic owner-only writing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from app.storage.files import write_atomic
from app.storage.settings import (
    MAX_RECENT_WORKSPACES,
    Settings,
    load_settings,
    save_settings,
    settings_path,
    with_recent_workspace,
)


def test_missing_or_damaged_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.json") == Settings()
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    assert load_settings(bad) == Settings()


def test_a_wrong_value_falls_back_alone(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"recent_workspaces": ["/a", 3], "catalog_kind": "servers",
                                "last_screen": 7, "unknown": True}), encoding="utf-8")
    settings = load_settings(path)
    assert settings.recent_workspaces == ()
    assert settings.catalog_kind == "servers"
    assert settings.last_screen == ""


def test_round_trip_and_recent_list(tmp_path: Path) -> None:
    settings = Settings()
    for n in range(MAX_RECENT_WORKSPACES + 3):
        settings = with_recent_workspace(settings, tmp_path / f"w{n}.sqlite")
    settings = with_recent_workspace(settings, tmp_path / "w5.sqlite")
    assert len(settings.recent_workspaces) == MAX_RECENT_WORKSPACES
    assert settings.recent_workspaces[0].endswith("w5.sqlite")
    assert sum(p.endswith("w5.sqlite") for p in settings.recent_workspaces) == 1
    save_settings(settings)
    assert settings_path().parent.is_dir()
    assert stat.S_IMODE(settings_path().stat().st_mode) == 0o600
    assert load_settings() == settings


def test_write_atomic_replaces_whole_files_only(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.json"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]
