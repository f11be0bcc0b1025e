"""Backup copies of a workspace, written with SQLite's online backup API.

Backups live in `<workspace>.backups/` beside the file, named with a UTC timestamp and a reason;
the newest `KEEP` are kept. A backup is always written before a migration.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

KEEP = 10


def backup_dir(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".backups")


def list_backups(workspace: Path) -> list[Path]:
    """Backups of this workspace, newest first."""
    folder = backup_dir(workspace)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.sqlite"), reverse=True)


def write_backup(workspace: Path, reason: str = "manual") -> Path:
    """Copy the workspace consistently (even while open elsewhere) and prune old copies."""
    folder = backup_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}-{reason}.sqlite"
    source = sqlite3.connect(f"{workspace.resolve().as_uri()}?mode=ro", uri=True)
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    os.chmod(target, 0o600)
    for old in list_backups(workspace)[KEEP:]:
        old.unlink(missing_ok=True)
    return target
