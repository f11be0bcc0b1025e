"""Shared helpers for workspace tests: file digests, page damage, acting as another user."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

PAGE_BYTES = 4096
NOBODY_UID = 65534
RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkpoint(path: Path) -> None:
    """Fold the -wal into the file, so its bytes are the whole workspace."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def page_of(path: Path, marker: bytes) -> int:
    """The (0-based) page number holding `marker`."""
    offset = path.read_bytes().find(marker)
    assert offset >= 0, marker
    return offset // PAGE_BYTES


def damage_pages(path: Path, pages: range | list[int], fill: int = 0xA5) -> None:
    data = bytearray(path.read_bytes())
    for page in pages:
        start = page * PAGE_BYTES
        data[start:start + PAGE_BYTES] = bytes([fill]) * PAGE_BYTES
    path.write_bytes(bytes(data))


@contextlib.contextmanager
def as_other_user() -> Iterator[None]:
    """Run the block without root's power to ignore permissions.

    As root (a CI container) the effective user becomes `nobody`, so permission bits bind; as
    any other user nothing changes (the bits already bind).
    """
    if not RUNNING_AS_ROOT:
        yield
        return
    os.setegid(NOBODY_UID)
    os.seteuid(NOBODY_UID)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def give_to_other_user(*paths: Path) -> None:
    """Make `paths` belong to the user `as_other_user` acts as (a no-op unless root)."""
    if RUNNING_AS_ROOT:
        for path in paths:
            os.chown(path, NOBODY_UID, NOBODY_UID)
